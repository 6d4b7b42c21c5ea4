// OpenAI-shaped API errors: one tagged class, one constructor per case, and the exact JSON body OpenAI clients parse.
import { Data } from "effect"

export type ApiErrorType = "invalid_request_error" | "rate_limit_error" | "server_error" | "service_unavailable"

export type ApiErrorCode =
  // 400: the body
  | "invalid_json"
  | "invalid_type"
  | "invalid_value"
  | "missing_required_parameter"
  | "unsupported_parameter"
  | "unsupported_value"
  | "context_length_exceeded"
  // 404, 405, 413, 429
  | "model_not_found"
  | "unknown_url"
  | "method_not_allowed"
  | "request_too_large"
  | "rate_limit_exceeded"
  // 5xx
  | "internal_error"
  | "no_experts"
  | "mesh_halted"
  | "timeout"

/** Callers match on `code`, never on `message`; `status` is the HTTP status to answer with. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly type: ApiErrorType
  readonly code: ApiErrorCode
  /** The offending request field, as a path (`messages[0].content`); null when no one field is at fault. */
  readonly param: string | null
  readonly message: string
  /** For the Retry-After header (429, and 503 when a retry is likely to help). */
  readonly retryAfterSeconds?: number
  /** For the Allow header of a 405. */
  readonly allow?: ReadonlyArray<string>
  /** What went wrong inside, for the log; never sent to the client. */
  readonly cause?: unknown
}> {}

export interface ErrorBody {
  readonly error: {
    readonly message: string
    readonly type: ApiErrorType
    readonly param: string | null
    readonly code: ApiErrorCode
  }
}

/** Exactly OpenAI's shape: `{ "error": { "message", "type", "param", "code" } }`. */
export const errorBody = (error: ApiError): ErrorBody => ({
  error: { message: error.message, type: error.type, param: error.param, code: error.code }
})

/** Headers the status asks for: Retry-After on 429/503, Allow on 405. */
export const errorHeaders = (error: ApiError): Record<string, string> => {
  const headers: Record<string, string> = {}
  if (error.retryAfterSeconds !== undefined)
    headers["retry-after"] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)))
  if (error.allow !== undefined) headers.allow = error.allow.join(", ")
  return headers
}

const invalid = (code: ApiErrorCode, param: string | null, message: string): ApiError =>
  new ApiError({ status: 400, type: "invalid_request_error", code, param, message })

/** 400: the body is not JSON. */
export const invalidJson = (detail: string): ApiError =>
  invalid("invalid_json", null, `The request body is not valid JSON (${detail}).`)

/** 400: a field has the wrong type, an out-of-range value, or is missing. */
export const invalidParameter = (
  param: string | null,
  message: string,
  code: "invalid_type" | "invalid_value" | "missing_required_parameter" = "invalid_value"
): ApiError => invalid(code, param, message)

/** 400: a parameter that would change what is generated, and that the mesh cannot honour (tools, n > 1, ...). */
export const unsupportedParameter = (param: string, message: string): ApiError =>
  invalid("unsupported_parameter", param, message)

/** 400: a supported parameter in a form the mesh does not take (token-id prompts, image content parts). */
export const unsupportedValue = (param: string, message: string): ApiError =>
  invalid("unsupported_value", param, message)

export interface ContextOverflow {
  /** `messages` or `prompt`. */
  readonly param: string
  readonly contextSize: number
  readonly promptTokens: number
  /** The completion budget asked for, when it is what overflows. */
  readonly maxTokens?: number
}

/** 400: the prompt (plus the completion budget, when given) does not fit in the experts' context. */
export const contextLengthExceeded = ({ param, contextSize, promptTokens, maxTokens }: ContextOverflow): ApiError => {
  const asked =
    maxTokens === undefined
      ? `your ${param} resulted in ${promptTokens} tokens`
      : `you requested ${promptTokens + maxTokens} tokens ` +
        `(${promptTokens} in the ${param}, ${maxTokens} in the completion)`
  const reduce = maxTokens === undefined ? `the ${param}` : `the ${param} or the completion`
  return invalid(
    "context_length_exceeded",
    param,
    `This model's maximum context length is ${contextSize} tokens. However, ${asked}. ` +
      `Please reduce the length of ${reduce}.`
  )
}

/** 404: no expert in the mesh serves this model. */
export const modelNotFound = (model: string): ApiError =>
  new ApiError({
    status: 404,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
    message: `The model '${model}' does not exist on this mesh. GET /v1/models lists the models served now.`
  })

/** 404: no such endpoint. */
export const unknownUrl = (method: string, path: string): ApiError =>
  new ApiError({
    status: 404,
    type: "invalid_request_error",
    code: "unknown_url",
    param: null,
    message: `Invalid URL (${method} ${path}).`
  })

/** 405: the endpoint exists but not for this method; `allow` becomes the Allow header. */
export const methodNotAllowed = (method: string, path: string, allow: ReadonlyArray<string>): ApiError =>
  new ApiError({
    status: 405,
    type: "invalid_request_error",
    code: "method_not_allowed",
    param: null,
    message: `${method} is not allowed on ${path}; use ${allow.join(" or ")}.`,
    allow
  })

/** 413: the body is over the gateway's limit (checked before parsing). */
export const requestTooLarge = (limitBytes: number): ApiError =>
  new ApiError({
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
    param: null,
    message: `The request body is larger than this gateway accepts (${limitBytes} bytes).`
  })

/** 429: the caller is over its rate; `retryAfterSeconds` becomes the Retry-After header. */
export const rateLimited = (retryAfterSeconds: number, detail = "Too many requests from this client."): ApiError =>
  new ApiError({
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    param: null,
    message: `Rate limit reached. ${detail} Please try again in ${Math.max(0, Math.ceil(retryAfterSeconds))}s.`,
    retryAfterSeconds
  })

/** 503: not enough live experts for this model (or for the `mesh.experts` asked for). */
export const noExperts = (detail: string, retryAfterSeconds?: number): ApiError =>
  new ApiError({
    status: 503,
    type: "service_unavailable",
    code: "no_experts",
    param: null,
    message: `No experts are available to serve this request: ${detail}`,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds })
  })

/** 503, reserved: governance has halted the mesh. */
export const meshHalted = (detail = "The mesh is halted by governance."): ApiError =>
  new ApiError({ status: 503, type: "service_unavailable", code: "mesh_halted", param: null, message: detail })

/** 504: the generation did not finish in time. */
export const timedOut = (seconds: number): ApiError =>
  new ApiError({
    status: 504,
    type: "server_error",
    code: "timeout",
    param: null,
    message: `The request timed out after ${seconds}s. Try a smaller max_tokens, or retry.`
  })

/** 500: a bug or an unexpected failure; the cause stays in the log, the client gets a generic message. */
export const internalError = (cause?: unknown): ApiError =>
  new ApiError({
    status: 500,
    type: "server_error",
    code: "internal_error",
    param: null,
    message: "The server had an error while processing your request. Sorry about that!",
    cause
  })
