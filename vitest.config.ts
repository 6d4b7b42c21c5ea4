import { defineConfig } from "vitest/config"

// Two cores: model-backed and multi-process tests share the CPU badly, so files run one at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
