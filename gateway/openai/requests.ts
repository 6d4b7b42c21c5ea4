// Decodes the bodies of POST /v1/chat/completions and POST /v1/completions into frozen domain requests.
// Failures are values, not throws: each decoder returns an Either (Right = request, Left = a 400 ApiError), which an
// Effect.gen can `yield*` directly (a Left fails the effect with the ApiError).
import { Either, Schema } from "effect"
import type { SamplingOptions } from "../../aggregator/sampling.ts"
import { CONTENT_PART_SEPARATOR, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P } from "./constants.ts"
import { type ApiError, invalidJson, invalidParameter, unsupportedParameter } from "./errors.ts"
import { issueToApiError } from "./parse-issue.ts"
import { CHAT_REFUSALS, COMPLETION_REFUSALS, findRefusal, refusePromptForm } from "./refusals.ts"
import { ChatBody, CompletionBody, type Role } from "./request-schema.ts"

export interface ChatMessage {
  readonly role: Role
  /** Text parts are joined with CONTENT_PART_SEPARATOR. */
  readonly content: string
}

/** The `mesh` extension: how many experts to mix, and which peers must be among them. Absent = the gateway's pick. */
export interface MeshOptions {
  readonly k?: number
  readonly experts?: ReadonlyArray<string>
}

/** Token logprobs asked for, with `top` alternatives per token (chat `top_logprobs`, completions `logprobs`). */
export interface LogprobsOptions {
  readonly top: number
}

interface RequestCommon {
  readonly model: string
  readonly maxTokens: number
  /** temperature and topP always filled (defaults 1 and 1); seed only when given. */
  readonly sampling: SamplingOptions
  readonly stop: ReadonlyArray<string>
  readonly stream: boolean
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  readonly includeUsage: boolean
  /** Absent = no logprobs. */
  readonly logprobs?: LogprobsOptions
  readonly mesh: MeshOptions
}

export interface ChatRequest extends RequestCommon {
  readonly _tag: "ChatRequest"
  readonly messages: ReadonlyArray<ChatMessage>
}

export interface CompletionRequest extends RequestCommon {
  readonly _tag: "CompletionRequest"
  readonly prompt: string
}

type Decoded<A> = Either.Either<A, ApiError>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Parses the raw body text; a Left is a 400 invalid_json. */
export const parseJsonBody = (text: string): Decoded<unknown> =>
  Either.try({
    try: () => JSON.parse(text) as unknown,
    catch: (error) => invalidJson(error instanceof Error ? error.message : String(error))
  })

const requireObject = (body: unknown): Decoded<Record<string, unknown>> =>
  isRecord(body)
    ? Either.right(body)
    : Either.left(
        invalidParameter(null, "The request body must be a JSON object with OpenAI's request fields.", "invalid_type")
      )

type CommonBody = Omit<ChatBody, "model" | "messages" | "max_completion_tokens" | "logprobs" | "top_logprobs">

/** Rules across fields, and the parts both endpoints build the same way. */
const common = (body: CommonBody): Decoded<Omit<RequestCommon, "model" | "maxTokens" | "logprobs">> => {
  if (body.n !== undefined && body.n > 1) {
    return Either.left(
      unsupportedParameter(
        "n",
        `n is ${body.n}, but the mesh returns one choice per request; send n = 1 or leave it out.`
      )
    )
  }
  if (body.stream_options !== undefined && body.stream !== true) {
    return Either.left(
      invalidParameter("stream_options", "stream_options is only allowed when stream is true.", "invalid_value")
    )
  }
  const { k, experts } = body.mesh ?? {}
  if (experts !== undefined && new Set(experts).size !== experts.length) {
    return Either.left(invalidParameter("mesh.experts", "mesh.experts lists a peer id more than once."))
  }
  if (k !== undefined && experts !== undefined && experts.length > k) {
    return Either.left(
      invalidParameter(
        "mesh.experts",
        `mesh.experts names ${experts.length} peers but mesh.k is ${k}; k must cover them.`
      )
    )
  }
  const sampling: SamplingOptions = Object.freeze({
    temperature: body.temperature ?? DEFAULT_TEMPERATURE,
    topP: body.top_p ?? DEFAULT_TOP_P,
    ...(body.seed === undefined ? {} : { seed: body.seed })
  })
  const stop = typeof body.stop === "string" ? [body.stop] : (body.stop ?? [])
  const mesh: MeshOptions = Object.freeze({
    ...(k === undefined ? {} : { k }),
    ...(experts === undefined ? {} : { experts: Object.freeze([...experts]) })
  })
  return Either.right({
    sampling,
    stop: Object.freeze([...stop]),
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    mesh
  })
}

const decodeChatBody = Schema.decodeUnknownEither(ChatBody)
const decodeCompletionBody = Schema.decodeUnknownEither(CompletionBody)

const toChatRequest = (body: ChatBody): Decoded<ChatRequest> => {
  const { max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens } = body
  if (maxTokens !== undefined && maxCompletionTokens !== undefined && maxTokens !== maxCompletionTokens) {
    return Either.left(
      invalidParameter(
        "max_completion_tokens",
        `max_tokens (${maxTokens}) and max_completion_tokens (${maxCompletionTokens}) disagree; send one of them.`
      )
    )
  }
  if (body.top_logprobs !== undefined && body.logprobs !== true) {
    return Either.left(invalidParameter("top_logprobs", "top_logprobs requires logprobs to be true."))
  }
  return Either.map(common(body), (shared) => {
    const messages = body.messages.map((message) =>
      Object.freeze({
        role: message.role,
        content:
          typeof message.content === "string"
            ? message.content
            : message.content.map((part) => part.text).join(CONTENT_PART_SEPARATOR)
      })
    )
    return Object.freeze({
      _tag: "ChatRequest" as const,
      model: body.model,
      messages: Object.freeze(messages),
      maxTokens: maxCompletionTokens ?? maxTokens ?? DEFAULT_MAX_TOKENS,
      ...shared,
      ...(body.logprobs === true ? { logprobs: Object.freeze({ top: body.top_logprobs ?? 0 }) } : {})
    })
  })
}

const toCompletionRequest = (body: CompletionBody): Decoded<CompletionRequest> =>
  Either.map(common(body), (shared) =>
    Object.freeze({
      _tag: "CompletionRequest" as const,
      model: body.model,
      prompt: typeof body.prompt === "string" ? body.prompt : body.prompt[0],
      maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
      ...shared,
      ...(body.logprobs === undefined ? {} : { logprobs: Object.freeze({ top: body.logprobs }) })
    })
  )

/** A parsed JSON body of POST /v1/chat/completions; Left = 400 naming the field. */
export const decodeChatRequest = (body: unknown): Decoded<ChatRequest> =>
  Either.flatMap(requireObject(body), (record) => {
    const refused = findRefusal(record, CHAT_REFUSALS)
    if (refused !== undefined) return Either.left(refused)
    return decodeChatBody(record).pipe(
      Either.mapLeft((error) => issueToApiError(error.issue)),
      Either.flatMap(toChatRequest)
    )
  })

/** A parsed JSON body of POST /v1/completions; Left = 400 naming the field. */
export const decodeCompletionRequest = (body: unknown): Decoded<CompletionRequest> =>
  Either.flatMap(requireObject(body), (record) => {
    const refused = findRefusal(record, COMPLETION_REFUSALS) ?? refusePromptForm(record.prompt)
    if (refused !== undefined) return Either.left(refused)
    return decodeCompletionBody(record).pipe(
      Either.mapLeft((error) => issueToApiError(error.issue)),
      Either.flatMap(toCompletionRequest)
    )
  })
