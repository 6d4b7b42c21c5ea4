// The router needs the family's tokenizer, never the weights: any GGUF in the models folder with the same hash will do.
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { TokenizerNotFoundError } from "./errors.ts"

/** Reads a GGUF header's tokenizer hash (the Inference service's inspect, without hashing the file). */
export type TokenizerHashOf = (path: string) => Promise<string>

export const findTokenizerFile = async (
  modelsDir: string,
  tokenizerHash: string,
  hashOf: TokenizerHashOf
): Promise<string> => {
  const names = await readdir(modelsDir).catch(() => {
    throw new TokenizerNotFoundError({
      message: `models folder not found: ${modelsDir} (set --models DIR or MESH_MODELS)`
    })
  })
  for (const name of names.filter((entry) => entry.endsWith(".gguf")).sort()) {
    const path = join(modelsDir, name)
    const hash = await hashOf(path).catch(() => undefined)
    if (hash === tokenizerHash) return path
  }
  throw new TokenizerNotFoundError({
    message: `no GGUF in ${modelsDir} has the experts' tokenizer ${tokenizerHash.slice(0, 12)}; the router needs one to read and write text`
  })
}
