// Streaming chunks. Chat: a role chunk, content chunks, a finish chunk (with the `mesh` field), then a usage chunk with
// no choices when `stream_options.include_usage` is set; completions: text chunks, a finish chunk, the usage chunk.
// While usage is asked for, every other chunk carries `usage: null`, as OpenAI's do.
import type { FinishReason } from "../../router/generation.ts"
import {
  type ChatLogprobsWire,
  type CompletionLogprobsWire,
  chatLogprobs,
  completionLogprobs,
  type TokenLogprob
} from "./logprobs.ts"
import {
  finishReason,
  type MeshFigures,
  type MeshWire,
  meshWire,
  type ResponseHead,
  type Usage,
  type UsageWire,
  usageWire,
  type WireFinishReason
} from "./responses.ts"

export interface StreamHead extends ResponseHead {
  readonly includeUsage: boolean
}

/** Token records of one chunk, and the alternatives to show per token. */
export interface ChunkLogprobs {
  readonly tokens: ReadonlyArray<TokenLogprob>
  readonly top: number
}

export interface ChatChunkWire {
  id: string
  object: "chat.completion.chunk"
  created: number
  model: string
  choices: Array<{
    index: 0
    delta: { role?: "assistant"; content?: string }
    logprobs: ChatLogprobsWire | null
    finish_reason: WireFinishReason | null
  }>
  usage?: UsageWire | null
  mesh?: MeshWire
}

const chatChunk = (head: StreamHead, choices: ChatChunkWire["choices"]): ChatChunkWire => ({
  id: head.id,
  object: "chat.completion.chunk",
  created: head.created,
  model: head.model,
  choices,
  ...(head.includeUsage ? { usage: null } : {})
})

/** First chunk: the assistant role and empty content. */
export const chatRoleChunk = (head: StreamHead): ChatChunkWire =>
  chatChunk(head, [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }])

/** Text that became final, with its tokens' logprobs when asked for. */
export const chatContentChunk = (head: StreamHead, text: string, logprobs?: ChunkLogprobs): ChatChunkWire =>
  chatChunk(head, [
    {
      index: 0,
      delta: { content: text },
      logprobs: logprobs === undefined ? null : chatLogprobs(logprobs.tokens, logprobs.top),
      finish_reason: null
    }
  ])

/** Last chunk with a choice: empty delta, the finish reason, and who answered. */
export const chatFinishChunk = (head: StreamHead, reason: FinishReason, mesh: MeshFigures): ChatChunkWire => ({
  ...chatChunk(head, [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(reason) }]),
  mesh: meshWire(mesh)
})

/** Sent after the finish chunk only when `includeUsage`: no choices, the usage. */
export const chatUsageChunk = (head: StreamHead, usage: Usage): ChatChunkWire => ({
  ...chatChunk(head, []),
  usage: usageWire(usage)
})

export interface TextChunkWire {
  id: string
  object: "text_completion"
  created: number
  model: string
  choices: Array<{
    index: 0
    text: string
    logprobs: CompletionLogprobsWire | null
    finish_reason: WireFinishReason | null
  }>
  usage?: UsageWire | null
  mesh?: MeshWire
}

const textChunk = (head: StreamHead, choices: TextChunkWire["choices"]): TextChunkWire => ({
  id: head.id,
  object: "text_completion",
  created: head.created,
  model: head.model,
  choices,
  ...(head.includeUsage ? { usage: null } : {})
})

/** `offset`: code points of completion text already sent, for `text_offset` (logprobs.ts codePointLength). */
export const textContentChunk = (head: StreamHead, text: string, logprobs?: ChunkLogprobs, offset = 0): TextChunkWire =>
  textChunk(head, [
    {
      index: 0,
      text,
      logprobs: logprobs === undefined ? null : completionLogprobs(logprobs.tokens, logprobs.top, offset),
      finish_reason: null
    }
  ])

export const textFinishChunk = (head: StreamHead, reason: FinishReason, mesh: MeshFigures): TextChunkWire => ({
  ...textChunk(head, [{ index: 0, text: "", logprobs: null, finish_reason: finishReason(reason) }]),
  mesh: meshWire(mesh)
})

export const textUsageChunk = (head: StreamHead, usage: Usage): TextChunkWire => ({
  ...textChunk(head, []),
  usage: usageWire(usage)
})
