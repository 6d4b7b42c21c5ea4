// The router needs the family's tokenizer, never the weights: any GGUF in the models folder with the same hash will do.
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { TokenizerNotFoundError } from "./errors.ts"

/** A GGUF header's model name and tokenizer hash (the Inference service's inspect, without hashing the file). */
export type TokenizerOf = (path: string) => Promise<{ readonly modelName: string; readonly tokenizerHash: string }>

/**
 * The first GGUF (by file name) with the experts' tokenizer, preferring one of the experts' own models so the
 * tokenizer named in logs is the one they serve.
 */
export const findTokenizerFile = async (
  modelsDir: string,
  tokenizerHash: string,
  preferredModels: ReadonlyArray<string>,
  tokenizerOf: TokenizerOf
): Promise<string> => {
  const names = await readdir(modelsDir).catch(() => {
    throw new TokenizerNotFoundError({
      message: `models folder not found: ${modelsDir} (set --models DIR or MESH_MODELS)`
    })
  })
  let fallback: string | undefined
  for (const name of names.filter((entry) => entry.endsWith(".gguf")).sort()) {
    const path = join(modelsDir, name)
    const found = await tokenizerOf(path).catch(() => undefined)
    if (found?.tokenizerHash !== tokenizerHash) continue
    if (preferredModels.includes(found.modelName)) return path
    fallback ??= path
  }
  if (fallback !== undefined) return fallback
  throw new TokenizerNotFoundError({
    message: `no GGUF in ${modelsDir} has the experts' tokenizer ${tokenizerHash.slice(0, 12)}; the router needs one to read and write text`
  })
}
