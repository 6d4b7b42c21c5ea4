// The Inference adapter on the real stories260K GGUF: exact top-k, allowed-token sets, refusals.
import { Effect, Exit, type Scope } from "effect"
import { describe, expect, test } from "vitest"
import { Inference } from "../../experts/inference/service.ts"
import { modelPath } from "../../runtime/models-dir.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const stories = modelPath("stories260K.gguf")
const { run, runExit } = inferenceRunner()

describe("Inference adapter", () => {
  test("the manifest fields come from the GGUF header", async () => {
    const info = await run(Effect.flatMap(Inference, (inference) => inference.inspect(stories)))
    expect(info.modelName).toBe("stories260K")
    expect(info.fileSha256).toBe("ee5fa94f36a36aeb586abc841766dcf38023bf3b4a170c884440362ad39bf97b")
    expect(info.quantization).toBe("F32")
    expect(info.vocabSize).toBe(512)
    expect(info.trainContextSize).toBe(512)
    expect(info.addBos).toBe(true)
    expect(info.parameters).toBeGreaterThan(200_000)
    expect(info.parameters).toBeLessThan(300_000)
  })

  test("one tokenizer family: the stories quantizations, docs and code share a hash; aidreams does not", async () => {
    const hashes = await run(
      Effect.flatMap(Inference, (inference) =>
        Effect.forEach(
          ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf", "docs260K.gguf", "aidreams260K.gguf"],
          (name) => Effect.map(inference.inspect(modelPath(name)), (info) => info.tokenizerHash)
        )
      )
    )
    expect(new Set(hashes.slice(0, 4)).size).toBe(1)
    expect(hashes[4]).not.toBe(hashes[0])
  })

  test("top-1 chain of the adapter equals node-llama-cpp's own greedy generation, 64 tokens", async () => {
    const { chain, reference } = await run(
      Effect.gen(function* () {
        const inference = yield* Inference
        const tokenizer = yield* inference.loadTokenizer(stories)
        const prompt = tokenizer.encodePrompt("Once upon a time")
        expect(prompt[0]).toBe(1)
        const model = yield* inference.loadExpert(stories)
        const sequence = yield* Effect.promise(() => model.openSequence())
        const chain: number[] = []
        let next = yield* Effect.promise(() => sequence.evaluate(prompt, { topK: 16 }))
        for (let index = 0; index < 64; index++) {
          const token = next.tokens[0]!
          chain.push(token)
          next = yield* Effect.promise(() => sequence.evaluate([token], { topK: 16 }))
        }
        sequence.dispose()
        const reference = yield* inference.generateLocally(stories, prompt, 64)
        return { chain, reference: reference.tokens }
      })
    )
    expect(reference).toHaveLength(64)
    expect(chain).toEqual(reference)
  })

  test("top-k is exact: probabilities sorted, residual is the rest, allowed tokens come back exactly", async () => {
    const { top, allowed } = await run(
      Effect.gen(function* () {
        const inference = yield* Inference
        const model = yield* inference.loadExpert(stories)
        const a = yield* Effect.promise(() => model.openSequence())
        const top = yield* Effect.promise(() => a.evaluate([1, 403], { topK: 16 }))
        const b = yield* Effect.promise(() => model.openSequence())
        const allowed = yield* Effect.promise(() =>
          b.evaluate([1, 403], { allowed: [top.tokens[5]!, 7, top.tokens[0]!] })
        )
        return { top, allowed }
      })
    )
    expect(top.tokens).toHaveLength(16)
    for (let index = 1; index < 16; index++) expect(top.logprobs[index]!).toBeLessThanOrEqual(top.logprobs[index - 1]!)
    const mass = top.logprobs.reduce((sum, logprob) => sum + Math.exp(logprob), 0)
    expect(mass + top.residual).toBeCloseTo(1, 9)
    expect(new Set(allowed.tokens)).toEqual(new Set([top.tokens[5], 7, top.tokens[0]]))
    expect(allowed.tokens[0]).toBe(top.tokens[0])
    expect(allowed.logprobs[0]).toBeCloseTo(top.logprobs[0]!, 9)
  })

  test("refusals: a missing file, a non-GGUF file, a token outside the vocabulary, a full session table", async () => {
    const exitOf = (effect: Effect.Effect<unknown, unknown, Inference | Scope.Scope>) => runExit(effect)
    const missing = await exitOf(Effect.flatMap(Inference, (inference) => inference.inspect("/nonexistent/x.gguf")))
    expect(Exit.isFailure(missing) && JSON.stringify(missing.cause)).toContain("NotFound")
    const notGguf = await exitOf(Effect.flatMap(Inference, (inference) => inference.loadExpert("package.json")))
    expect(Exit.isFailure(notGguf) && JSON.stringify(notGguf.cause)).toContain("is not a GGUF model file")
    const limits = await run(
      Effect.gen(function* () {
        const inference = yield* Inference
        const model = yield* inference.loadExpert(stories, { maxSessions: 1 })
        const only = yield* Effect.promise(() => model.openSequence())
        const badToken = yield* Effect.promise(() => only.evaluate([1, 9999], { topK: 4 }).catch((error) => error))
        const full = yield* Effect.promise(() =>
          model.openSequence().then(
            () => undefined,
            (error: { code: string }) => error
          )
        )
        return { badToken, full }
      })
    )
    expect(limits.badToken.code).toBe("INVALID_TOKEN")
    expect(limits.full?.code).toBe("SESSION_LIMIT")
  })
})
