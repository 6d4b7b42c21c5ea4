// The OpenAI-compatible HTTP API in front of a router: /v1/models, /v1/chat/completions, /v1/completions, /health,
// /metrics. Every refusal is OpenAI's JSON error shape with its status; fair use is checked before any expert is
// asked; a client that goes away cancels its generation and the experts' sessions close.
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Stream } from "effect"
import type { ChatMessage as PromptMessage } from "../experts/inference/chat-format.ts"
import { ExpertError, MeshHaltedError } from "../router/errors.ts"
import { NotEnoughExpertsError } from "../router/registry/errors.ts"
import { expertsOf } from "../router/registry/state.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import { BodyTooLarge, readBody } from "./body.ts"
import { catalog, resolveModel } from "./catalog.ts"
import { type CompletionDone, type CompletionJob, meshFigures, runCompletion } from "./completion.ts"
import type { FairUseConfig } from "./fair-use/config.ts"
import { createFairUse } from "./fair-use/limiter.ts"
import { createGatewayMetrics } from "./gateway-metrics.ts"
import {
  chatContentChunk,
  chatFinishChunk,
  chatRoleChunk,
  chatUsageChunk,
  type StreamHead,
  textContentChunk,
  textFinishChunk,
  textUsageChunk
} from "./openai/chunks.ts"
import {
  ApiError,
  contextLengthExceeded,
  errorBody,
  errorHeaders,
  internalError,
  invalidJson,
  meshHalted,
  methodNotAllowed,
  modelNotFound,
  noExperts,
  rateLimited,
  requestTooLarge,
  timedOut,
  unknownUrl
} from "./openai/errors.ts"
import { codePointLength, type TokenLogprob } from "./openai/logprobs.ts"
import {
  type ChatRequest,
  type CompletionRequest,
  decodeChatRequest,
  decodeCompletionRequest,
  parseJsonBody
} from "./openai/requests.ts"
import { chatCompletion, responseHead, textCompletion } from "./openai/responses.ts"
import { SSE_DONE, SSE_HEADERS, sseError, sseEvent } from "./openai/sse.ts"

export interface GatewayConfig {
  readonly fairUse?: Partial<FairUseConfig>
  /** Largest request body accepted. Default 1 MiB. */
  readonly maxBodyBytes?: number
  /** A generation running longer is stopped: 504 before any output, an error event in a stream. Default 120 s. */
  readonly requestTimeoutMs?: number
  /** Experts mixed per token unless the request's `mesh.k` says otherwise. Default 2 (fewer if fewer exist). */
  readonly defaultK?: number
  /** Routes served before the OpenAI API's catch-all (the admin API). */
  readonly extraRoutes?: HttpRouter.HttpRouter<never, never>
}

export const GATEWAY_DEFAULTS = { maxBodyBytes: 1024 * 1024, requestTimeoutMs: 120_000, defaultK: 2 } as const

type Kind = "chat" | "completion"
type DecodedRequest = ChatRequest | CompletionRequest

const encoder = new TextEncoder()

const errorResponse = (error: ApiError) =>
  HttpServerResponse.unsafeJson(errorBody(error), { status: error.status, headers: errorHeaders(error) })

/** Failures the generation can raise, as OpenAI errors. */
const generationError = (cause: unknown, timeoutMs: number, timedOutNow: boolean): ApiError => {
  if (cause instanceof ApiError) return cause
  if (cause instanceof MeshHaltedError) return meshHalted(cause.reason)
  if (timedOutNow) return timedOut(timeoutMs / 1000)
  if (cause instanceof NotEnoughExpertsError) return noExperts(cause.message, 5)
  if (cause instanceof ExpertError) return noExperts(`an expert failed: ${cause.message}`, 1)
  return internalError(cause)
}

const promptMessages = (request: ChatRequest): PromptMessage[] =>
  request.messages.map((message) => ({
    // The plain default and most templates know three roles; OpenAI's "developer" is a system message.
    role: message.role === "developer" ? "system" : message.role,
    content: message.content
  }))

export const makeGateway = (router: RouterNode, config: GatewayConfig = {}) => {
  const maxBodyBytes = config.maxBodyBytes ?? GATEWAY_DEFAULTS.maxBodyBytes
  const timeoutMs = config.requestTimeoutMs ?? GATEWAY_DEFAULTS.requestTimeoutMs
  const defaultK = config.defaultK ?? GATEWAY_DEFAULTS.defaultK
  let fairUse = createFairUse(config.fairUse)
  const metrics = createGatewayMetrics()

  const observe = (endpoint: string, startedMs: number) => (response: HttpServerResponse.HttpServerResponse) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      metrics.requests.inc(1, { endpoint, status: String(response.status) })
      metrics.requestSeconds.observe((now - startedMs) / 1000, { endpoint })
      return response
    })

  /** Everything up to the first token: decode, resolve, tokenize, check the context, admit. */
  const prepare = (kind: Kind) =>
    Effect.gen(function* () {
      const governance = router.governance?.state()
      if (governance?.halted === true) return yield* Effect.fail(meshHalted(governance.haltReason))
      const request = yield* HttpServerRequest.HttpServerRequest
      const ip = Option.getOrElse(request.remoteAddress, () => "unknown")
      const text = yield* readBody(maxBodyBytes).pipe(
        Effect.mapError((error) =>
          error instanceof BodyTooLarge ? requestTooLarge(error.limit) : invalidJson(error.message)
        )
      )
      const json = yield* parseJsonBody(text)
      const decoded: DecodedRequest =
        kind === "chat" ? yield* decodeChatRequest(json) : yield* decodeCompletionRequest(json)
      const state = router.watcher.state()
      const family = resolveModel(state, decoded.model)
      if (family === undefined) return yield* Effect.fail(modelNotFound(decoded.model))
      const tokenizer = yield* Effect.tryPromise({
        try: () => router.tokenizer(family.tokenizerHash),
        catch: (cause) => internalError(cause)
      })
      const promptTokens =
        decoded._tag === "ChatRequest"
          ? tokenizer.encodeChat(promptMessages(decoded))
          : tokenizer.encodePrompt(decoded.prompt)
      const contextSize = Math.min(
        ...expertsOf(state, family.tokenizerHash).map((expert) => expert.manifest.contextSize)
      )
      if (promptTokens.length > contextSize) {
        // Refused before any expert is asked.
        return yield* Effect.fail(
          contextLengthExceeded({
            param: kind === "chat" ? "messages" : "prompt",
            contextSize,
            promptTokens: promptTokens.length
          })
        )
      }
      // By default as many as are usable now, up to the router's K: experts banned after a failure sit this one out.
      const k =
        decoded.mesh.k ??
        Math.max(1, Math.min(router.controls.k() ?? defaultK, router.usableExperts(family.tokenizerHash)))
      if (k > family.experts) {
        return yield* Effect.fail(noExperts(`${k} experts asked for, ${family.experts} serve ${family.id} now`, 5))
      }
      const admission = fairUse.admit(ip, decoded.maxTokens)
      if (!admission.ok) {
        metrics.rejections.inc(1, { reason: admission.reason })
        const detail =
          admission.reason === "concurrency"
            ? "The gateway is serving as many generations as it can; retry shortly."
            : `This client used its ${admission.reason === "requests" ? "requests" : "generated tokens"} budget.`
        return yield* Effect.fail(rateLimited(admission.retryAfterMs / 1000, detail))
      }
      const job: CompletionJob = {
        tokenizerHash: family.tokenizerHash,
        promptTokens,
        maxTokens: Math.min(decoded.maxTokens, admission.ticket.reservedTokens),
        sampling: decoded.sampling,
        stop: decoded.stop,
        k,
        ...(decoded.mesh.experts === undefined ? {} : { experts: decoded.mesh.experts }),
        ...(decoded.logprobs === undefined ? {} : { topLogprobs: decoded.logprobs.top })
      }
      return { decoded, family, tokenizer, job, ticket: admission.ticket }
    })

  const complete = (kind: Kind) =>
    Effect.gen(function* () {
      const startedMs = yield* Clock.currentTimeMillis
      const endpoint = kind === "chat" ? "/v1/chat/completions" : "/v1/completions"
      const prepared = yield* prepare(kind).pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (error.status === 413 || error.status === 400) metrics.rejections.inc(1, { reason: error.code })
          })
        )
      )
      const { decoded, tokenizer, job, ticket } = prepared
      metrics.promptTokens.inc(job.promptTokens.length)
      metrics.inFlight.inc()
      let completionTokens = 0
      const settle = () => {
        ticket.finish(completionTokens)
        metrics.inFlight.dec()
        metrics.completionTokens.inc(completionTokens)
      }
      const finished = (done: CompletionDone) => {
        completionTokens = done.completionTokens
        metrics.replacements.inc(done.replacements)
        metrics.degradedSteps.inc(done.degradedSteps)
        metrics.reusedPromptTokens.inc(done.reusedTokens)
      }
      const head = responseHead(kind, decoded.model, startedMs)
      const usage = () => ({ promptTokens: job.promptTokens.length, completionTokens })

      if (!decoded.stream) {
        const outcome = yield* Effect.tryPromise({
          try: async (interrupted) => {
            const timeout = AbortSignal.timeout(timeoutMs)
            const signal = AbortSignal.any([interrupted, timeout])
            try {
              const logprobs: TokenLogprob[] = []
              for await (const event of runCompletion(router, tokenizer, job, signal)) {
                if (event._tag === "Delta") {
                  if (logprobs.length === 0 && event.text.length > 0)
                    metrics.firstTokenSeconds.observe((Date.now() - startedMs) / 1000)
                  logprobs.push(...event.logprobs)
                  continue
                }
                finished(event)
                return { done: event, logprobs }
              }
              throw new Error("the generation ended without finishing")
            } catch (cause) {
              throw generationError(cause, timeoutMs, timeout.aborted)
            }
          },
          catch: (cause) => (cause instanceof ApiError ? cause : internalError(cause))
        }).pipe(Effect.ensuring(Effect.sync(settle)))
        const result = {
          text: outcome.done.text,
          reason: outcome.done.reason,
          usage: usage(),
          mesh: meshFigures(job.k, outcome.done),
          ...(job.topLogprobs === undefined ? {} : { logprobs: { tokens: outcome.logprobs, top: job.topLogprobs } })
        }
        const body = kind === "chat" ? chatCompletion(head, result) : textCompletion(head, result)
        return yield* observe(endpoint, startedMs)(HttpServerResponse.unsafeJson(body))
      }

      const streamHead: StreamHead = { ...head, includeUsage: decoded.includeUsage }
      const controller = new AbortController()
      const timeout = AbortSignal.timeout(timeoutMs)
      const signal = AbortSignal.any([controller.signal, timeout])
      async function* events(): AsyncGenerator<string> {
        let offset = 0
        let first = true
        if (kind === "chat") yield sseEvent(chatRoleChunk(streamHead))
        try {
          for await (const event of runCompletion(router, tokenizer, job, signal)) {
            if (event._tag === "Delta") {
              if (first && event.text.length > 0) {
                first = false
                metrics.firstTokenSeconds.observe((Date.now() - startedMs) / 1000)
              }
              const logprobs =
                job.topLogprobs === undefined ? undefined : { tokens: event.logprobs, top: job.topLogprobs }
              yield sseEvent(
                kind === "chat"
                  ? chatContentChunk(streamHead, event.text, logprobs)
                  : textContentChunk(streamHead, event.text, logprobs, offset)
              )
              offset += codePointLength(event.text)
              continue
            }
            finished(event)
            const mesh = meshFigures(job.k, event)
            yield sseEvent(
              kind === "chat"
                ? chatFinishChunk(streamHead, event.reason, mesh)
                : textFinishChunk(streamHead, event.reason, mesh)
            )
            if (decoded.includeUsage) {
              yield sseEvent(
                kind === "chat" ? chatUsageChunk(streamHead, usage()) : textUsageChunk(streamHead, usage())
              )
            }
            yield SSE_DONE
          }
        } catch (cause) {
          // Never a truncated answer presented as complete: the stream ends with an error event, without [DONE].
          yield sseError(generationError(cause, timeoutMs, timeout.aborted))
        }
      }
      const body = Stream.fromAsyncIterable(events(), (cause) => cause).pipe(
        Stream.map((chunk) => encoder.encode(chunk)),
        Stream.catchAll(() => Stream.empty),
        // The client went away (or the stream ended): stop the generation; the router closes the experts' sessions.
        Stream.ensuring(
          Effect.sync(() => {
            controller.abort(new Error("the client closed the stream"))
            settle()
          })
        )
      )
      return yield* observe(
        endpoint,
        startedMs
      )(HttpServerResponse.stream(body, { headers: SSE_HEADERS, contentType: SSE_HEADERS["content-type"] }))
    }).pipe(
      Effect.catchAll((error: ApiError) =>
        observe(kind === "chat" ? "/v1/chat/completions" : "/v1/completions", Date.now())(errorResponse(error))
      )
    )

  const models = Effect.sync(() => {
    const entries = catalog(router.watcher.state())
    return HttpServerResponse.unsafeJson({
      object: "list",
      data: entries.map((entry) => ({
        id: entry.id,
        object: "model",
        created: 0,
        owned_by: "mesh",
        mesh: { tokenizer_hash: entry.tokenizerHash, experts: entry.experts, models: entry.models }
      }))
    })
  })

  const health = Effect.sync(() => {
    const entries = catalog(router.watcher.state())
    const experts = entries.reduce((sum, entry) => sum + entry.experts, 0)
    return HttpServerResponse.unsafeJson(
      { status: experts > 0 ? "ok" : "no_experts", experts, models: entries.map((entry) => entry.id) },
      { status: experts > 0 ? 200 : 503 }
    )
  })

  const metricsText = Effect.sync(() => {
    const entries = catalog(router.watcher.state())
    metrics.experts.set(entries.reduce((sum, entry) => sum + entry.experts, 0))
    metrics.families.set(entries.length)
    return HttpServerResponse.text(metrics.registry.render(), {
      contentType: "text/plain; version=0.0.4; charset=utf-8"
    })
  })

  /** The methods each endpoint takes: a known path with another method is a 405, anything else a 404. */
  const endpoints: Readonly<Record<string, ReadonlyArray<string>>> = {
    "/health": ["GET"],
    "/metrics": ["GET"],
    "/v1/models": ["GET"],
    "/v1/chat/completions": ["POST"],
    "/v1/completions": ["POST"]
  }
  const notRouted = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const path = new URL(request.url, "http://gateway").pathname
    const allow = endpoints[path]
    return errorResponse(
      allow === undefined ? unknownUrl(request.method, path) : methodNotAllowed(request.method, path, allow)
    )
  })

  const app = HttpRouter.empty.pipe(
    HttpRouter.get("/health", health),
    HttpRouter.get("/metrics", metricsText),
    HttpRouter.get("/v1/models", models),
    HttpRouter.post("/v1/chat/completions", complete("chat")),
    HttpRouter.post("/v1/completions", complete("completion")),
    (routes) => (config.extraRoutes === undefined ? routes : HttpRouter.concat(routes, config.extraRoutes)),
    HttpRouter.all("*", notRouted)
  )
  return {
    app,
    get fairUse() {
      return fairUse
    },
    /** New fair-use limits, from now on (budgets start full again); a bad value is a RangeError. */
    setFairUse: (update: Partial<FairUseConfig>) => {
      fairUse = createFairUse({ ...fairUse.config, ...update })
    },
    metrics
  }
}
