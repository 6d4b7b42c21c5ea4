import type { ExpertManifest } from "../../proto/messages.ts"

/** A well-formed manifest with no model behind it: for announcements, registries and validators. */
export const syntheticManifest = (overrides: Partial<ExpertManifest> = {}): ExpertManifest => ({
  modelName: "synthetic",
  fileSha256: "ab".repeat(32),
  tokenizerHash: "cd".repeat(32),
  architecture: "llama",
  parameters: 260_000,
  quantization: "F32",
  contextSize: 511,
  vocabSize: 512,
  maxSessions: 4,
  maxTopK: 64,
  addBos: true,
  bosToken: 1,
  eosToken: 2,
  ...overrides
})
