// Non-streaming response objects (`chat.completion`, `text_completion`) and the parts streams share with them.
import { randomBytes } from "node:crypto"
import type { FinishReason } from "../../router/generation.ts"
import {
  type ChatLogprobsWire,
  type CompletionLogprobsWire,
  chatLogprobs,
  completionLogprobs,
  type TokenLogprob
} from "./logprobs.ts"

/** What every object of one response shares; the stream's chunks all carry the same id and created. */
export interface ResponseHead {
  readonly id: string
  /** Unix seconds. */
  readonly created: number
  readonly model: string
}

/** `chatcmpl-` or `cmpl-` and 24 random hex digits. */
export const responseId = (kind: "chat" | "completion"): string =>
  `${kind === "chat" ? "chatcmpl" : "cmpl"}-${randomBytes(12).toString("hex")}`

/** `nowMs` from the caller's clock (Effect's Clock in the server), so tests can fix it. */
export const responseHead = (kind: "chat" | "completion", model: string, nowMs: number): ResponseHead => ({
  id: responseId(kind),
  created: Math.floor(nowMs / 1000),
  model
})

export type WireFinishReason = "stop" | "length"

/** End of sequence and a stop string both read as "stop" to OpenAI clients. */
export const finishReason = (reason: FinishReason): WireFinishReason => (reason === "length" ? "length" : "stop")

export interface Usage {
  readonly promptTokens: number
  readonly completionTokens: number
}

export interface UsageWire {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export const usageWire = ({ promptTokens, completionTokens }: Usage): UsageWire => ({
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  total_tokens: promptTokens + completionTokens
})

/** Who answered: the `mesh` extension field, which OpenAI clients ignore. */
export interface MeshFigures {
  readonly k: number
  /** Peer ids of the experts mixed. */
  readonly experts: ReadonlyArray<string>
  /** Completion tokens over the generation's wall time (prefill included). */
  readonly tokensPerSecond: number
  /** Steps mixed with fewer experts than chosen, while a failed expert's replacement caught up. */
  readonly degradedSteps: number
  /** Experts opened to replace ones that failed mid-answer. */
  readonly replacements: number
  /** Prompt tokens found in a parked session's cache (a chat's earlier turns), not evaluated again. */
  readonly reusedTokens: number
}

export interface MeshWire {
  k: number
  experts: Array<string>
  tokens_per_second: number
  degraded_steps: number
  replacements: number
  reused_tokens: number
}

export const meshWire = (figures: MeshFigures): MeshWire => ({
  k: figures.k,
  experts: [...figures.experts],
  tokens_per_second: Number.isFinite(figures.tokensPerSecond) ? Math.round(figures.tokensPerSecond * 100) / 100 : 0,
  degraded_steps: figures.degradedSteps,
  replacements: figures.replacements,
  reused_tokens: figures.reusedTokens
})

/** Logprobs to report: the generated tokens' records, and how many alternatives each shows. */
export interface LogprobsResult {
  readonly tokens: ReadonlyArray<TokenLogprob>
  readonly top: number
}

export interface GenerationResult {
  /** The whole completion text (the Finished event's `text`). */
  readonly text: string
  readonly reason: FinishReason
  readonly usage: Usage
  readonly mesh: MeshFigures
  /** Present only when the request asked for logprobs. */
  readonly logprobs?: LogprobsResult
}

export interface ChatCompletionWire {
  id: string
  object: "chat.completion"
  created: number
  model: string
  choices: Array<{
    index: 0
    message: { role: "assistant"; content: string; refusal: null }
    logprobs: ChatLogprobsWire | null
    finish_reason: WireFinishReason
  }>
  usage: UsageWire
  mesh: MeshWire
}

export const chatCompletion = (head: ResponseHead, result: GenerationResult): ChatCompletionWire => ({
  id: head.id,
  object: "chat.completion",
  created: head.created,
  model: head.model,
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: result.text, refusal: null },
      logprobs: result.logprobs === undefined ? null : chatLogprobs(result.logprobs.tokens, result.logprobs.top),
      finish_reason: finishReason(result.reason)
    }
  ],
  usage: usageWire(result.usage),
  mesh: meshWire(result.mesh)
})

export interface TextCompletionWire {
  id: string
  object: "text_completion"
  created: number
  model: string
  choices: Array<{
    index: 0
    text: string
    logprobs: CompletionLogprobsWire | null
    finish_reason: WireFinishReason
  }>
  usage: UsageWire
  mesh: MeshWire
}

export const textCompletion = (head: ResponseHead, result: GenerationResult): TextCompletionWire => ({
  id: head.id,
  object: "text_completion",
  created: head.created,
  model: head.model,
  choices: [
    {
      index: 0,
      text: result.text,
      logprobs: result.logprobs === undefined ? null : completionLogprobs(result.logprobs.tokens, result.logprobs.top),
      finish_reason: finishReason(result.reason)
    }
  ],
  usage: usageWire(result.usage),
  mesh: meshWire(result.mesh)
})
