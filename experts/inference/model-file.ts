// What a GGUF file is, read from its header alone: identity, tokenizer family and size. No weights are loaded.
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { open, stat } from "node:fs/promises"
import { GgufFileType, readGgufFileInfo } from "node-llama-cpp"
import { ModelFileError } from "../errors.ts"

export interface ModelInfo {
  readonly path: string
  readonly modelName: string
  readonly fileSha256: string
  /** sha256 of the canonical tokenizer metadata: experts mix only within one tokenizer family. */
  readonly tokenizerHash: string
  readonly architecture: string
  readonly parameters: number
  readonly quantization: string
  readonly trainContextSize: number
  readonly vocabSize: number
  readonly addBos: boolean
  readonly bosToken: number
  readonly eosToken: number
  readonly chatTemplate: string | undefined
}

const GGUF_MAGIC = "GGUF"

const checkMagic = async (path: string): Promise<void> => {
  const stats = await stat(path).catch(() => undefined)
  if (stats === undefined || !stats.isFile()) {
    throw new ModelFileError({ path, reason: "NotFound", message: `model file not found: ${path}` })
  }
  const handle = await open(path, "r")
  try {
    const head = Buffer.alloc(4)
    const { bytesRead } = await handle.read(head, 0, 4, 0)
    const magic = head.subarray(0, bytesRead).toString("latin1")
    if (magic !== GGUF_MAGIC) {
      throw new ModelFileError({
        path,
        reason: "NotGguf",
        message: `${path} is not a GGUF model file (it starts with ${JSON.stringify(magic)}, a GGUF file starts with "GGUF")`
      })
    }
  } finally {
    await handle.close()
  }
}

const sha256OfFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")))
  })

/** Quantization names as llama.cpp prints them: MOSTLY_Q8_0 -> Q8_0, ALL_F32 -> F32. */
const quantizationName = (fileType: number | undefined): string => {
  if (fileType === undefined) return "unknown"
  const name = GgufFileType[fileType]
  return name === undefined ? `type ${fileType}` : name.replace(/^(MOSTLY|ALL)_/, "")
}

type TokenizerMetadata = Record<string, unknown>

/** Every field that changes how text maps to ids, in a fixed order, so equal tokenizers hash equal. */
const tokenizerHash = (ggml: TokenizerMetadata): string => {
  const keys = [
    "model",
    "pre",
    "tokens",
    "scores",
    "token_type",
    "merges",
    "bos_token_id",
    "eos_token_id",
    "unknown_token_id",
    "padding_token_id",
    "add_bos_token",
    "add_eos_token"
  ]
  const hash = createHash("sha256")
  for (const key of keys) {
    const value = ggml[key]
    hash.update(`${key}=`)
    hash.update(value === undefined ? "-" : JSON.stringify(Array.isArray(value) ? value : [value]))
    hash.update("\n")
  }
  return hash.digest("hex")
}

export interface InspectOptions {
  /** Hash the whole file for the manifest (default true); a tokenizer lookup needs only the header. */
  readonly sha256?: boolean
}

export const inspectModelFile = async (path: string, options: InspectOptions = {}): Promise<ModelInfo> => {
  await checkMagic(path)
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>
  try {
    info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false })
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    throw new ModelFileError({ path, reason: "Unreadable", message: `cannot read GGUF header of ${path}: ${detail}` })
  }
  const metadata = info.metadata
  const ggml = (metadata.tokenizer?.ggml ?? {}) as TokenizerMetadata
  const tokens = ggml.tokens
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new ModelFileError({ path, reason: "Unreadable", message: `${path} has no tokenizer in its metadata` })
  }
  const architecture = String(metadata.general.architecture)
  const architectureMetadata = (metadata as unknown as Record<string, { context_length?: number } | undefined>)[
    architecture
  ]
  let parameters = 0
  for (const tensor of info.tensorInfo ?? []) {
    parameters += tensor.dimensions.reduce<number>((product, size) => product * Number(size), 1)
  }
  return {
    path,
    modelName: String(metadata.general.name ?? path.split("/").pop()),
    fileSha256: options.sha256 === false ? "" : await sha256OfFile(path),
    tokenizerHash: tokenizerHash(ggml),
    architecture,
    parameters,
    quantization: quantizationName(metadata.general.file_type),
    trainContextSize: Number(architectureMetadata?.context_length ?? 0),
    vocabSize: tokens.length,
    // llama.cpp's default for SentencePiece-style ("llama") vocabularies is to add BOS when the key is absent.
    addBos: ggml.add_bos_token === undefined ? ggml.model === "llama" : ggml.add_bos_token === true,
    bosToken: Number(ggml.bos_token_id ?? 1),
    eosToken: Number(ggml.eos_token_id ?? 2),
    chatTemplate: typeof metadata.tokenizer?.chat_template === "string" ? metadata.tokenizer.chat_template : undefined
  }
}
