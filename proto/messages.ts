// Domain types of the expert protocol: what frames decode into after validation.
import type { SparseDistribution } from "../aggregator/distribution.ts"

export const EXPERT_PROTOCOL = "/mesh/expert/1.0.0"

/** Decode limits. A frame over maxFrameBytes is refused from its length prefix alone, before it is read. */
export const WIRE_LIMITS = {
  maxFrameBytes: 1024 * 1024,
  maxPromptTokens: 131_072,
  maxStepTokens: 4096,
  maxAllowedTokens: 65_536,
  maxTopK: 256,
  maxTextBytes: 4096
} as const

export const SESSION_ID_BYTES = 16

/** Hex of 16 random bytes: unguessable, and usable as a map key. */
export type SessionId = string & { readonly _brand: "SessionId" }

export interface ExpertManifest {
  readonly modelName: string
  readonly fileSha256: string
  readonly tokenizerHash: string
  readonly architecture: string
  readonly parameters: number
  readonly quantization: string
  readonly contextSize: number
  readonly vocabSize: number
  readonly maxSessions: number
  readonly maxTopK: number
  readonly addBos: boolean
  readonly bosToken: number
  readonly eosToken: number
}

/** Error codes by their number on the wire (Error.code); a number this list lacks reads as INTERNAL. */
export const ERROR_CODES = [
  "INTERNAL",
  "MALFORMED_FRAME",
  "FRAME_TOO_LARGE",
  "UNEXPECTED_FRAME",
  "TOKENIZER_MISMATCH",
  "UNKNOWN_SESSION",
  "SESSION_LIMIT",
  "CONTEXT_FULL",
  "INVALID_TOKEN",
  "INVALID_REQUEST",
  "HALTED"
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Frames the router sends. */
export type ExpertRequest =
  | { readonly _tag: "ManifestRequest" }
  | {
      readonly _tag: "OpenSession"
      readonly sessionId: SessionId
      readonly prompt: ReadonlyArray<number>
      readonly topK: number
      readonly tokenizerHash: string
    }
  | {
      readonly _tag: "Step"
      readonly sessionId: SessionId
      readonly tokens: ReadonlyArray<number>
      /** Present when the router wants the probabilities of exactly these tokens (grammar masks, spot checks). */
      readonly allowedTokens: ReadonlyArray<number> | undefined
      /** Present when the session first keeps only its first `keep` tokens (a parked session reused for a new turn). */
      readonly keep?: number
    }
  | { readonly _tag: "CloseSession"; readonly sessionId: SessionId }

/** Frames the expert answers with. */
export type ExpertResponse =
  | { readonly _tag: "Manifest"; readonly manifest: ExpertManifest }
  /** The distribution for the stream's own session. */
  | { readonly _tag: "StepResult"; readonly distribution: SparseDistribution }
  | { readonly _tag: "Error"; readonly code: ErrorCode; readonly message: string }
