// Streams a generation's text to stdout and sums up its figures.
import type { GenerationEvent } from "../../router/generation.ts"

export interface GenerationSummary {
  readonly text: string
  readonly tokens: number
  readonly reason: string
  readonly experts: ReadonlyArray<string>
  /** Opening the sessions and evaluating the prompt. */
  readonly openMs: number
  /** From the first token to the last, per token. */
  readonly tokensPerSecond: number
  readonly meanStepMs: number
  /** Frame bytes (protobuf + length prefix) per expert per generated token, request and answer. */
  readonly bytesPerExpertPerToken: { readonly sent: number; readonly received: number }
}

export const streamGeneration = async (
  events: AsyncGenerator<GenerationEvent>,
  write: (text: string) => void
): Promise<GenerationSummary> => {
  let experts: ReadonlyArray<string> = []
  let openMs = 0
  let stepTotal = 0
  let steps = 0
  let firstTokenAt: number | undefined
  let lastTokenAt = 0
  for await (const event of events) {
    switch (event._tag) {
      case "Started":
        experts = event.experts
        openMs = event.openMs
        break
      case "Token":
        lastTokenAt = performance.now()
        firstTokenAt ??= lastTokenAt
        if (firstTokenAt !== lastTokenAt) {
          stepTotal += event.figures.stepMs
          steps++
        }
        if (event.text.length > 0) write(event.text)
        break
      case "Finished": {
        if (event.rest.length > 0) write(event.rest)
        const tokens = event.tokens.length
        const perToken = (total: number) => (tokens === 0 ? 0 : total / event.experts.length / tokens)
        const seconds = firstTokenAt === undefined ? 0 : (lastTokenAt - firstTokenAt) / 1000
        return {
          text: event.text,
          tokens,
          reason: event.reason,
          experts,
          openMs,
          tokensPerSecond: seconds > 0 ? (tokens - 1) / seconds : 0,
          meanStepMs: steps === 0 ? 0 : stepTotal / steps,
          bytesPerExpertPerToken: {
            sent: perToken(event.experts.reduce((sum, expert) => sum + expert.sent, 0)),
            received: perToken(event.experts.reduce((sum, expert) => sum + expert.received, 0))
          }
        }
      }
    }
  }
  throw new Error("the generation ended without finishing")
}

export const formatSummary = (summary: GenerationSummary): string =>
  [
    `tokens: ${summary.tokens} (${summary.reason}), experts: ${summary.experts.length}`,
    `prefill: ${summary.openMs.toFixed(1)} ms, then ${summary.tokensPerSecond.toFixed(1)} tokens/s, mean step ${summary.meanStepMs.toFixed(2)} ms`,
    `bytes per expert per token: ${summary.bytesPerExpertPerToken.sent.toFixed(1)} sent + ${summary.bytesPerExpertPerToken.received.toFixed(1)} received (protobuf frames, before libp2p's own framing)`
  ].join("\n")
