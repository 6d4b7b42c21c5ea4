import { Data } from "effect"

/** A model file that cannot serve: missing, not GGUF, or unreadable. The message names the file. */
export class ModelFileError extends Data.TaggedError("ModelFileError")<{
  readonly path: string
  readonly reason: "NotFound" | "NotGguf" | "Unreadable"
  readonly message: string
}> {}

/** node-llama-cpp refused to load a model or create its context. */
export class ModelLoadError extends Data.TaggedError("ModelLoadError")<{
  readonly path: string
  readonly message: string
  readonly cause?: unknown
}> {}

/** A request an open session cannot serve; `code` is the wire error code the expert answers with. */
export class SessionError extends Data.TaggedError("SessionError")<{
  readonly code: "SESSION_LIMIT" | "CONTEXT_FULL" | "INVALID_TOKEN" | "INVALID_REQUEST" | "INTERNAL"
  readonly message: string
}> {}
