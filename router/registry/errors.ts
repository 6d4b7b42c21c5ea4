import { Data } from "effect"

/** The family has fewer usable experts than the K asked for (after exclusions). */
export class NotEnoughExpertsError extends Data.TaggedError("NotEnoughExpertsError")<{
  readonly tokenizerHash: string
  readonly wanted: number
  readonly available: number
  readonly message: string
}> {}
