// One completion through the mesh, as the gateway needs it: tokens in, text deltas out, with OpenAI's per-token
// log-probabilities from the mixture, a time limit, and cancellation that reaches the experts' sessions.
import { logprobOf, type Mixture } from "../aggregator/mixture.ts"
import type { SamplingOptions } from "../aggregator/sampling.ts"
import type { Tokenizer } from "../experts/inference/tokenizer.ts"
import type { FinishReason } from "../router/generation.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import type { TokenLogprob } from "./openai/logprobs.ts"
import type { MeshFigures } from "./openai/responses.ts"

export interface CompletionJob {
  readonly tokenizerHash: string
  readonly promptTokens: ReadonlyArray<number>
  readonly maxTokens: number
  readonly sampling: SamplingOptions
  readonly stop: ReadonlyArray<string>
  /** Experts mixed per token. */
  readonly k: number
  /** Exactly these experts (peer ids), when the caller asked for them. */
  readonly experts?: ReadonlyArray<string>
  /** Log-probabilities wanted: the chosen token's, and this many alternatives (0..20); undefined for none. */
  readonly topLogprobs?: number
}

export type CompletionEvent =
  | { readonly _tag: "Delta"; readonly text: string; readonly logprobs: ReadonlyArray<TokenLogprob> }
  | {
      readonly _tag: "Done"
      readonly reason: FinishReason
      readonly text: string
      readonly completionTokens: number
      readonly experts: ReadonlyArray<string>
      readonly tokensPerSecond: number
      readonly degradedSteps: number
      readonly replacements: number
      readonly reusedTokens: number
    }

export type CompletionDone = Extract<CompletionEvent, { _tag: "Done" }>

/** The `mesh` extension of a finished completion. */
export const meshFigures = (k: number, done: CompletionDone): MeshFigures => ({
  k,
  experts: done.experts,
  tokensPerSecond: done.tokensPerSecond,
  degradedSteps: done.degradedSteps,
  replacements: done.replacements,
  reusedTokens: done.reusedTokens
})

const tokenLogprob = (
  tokenizer: Tokenizer,
  mixture: Mixture,
  token: number,
  previous: number | undefined,
  top: number
): TokenLogprob => ({
  text: tokenizer.tokenText(token, previous),
  logprob: logprobOf(mixture, token),
  top: mixture.tokens.slice(0, top).map((alternative, index) => ({
    text: tokenizer.tokenText(alternative, previous),
    logprob: Math.log(mixture.probs[index]!)
  }))
})

/**
 * Runs the job; deltas carry the text that became final with each token and the log-probabilities of the tokens
 * behind it (a delta may be empty while a stop sequence is pending, its logprobs then arrive with a later delta).
 * Aborting `signal` ends the generation and closes every expert session.
 */
export async function* runCompletion(
  router: RouterNode,
  tokenizer: Tokenizer,
  job: CompletionJob,
  signal: AbortSignal
): AsyncGenerator<CompletionEvent> {
  const pending: TokenLogprob[] = []
  let experts: ReadonlyArray<string> = []
  let firstTokenAt: number | undefined
  let previous = job.promptTokens.at(-1)
  for await (const event of router.generate({
    prompt: job.promptTokens,
    k: job.k,
    family: job.tokenizerHash,
    ...(job.experts === undefined || job.experts.length === 0 ? {} : { only: job.experts }),
    maxTokens: job.maxTokens,
    sampling: job.sampling,
    stop: job.stop,
    signal
  })) {
    if (signal.aborted) throw signal.reason
    switch (event._tag) {
      case "Started":
        experts = event.experts
        break
      case "Token":
        firstTokenAt ??= performance.now()
        if (job.topLogprobs !== undefined) {
          pending.push(tokenLogprob(tokenizer, event.mixture, event.token, previous, job.topLogprobs))
        }
        previous = event.token
        if (event.text.length > 0) yield { _tag: "Delta", text: event.text, logprobs: pending.splice(0) }
        break
      case "Finished": {
        if (event.rest.length > 0 || pending.length > 0)
          yield { _tag: "Delta", text: event.rest, logprobs: pending.splice(0) }
        const seconds = firstTokenAt === undefined ? 0 : (performance.now() - firstTokenAt) / 1000
        yield {
          _tag: "Done",
          reason: event.reason,
          text: event.text,
          completionTokens: event.tokens.length,
          experts,
          tokensPerSecond: seconds > 0 ? (event.tokens.length - 1) / seconds : 0,
          degradedSteps: event.degradedSteps,
          replacements: event.replacements,
          reusedTokens: event.reusedTokens
        }
      }
    }
  }
}
