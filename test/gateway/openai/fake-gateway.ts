// A `fetch` that answers as the gateway will, from the wire-format modules and a canned generation, so the official
// OpenAI client can parse real responses, errors and streams without a server or a mesh.
import { Either } from "effect"
import {
  chatContentChunk,
  chatFinishChunk,
  chatRoleChunk,
  chatUsageChunk,
  type StreamHead,
  textContentChunk,
  textFinishChunk,
  textUsageChunk
} from "../../../gateway/openai/chunks.ts"
import {
  type ApiError,
  errorBody,
  errorHeaders,
  methodNotAllowed,
  modelNotFound,
  unknownUrl
} from "../../../gateway/openai/errors.ts"
import { codePointLength, type TokenLogprob } from "../../../gateway/openai/logprobs.ts"
import {
  type ChatRequest,
  type CompletionRequest,
  decodeChatRequest,
  decodeCompletionRequest,
  parseJsonBody
} from "../../../gateway/openai/requests.ts"
import {
  chatCompletion,
  type GenerationResult,
  responseHead,
  textCompletion
} from "../../../gateway/openai/responses.ts"
import { SSE_DONE, SSE_HEADERS, sseError, sseEvent } from "../../../gateway/openai/sse.ts"
import type { FinishReason } from "../../../router/generation.ts"

export const MODEL = "mesh-test"

export interface Canned {
  /** One stream delta per token. */
  readonly tokens: ReadonlyArray<TokenLogprob>
  readonly reason: FinishReason
  readonly promptTokens: number
  /** Fail the stream after this many content chunks (the status is already 200). */
  readonly failAfter?: { readonly chunks: number; readonly error: ApiError }
}

export const cannedTokens = (texts: ReadonlyArray<string>): ReadonlyArray<TokenLogprob> =>
  texts.map((text, index) => ({
    text,
    logprob: -0.1 * (index + 1),
    top: [
      { text, logprob: -0.1 * (index + 1) },
      { text: `${text}?`, logprob: -3 },
      { text: "!", logprob: -4 }
    ]
  }))

export const MESH = {
  k: 2,
  experts: ["12D3KooWAlpha", "12D3KooWBeta"],
  tokensPerSecond: 12.345,
  degradedSteps: 1,
  replacements: 1,
  reusedTokens: 0
} as const

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const failure = (error: ApiError): Response => json(error.status, errorBody(error), errorHeaders(error))

const resultOf = (canned: Canned, request: ChatRequest | CompletionRequest): GenerationResult => ({
  text: canned.tokens.map((token) => token.text).join(""),
  reason: canned.reason,
  usage: { promptTokens: canned.promptTokens, completionTokens: canned.tokens.length },
  mesh: MESH,
  ...(request.logprobs === undefined ? {} : { logprobs: { tokens: canned.tokens, top: request.logprobs.top } })
})

const stream = (canned: Canned, request: ChatRequest | CompletionRequest, head: StreamHead): Response => {
  const events: string[] = []
  const chat = request._tag === "ChatRequest"
  if (chat) events.push(sseEvent(chatRoleChunk(head)))
  let offset = 0
  for (const [index, token] of canned.tokens.entries()) {
    if (canned.failAfter !== undefined && index === canned.failAfter.chunks) {
      events.push(sseError(canned.failAfter.error))
      return new Response(events.join(""), { status: 200, headers: SSE_HEADERS })
    }
    const logprobs = request.logprobs === undefined ? undefined : { tokens: [token], top: request.logprobs.top }
    events.push(
      sseEvent(
        chat ? chatContentChunk(head, token.text, logprobs) : textContentChunk(head, token.text, logprobs, offset)
      )
    )
    offset += codePointLength(token.text)
  }
  events.push(sseEvent(chat ? chatFinishChunk(head, canned.reason, MESH) : textFinishChunk(head, canned.reason, MESH)))
  if (request.includeUsage) {
    const usage = { promptTokens: canned.promptTokens, completionTokens: canned.tokens.length }
    events.push(sseEvent(chat ? chatUsageChunk(head, usage) : textUsageChunk(head, usage)))
  }
  events.push(SSE_DONE)
  return new Response(events.join(""), { status: 200, headers: SSE_HEADERS })
}

type Decode = (body: unknown) => Either.Either<ChatRequest | CompletionRequest, ApiError>
const routes: Readonly<Record<string, Decode>> = {
  "/v1/chat/completions": decodeChatRequest,
  "/v1/completions": decodeCompletionRequest
}

/** Requests it saw, decoded, for tests that check what the client sent. */
export const fakeGateway =
  (canned: Canned, seen: Array<ChatRequest | CompletionRequest> = []): typeof fetch =>
  async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = init?.method ?? "GET"
    const decode = routes[url.pathname]
    if (decode === undefined) return failure(unknownUrl(method, url.pathname))
    if (method !== "POST") return failure(methodNotAllowed(method, url.pathname, ["POST"]))
    const decoded = Either.flatMap(parseJsonBody(String(init?.body ?? "")), decode)
    if (Either.isLeft(decoded)) return failure(decoded.left)
    const request = decoded.right
    seen.push(request)
    if (request.model !== MODEL) return failure(modelNotFound(request.model))
    const kind = request._tag === "ChatRequest" ? "chat" : "completion"
    const head = responseHead(kind, request.model, Date.now())
    if (request.stream) return stream(canned, request, { ...head, includeUsage: request.includeUsage })
    const result = resultOf(canned, request)
    return json(200, request._tag === "ChatRequest" ? chatCompletion(head, result) : textCompletion(head, result))
  }
