import { Data } from "effect"

/** An expert answered with an Error frame, sent a frame the router cannot use, or went away. */
export class ExpertError extends Data.TaggedError("ExpertError")<{
  readonly address: string
  readonly code: string
  readonly message: string
}> {}

/** Experts that do not share one tokenizer cannot be mixed. */
export class TokenizerMismatchError extends Data.TaggedError("TokenizerMismatchError")<{
  readonly message: string
}> {}

/** No GGUF in the models folder carries the experts' tokenizer. */
export class TokenizerNotFoundError extends Data.TaggedError("TokenizerNotFoundError")<{
  readonly message: string
}> {}

/** A generation request that cannot run as asked (K larger than the swarm, empty prompt, prompt over the context). */
export class GenerationRequestError extends Data.TaggedError("GenerationRequestError")<{
  readonly message: string
}> {}

/** Governance halted the mesh (kill switch): the generation ended and no new one starts until a vote resumes it. */
export class MeshHaltedError extends Data.TaggedError("MeshHaltedError")<{
  readonly reason: string
  readonly message: string
}> {}
