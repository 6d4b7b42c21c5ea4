import { Data } from "effect"

/** A chain call failed: the node is unreachable, a transaction reverted, or an answer made no sense. */
export class ChainError extends Data.TaggedError("ChainError")<{
  readonly message: string
  /** The contract's custom error or revert reason, when the chain gave one (e.g. "NotGuardian"). */
  readonly reason?: string
  readonly cause?: unknown
}> {}
