// Three experts in three processes, mixed K = 3 over libp2p: a seeded generation is reproducible, run to run and
// between the CLI and an in-process router.
import { Effect } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import { type ExpertProcess, spawnExpert } from "../../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { runMesh } from "../helpers/mesh-bin.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

let experts: ExpertProcess[] = []
beforeAll(async () => {
  experts = await Promise.all(
    ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"].map((name) => spawnExpert(modelPath(name)))
  )
})
afterAll(async () => {
  await Promise.all(experts.map((expert) => expert.stop()))
})

const generateArgs = (seed: number) => [
  "generate",
  "--experts",
  experts.map((expert) => expert.multiaddrs[0]).join(","),
  "--k",
  "3",
  "--seed",
  String(seed),
  "--temperature",
  "0.9",
  "--max-tokens",
  "64",
  "--stats",
  "Once upon a time"
]

test("K = 3, seeded, 64 tokens: two CLI runs print the same text; another seed does not", async () => {
  const first = await runMesh(generateArgs(7))
  const second = await runMesh(generateArgs(7))
  const other = await runMesh(generateArgs(8))
  expect(first.code, first.stderr).toBe(0)
  expect(first.stdout.trim().length).toBeGreaterThan(100)
  expect(second.stdout).toBe(first.stdout)
  expect(other.stdout).not.toBe(first.stdout)
  expect(first.stderr).toContain("experts: 3")
  expect(first.stderr).toMatch(/tokens: \d+/)

  // The same request from a router in this process, to the same expert processes, gives the same text.
  const text = await run(
    Effect.gen(function* () {
      const router = yield* startRouterNode({
        modelsDir: resolveModelsDir(),
        experts: experts.map((expert) => expert.multiaddrs[0]!)
      })
      return yield* Effect.promise(async () => {
        let text = ""
        for await (const event of router.generate({
          prompt: "Once upon a time",
          k: 3,
          maxTokens: 64,
          sampling: { temperature: 0.9, seed: 7 }
        })) {
          if (event._tag === "Finished") text = event.text
        }
        return text
      })
    })
  )
  expect(`${text}\n`).toBe(first.stdout)
})

test("every expert process closed its sessions after the generations", async () => {
  // Each expert serves 4 sessions at most; had any leaked from the runs above, a K = 3 run of 4 more would fail.
  const runs = await Promise.all([11, 12, 13, 14].map((seed) => runMesh(generateArgs(seed))))
  for (const result of runs) expect(result.code, result.stderr).toBe(0)
})
