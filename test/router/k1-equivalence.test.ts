// K = 1, greedy, through the mesh (router and expert talking libp2p on loopback) equals node-llama-cpp on its own.
import { Effect } from "effect"
import { expect, test } from "vitest"
import { Inference } from "../../experts/inference/service.ts"
import type { GenerationEvent } from "../../router/generation.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { inferenceRunner, startTestExpert } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

const collect = async (events: AsyncGenerator<GenerationEvent>) => {
  const all: GenerationEvent[] = []
  for await (const event of events) all.push(event)
  return all
}

for (const model of ["stories260K.gguf", "stories260K-q4_0.gguf"]) {
  test(`${model}: K = 1 greedy through the mesh equals local greedy generation, 64 tokens`, async () => {
    const path = modelPath(model)
    const { mesh, local, text } = await run(
      Effect.gen(function* () {
        const inference = yield* Inference
        const expert = yield* startTestExpert({ modelPath: path })
        const router = yield* startRouterNode({ modelsDir: resolveModelsDir(), experts: expert.multiaddrs() })
        const tokenizer = yield* Effect.promise(() => router.tokenizer(expert.manifest.tokenizerHash))
        const prompt = tokenizer.encodePrompt("Once upon a time")
        const events = yield* Effect.promise(() =>
          collect(router.generate({ prompt, k: 1, maxTokens: 64, sampling: { temperature: 0 } }))
        )
        const local = yield* inference.generateLocally(path, prompt, 64)
        const finished = events.at(-1)
        if (finished?._tag !== "Finished") throw new Error("no Finished event")
        return { mesh: finished.tokens, local: local.tokens, text: finished.text }
      })
    )
    expect(local).toHaveLength(64)
    expect(mesh).toEqual(local)
    if (model === "stories260K.gguf") {
      expect(text.startsWith(", there was a little girl named Lily. She loved to play outside in the park.")).toBe(true)
    }
  })
}
