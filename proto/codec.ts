// Frames <-> domain messages. Every decode is bounded (WIRE_LIMITS) and validated at once, so nothing past this file
// sees a half-formed frame.
import type { SparseDistribution } from "../aggregator/distribution.ts"
import { Frame, Manifest } from "./expert.ts"
import {
  ERROR_CODES,
  type ExpertManifest,
  type ExpertRequest,
  type ExpertResponse,
  SESSION_ID_BYTES,
  type SessionId,
  WIRE_LIMITS
} from "./messages.ts"
import { packVarints, unpackVarints } from "./varint.ts"

/** Log-probabilities travel as round(-logprob * 2^12): steps of 1/4096 nat. */
export const LOGPROB_SCALE = 4096
/** Quantized values are capped (a probability of e^-4096 is zero for every purpose here). */
const MAX_QUANTIZED = 4096 * LOGPROB_SCALE

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reason: string }

const fail = (reason: string): Decoded<never> => ({ ok: false, reason })
const succeed = <A>(value: A): Decoded<A> => ({ ok: true, value })

export const sessionIdToBytes = (id: SessionId): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(id, "hex"))

const sessionIdFromBytes = (bytes: Uint8Array): SessionId | undefined =>
  bytes.length === SESSION_ID_BYTES ? (Buffer.from(bytes).toString("hex") as SessionId) : undefined

export const newSessionId = (): SessionId =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex") as SessionId

const parseFrame = (bytes: Uint8Array): Decoded<Frame> => {
  let frame: Frame
  try {
    frame = Frame.decode(bytes)
  } catch (cause) {
    return fail(`not a valid frame: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const present = Object.values(frame).filter((field) => field !== undefined).length
  return present === 1 ? succeed(frame) : fail(`a frame holds exactly one message, this one holds ${present}`)
}

const checkText = (label: string, text: string): string | undefined =>
  Buffer.byteLength(text) > WIRE_LIMITS.maxTextBytes
    ? `${label} is longer than ${WIRE_LIMITS.maxTextBytes} bytes`
    : undefined

// ---- requests (router -> expert)

export const encodeRequest = (request: ExpertRequest): Uint8Array => {
  switch (request._tag) {
    case "ManifestRequest":
      return Frame.encode({ manifestRequest: {} })
    case "OpenSession":
      return Frame.encode({
        openSession: {
          sessionId: sessionIdToBytes(request.sessionId),
          prompt: packVarints(request.prompt),
          topK: request.topK,
          tokenizerHash: request.tokenizerHash
        }
      })
    case "Step":
      return Frame.encode({
        step: {
          sessionId: sessionIdToBytes(request.sessionId),
          tokens: packVarints(request.tokens),
          allowedTokens: request.allowedTokens === undefined ? new Uint8Array() : packVarints(request.allowedTokens),
          ...(request.keep === undefined ? {} : { keep: request.keep })
        }
      })
    case "CloseSession":
      return Frame.encode({ closeSession: { sessionId: sessionIdToBytes(request.sessionId) } })
    case "ParkSession":
      return Frame.encode({ parkSession: { sessionId: sessionIdToBytes(request.sessionId) } })
  }
}

export const decodeRequest = (bytes: Uint8Array): Decoded<ExpertRequest> => {
  const parsed = parseFrame(bytes)
  if (!parsed.ok) return parsed
  const frame = parsed.value
  if (frame.manifestRequest !== undefined) return succeed({ _tag: "ManifestRequest" })
  if (frame.openSession !== undefined) {
    const { sessionId, topK, tokenizerHash } = frame.openSession
    const id = sessionIdFromBytes(sessionId)
    if (id === undefined) return fail(`a session id is ${SESSION_ID_BYTES} bytes`)
    const prompt = unpackVarints(frame.openSession.prompt, WIRE_LIMITS.maxPromptTokens)
    if (prompt === undefined) return fail(`the prompt is not a list of at most ${WIRE_LIMITS.maxPromptTokens} varints`)
    if (prompt.length === 0) return fail("the prompt is empty")
    if (topK < 1 || topK > WIRE_LIMITS.maxTopK) return fail(`top_k must be within 1..${WIRE_LIMITS.maxTopK}`)
    const textError = checkText("tokenizer_hash", tokenizerHash)
    if (textError !== undefined) return fail(textError)
    return succeed({ _tag: "OpenSession", sessionId: id, prompt, topK, tokenizerHash })
  }
  if (frame.step !== undefined) {
    const id = sessionIdFromBytes(frame.step.sessionId)
    if (id === undefined) return fail(`a session id is ${SESSION_ID_BYTES} bytes`)
    const tokens = unpackVarints(frame.step.tokens, WIRE_LIMITS.maxStepTokens)
    if (tokens === undefined) return fail(`step tokens are not a list of at most ${WIRE_LIMITS.maxStepTokens} varints`)
    if (tokens.length === 0) return fail("a step appends at least one token")
    const allowedTokens = unpackVarints(frame.step.allowedTokens, WIRE_LIMITS.maxAllowedTokens)
    if (allowedTokens === undefined) {
      return fail(`allowed tokens are not a list of at most ${WIRE_LIMITS.maxAllowedTokens} varints`)
    }
    return succeed({
      _tag: "Step",
      sessionId: id,
      tokens,
      allowedTokens: allowedTokens.length === 0 ? undefined : allowedTokens,
      ...(frame.step.keep === undefined ? {} : { keep: frame.step.keep })
    })
  }
  if (frame.closeSession !== undefined) {
    const id = sessionIdFromBytes(frame.closeSession.sessionId)
    return id === undefined
      ? fail(`a session id is ${SESSION_ID_BYTES} bytes`)
      : succeed({ _tag: "CloseSession", sessionId: id })
  }
  if (frame.parkSession !== undefined) {
    const id = sessionIdFromBytes(frame.parkSession.sessionId)
    return id === undefined
      ? fail(`a session id is ${SESSION_ID_BYTES} bytes`)
      : succeed({ _tag: "ParkSession", sessionId: id })
  }
  return fail("the expert expects ManifestRequest, OpenSession, Step, CloseSession or ParkSession")
}

// ---- manifests (in Manifest frames, and signed inside discovery announcements)

const manifestToWire = (manifest: ExpertManifest): Manifest => ({
  ...manifest,
  parameters: BigInt(manifest.parameters)
})

const validateManifest = (manifest: Manifest): Decoded<ExpertManifest> => {
  for (const [label, text] of [
    ["model_name", manifest.modelName],
    ["file_sha256", manifest.fileSha256],
    ["tokenizer_hash", manifest.tokenizerHash],
    ["architecture", manifest.architecture],
    ["quantization", manifest.quantization]
  ] as const) {
    const textError = checkText(label, text)
    if (textError !== undefined) return fail(textError)
  }
  if (manifest.tokenizerHash.length === 0) return fail("the manifest has no tokenizer hash")
  if (manifest.vocabSize === 0) return fail("the manifest has no vocabulary size")
  return succeed({ ...manifest, parameters: Number(manifest.parameters) })
}

export const encodeManifest = (manifest: ExpertManifest): Uint8Array<ArrayBuffer> =>
  Manifest.encode(manifestToWire(manifest))

export const decodeManifest = (bytes: Uint8Array): Decoded<ExpertManifest> => {
  try {
    return validateManifest(Manifest.decode(bytes))
  } catch (cause) {
    return fail(`not a valid manifest: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}

// ---- responses (expert -> router)

/** Quantizes a distribution for the wire. Entries must be in rank order (log-probabilities non-increasing). */
export const quantizeLogprobs = (logprobs: ReadonlyArray<number>): number[] => {
  const deltas: number[] = []
  let previous = 0
  for (const logprob of logprobs) {
    const quantized = Math.min(MAX_QUANTIZED, Math.max(previous, Math.round(-logprob * LOGPROB_SCALE)))
    deltas.push(quantized - previous)
    previous = quantized
  }
  return deltas
}

const dequantizeLogprobs = (deltas: ReadonlyArray<number>): number[] | undefined => {
  const logprobs: number[] = []
  let quantized = 0
  for (const delta of deltas) {
    quantized += delta
    if (quantized > MAX_QUANTIZED) return undefined
    logprobs.push(-quantized / LOGPROB_SCALE)
  }
  return logprobs
}

export const encodeResponse = (response: ExpertResponse): Uint8Array => {
  switch (response._tag) {
    case "Manifest":
      return Frame.encode({ manifest: manifestToWire(response.manifest) })
    case "StepResult":
      return Frame.encode({
        stepResult: {
          tokens: packVarints(response.distribution.tokens),
          logprobDeltas: packVarints(quantizeLogprobs(response.distribution.logprobs)),
          residual: response.distribution.residual
        }
      })
    case "Error":
      return Frame.encode({
        error: { code: Math.max(0, ERROR_CODES.indexOf(response.code)), message: response.message }
      })
  }
}

export const decodeResponse = (bytes: Uint8Array): Decoded<ExpertResponse> => {
  const parsed = parseFrame(bytes)
  if (!parsed.ok) return parsed
  const frame = parsed.value
  if (frame.stepResult !== undefined) {
    const { tokens, logprobDeltas, residual } = frame.stepResult
    const tokenIds = unpackVarints(tokens, WIRE_LIMITS.maxAllowedTokens)
    const deltas = unpackVarints(logprobDeltas, WIRE_LIMITS.maxAllowedTokens)
    if (tokenIds === undefined || deltas === undefined) return fail("step result lists are not packed varints")
    if (tokenIds.length !== deltas.length) return fail("step result lists differ in length")
    const logprobs = dequantizeLogprobs(deltas)
    if (logprobs === undefined) return fail("step result log-probabilities out of range")
    if (!(residual >= 0 && residual <= 1)) return fail("step result residual is outside [0, 1]")
    const distribution: SparseDistribution = { tokens: tokenIds, logprobs, residual }
    return succeed({ _tag: "StepResult", distribution })
  }
  if (frame.manifest !== undefined) {
    const manifest = validateManifest(frame.manifest)
    return manifest.ok ? succeed({ _tag: "Manifest", manifest: manifest.value }) : manifest
  }
  if (frame.error !== undefined) {
    return succeed({
      _tag: "Error",
      code: ERROR_CODES[frame.error.code] ?? "INTERNAL",
      message: frame.error.message.slice(0, WIRE_LIMITS.maxTextBytes)
    })
  }
  return fail("the router expects Manifest, StepResult or Error")
}
