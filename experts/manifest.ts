import type { ExpertManifest } from "../proto/messages.ts"
import type { ExpertModel } from "./inference/expert-model.ts"

/** The most top-k entries an expert returns per step. */
export const DEFAULT_MAX_TOP_K = 64

export const manifestOf = (model: ExpertModel, maxTopK: number = DEFAULT_MAX_TOP_K): ExpertManifest => ({
  modelName: model.info.modelName,
  fileSha256: model.info.fileSha256,
  tokenizerHash: model.info.tokenizerHash,
  architecture: model.info.architecture,
  parameters: model.info.parameters,
  quantization: model.info.quantization,
  contextSize: model.contextSize,
  vocabSize: model.info.vocabSize,
  maxSessions: model.maxSessions,
  maxTopK,
  addBos: model.info.addBos,
  bosToken: model.info.bosToken,
  eosToken: model.info.eosToken
})
