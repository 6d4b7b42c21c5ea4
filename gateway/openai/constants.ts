// Defaults and caps of the OpenAI endpoints; README.md documents each one.

/** Completion budget when neither `max_tokens` nor `max_completion_tokens` is given. */
export const DEFAULT_MAX_TOKENS = 256
/** OpenAI's defaults for the sampling parameters. */
export const DEFAULT_TEMPERATURE = 1
export const DEFAULT_TOP_P = 1
/** Chat `top_logprobs` range, as OpenAI's. */
export const MAX_CHAT_TOP_LOGPROBS = 20
/** Completions `logprobs` range, as OpenAI's. */
export const MAX_COMPLETION_LOGPROBS = 5
/** The most experts one request may ask to mix (`mesh.k`, `mesh.experts`). */
export const MAX_MESH_K = 8
/** Text content parts of one message are joined with this (as vLLM does) before the chat template sees them. */
export const CONTENT_PART_SEPARATOR = "\n"
