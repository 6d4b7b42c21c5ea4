// node-llama-cpp generating on its own, with its own greedy sampler: the reference the mesh must equal at K = 1,
// and the baseline the benchmark measures the mesh against.
import type { Llama, Token } from "node-llama-cpp"
import type { ModelInfo } from "./model-file.ts"

export interface LocalGeneration {
  readonly tokens: ReadonlyArray<number>
  /** Wall time of the generation alone (prompt evaluation included, model loading excluded). */
  readonly seconds: number
}

export const generateGreedyLocally = async (
  llama: Llama,
  info: ModelInfo,
  prompt: ReadonlyArray<number>,
  maxTokens: number,
  threads = 1
): Promise<LocalGeneration> => {
  const model = await llama.loadModel({ modelPath: info.path })
  try {
    const context = await model.createContext({ threads, sequences: 1 })
    const sequence = context.getSequence()
    const tokens: number[] = []
    const started = performance.now()
    if (maxTokens > 0) {
      for await (const token of sequence.evaluate(prompt as Token[], { temperature: 0 })) {
        tokens.push(token)
        if (token === model.tokens.eos || tokens.length >= maxTokens) break
      }
    }
    const seconds = (performance.now() - started) / 1000
    await context.dispose()
    return { tokens, seconds }
  } finally {
    await model.dispose()
  }
}
