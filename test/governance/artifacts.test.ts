// The committed contract artifacts are what the sources compile to (solc-js, offline): CI fails when they are stale.
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { expect, test } from "vitest"

test("contracts/artifacts matches a fresh solc-js compile of contracts/src", async () => {
  const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/build-contracts.ts", "--check"], {
    cwd: new URL("../..", import.meta.url).pathname
  })
  expect(stdout).toMatch(/^checked 5 contracts/)
}, 60_000)
