// Answers survive experts that die or stall mid-generation. With greedy decoding and experts of the same weights
// (stories260K F32), the text under a fault equals the fault-free text token for token: survivors carry the step, and
// a replacement is brought to the same position by replaying the prefix with the original chunking.
import { Effect } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import type { GenerationEvent } from "../../router/generation.ts"
import { type ExpertProcess, spawnExpert } from "../../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { type RouterNode, startRouterNode } from "../../runtime/router-node.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const { run } = inferenceRunner()
let experts: ExpertProcess[] = []

beforeAll(async () => {
  experts = await Promise.all([0, 1, 2, 3].map(() => spawnExpert(modelPath("stories260K.gguf"))))
}, 90_000)
afterAll(async () => {
  await Promise.all(
    experts.map((expert) => {
      expert.child.kill("SIGCONT")
      return expert.stop()
    })
  )
})

type Fault = (expert: ExpertProcess) => void

/** Generates greedily; at the 10th token applies `fault` to the first expert of the generation. */
const generateWith = async (router: RouterNode, k: number, fault?: Fault) => {
  let started: ReadonlyArray<string> = []
  let count = 0
  let finished: Extract<GenerationEvent, { _tag: "Finished" }> | undefined
  for await (const event of router.generate({
    prompt: "Once upon a time",
    k,
    maxTokens: 48,
    sampling: { temperature: 0 }
  })) {
    if (event._tag === "Started") started = event.experts
    if (event._tag === "Token" && ++count === 10 && fault !== undefined) {
      fault(experts.find((expert) => expert.peerId === started[0])!)
    }
    if (event._tag === "Finished") finished = event
  }
  return finished!
}

test("a stalled expert (SIGSTOP), a killed one at K = 2 and the only one at K = 1: the text is the fault-free text", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const router = yield* startRouterNode({
        modelsDir: resolveModelsDir(),
        experts: experts.map((expert) => expert.multiaddrs[0]!)
      })
      return yield* Effect.promise(async () => {
        const reference = await generateWith(router, 2)
        const stalled = await generateWith(router, 2, (expert) => expert.child.kill("SIGSTOP"))
        const killed = await generateWith(router, 2, (expert) => expert.child.kill("SIGKILL"))
        const alone = await generateWith(router, 1, (expert) => expert.child.kill("SIGKILL"))
        return { reference, stalled, killed, alone }
      })
    })
  )
  expect(outcome.reference.tokens).toHaveLength(48)
  expect(outcome.reference.replacements).toBe(0)
  for (const faulty of [outcome.stalled, outcome.killed, outcome.alone]) {
    expect(faulty.tokens).toEqual(outcome.reference.tokens)
    expect(faulty.replacements).toBeGreaterThanOrEqual(1)
  }
  // At K = 2 the survivor carried the steps only until the replacement had replayed the prefix and joined.
  for (const faulty of [outcome.stalled, outcome.killed]) expect(faulty.degradedSteps).toBeLessThan(10)
  console.log(
    `degraded steps: stalled ${outcome.stalled.degradedSteps}, killed ${outcome.killed.degradedSteps}, alone ${outcome.alone.degradedSteps}`
  )
}, 120_000)
