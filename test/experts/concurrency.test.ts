// A session's answers do not depend on what other sessions of the same expert do at the same moment: each session
// evaluates in its own context, alone. This is what lets a replacement replay a prefix bit for bit while the expert
// serves others, and what a checker relies on to reproduce an answer.
import { Effect } from "effect"
import { expect, test } from "vitest"
import type { SparseDistribution } from "../../aggregator/distribution.ts"
import { Inference } from "../../experts/inference/service.ts"
import { modelPath } from "../../runtime/models-dir.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

test("a session's distributions are bit-identical alone and beside three busy sessions", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const inference = yield* Inference
      const model = yield* inference.loadExpert(modelPath("stories260K.gguf"), { maxSessions: 4 })
      const tokenizer = yield* inference.loadTokenizer(modelPath("stories260K.gguf"))
      return yield* Effect.promise(async () => {
        /** Greedy for 40 steps: every distribution on the way. */
        const greedy = async (prompt: ReadonlyArray<number>) => {
          const sequence = await model.openSequence()
          const seen: SparseDistribution[] = [await sequence.evaluate(prompt, { topK: 16 })]
          for (let step = 0; step < 40; step++) {
            seen.push(await sequence.evaluate([seen.at(-1)!.tokens[0]!], { topK: 16 }))
          }
          sequence.dispose()
          return seen
        }
        const prompt = tokenizer.encodePrompt("Once upon a time, there was a dog")
        const alone = await greedy(prompt)
        const [together] = await Promise.all([
          greedy(prompt),
          greedy(tokenizer.encodePrompt("Tom had a red ball. He liked to throw it")),
          greedy(tokenizer.encodePrompt("The sun was hot and the children went to the big blue sea to swim")),
          greedy(tokenizer.encodePrompt("Sue"))
        ])
        return { alone, together: together! }
      })
    })
  )
  expect(outcome.together).toEqual(outcome.alone)
}, 60_000)
