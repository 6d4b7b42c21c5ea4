// One generation: open K expert sessions on the prompt, then per token mix their answers, sample, stream, step.
import type { SparseDistribution } from "../aggregator/distribution.ts"
import { type Mixture, mix } from "../aggregator/mixture.ts"
import { createRandom } from "../aggregator/random.ts"
import { createSampler, type SamplingOptions } from "../aggregator/sampling.ts"
import { createStopMatcher } from "../aggregator/stop.ts"
import { GenerationRequestError } from "./errors.ts"
import { type Dial, type ExpertSession, openExpertSession } from "./expert-client.ts"
import type { ExpertHandle } from "./swarm.ts"

/** Text <-> tokens for the experts' family (the router holds only the tokenizer, never the weights). */
export interface TextCodec {
  detokenize(tokens: ReadonlyArray<number>): string
  readonly eosToken: number
}

export interface GenerationRequest {
  /** Prompt token ids, BOS included where the family asks for it. */
  readonly prompt: ReadonlyArray<number>
  /** Experts to mix per token. */
  readonly k: number
  readonly maxTokens: number
  readonly sampling?: SamplingOptions
  readonly stop?: ReadonlyArray<string>
  /** Entries each expert returns per step. Default 16. */
  readonly topK?: number
  /** Mixture weights by expert address; default equal. */
  readonly weights?: ReadonlyMap<string, number>
  readonly signal?: AbortSignal
}

export type FinishReason = "stop" | "length" | "eos"

export interface StepFigures {
  /** Wall time from sending the step to the last expert's answer, ms (the prompt's prefill for the first token). */
  readonly stepMs: number
}

export type GenerationEvent =
  | {
      readonly _tag: "Started"
      readonly experts: ReadonlyArray<string>
      /** Prefill: opening every session and evaluating the prompt, ms. */
      readonly openMs: number
    }
  | {
      readonly _tag: "Token"
      readonly token: number
      /** Text that became final with this token (may be empty while a stop sequence or a UTF-8 sequence is pending). */
      readonly text: string
      readonly mixture: Mixture
      readonly figures: StepFigures
    }
  | {
      readonly _tag: "Finished"
      readonly reason: FinishReason
      readonly tokens: ReadonlyArray<number>
      readonly text: string
      /** The end of `text` that no Token event carried (held back for a possible stop sequence); print it last. */
      readonly rest: string
      /** Per expert: frame bytes sent and received over the whole generation (protobuf + length prefixes). */
      readonly bytes: ReadonlyArray<{ readonly address: string; readonly sent: number; readonly received: number }>
    }

export const DEFAULT_TOP_K = 16

/** K distinct experts, chosen uniformly with a seeded draw so a seeded generation is reproducible. */
export const pickExperts = (experts: ReadonlyArray<ExpertHandle>, k: number, random: () => number): ExpertHandle[] => {
  const pool = [...experts]
  for (let index = pool.length - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1))
    ;[pool[index], pool[swap]] = [pool[swap]!, pool[index]!]
  }
  return pool.slice(0, k)
}

const validate = (experts: ReadonlyArray<ExpertHandle>, request: GenerationRequest): void => {
  const fail = (message: string) => {
    throw new GenerationRequestError({ message })
  }
  if (!Number.isInteger(request.k) || request.k < 1) fail(`k must be a positive integer, not ${request.k}`)
  if (request.k > experts.length) fail(`k = ${request.k} but only ${experts.length} experts are available`)
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 0) fail("max tokens must be a non-negative integer")
  if (request.prompt.length === 0) fail("the prompt is empty")
  const contextSize = Math.min(...experts.map((expert) => expert.manifest.contextSize))
  if (request.prompt.length > contextSize) {
    fail(`the prompt is ${request.prompt.length} tokens; the experts' context holds ${contextSize}`)
  }
}

/** Holds back a trailing replacement character: a multi-byte character split across tokens is not final yet. */
const finalText = (text: string): string => (text.endsWith("\uFFFD") ? text.slice(0, -1) : text)

export async function* generate(
  dial: Dial,
  codec: TextCodec,
  experts: ReadonlyArray<ExpertHandle>,
  request: GenerationRequest
): AsyncGenerator<GenerationEvent> {
  validate(experts, request)
  const sampler = createSampler(request.sampling ?? {})
  const stopMatcher = createStopMatcher(request.stop ?? [])
  const chosen = pickExperts(experts, request.k, createRandom(request.sampling?.seed))
  const weights = chosen.map((expert) => request.weights?.get(expert.address) ?? 1)
  const vocabSize = chosen[0]!.manifest.vocabSize
  const tokenizerHash = chosen[0]!.manifest.tokenizerHash
  const contextSize = Math.min(...chosen.map((expert) => expert.manifest.contextSize))
  const topK = request.topK ?? DEFAULT_TOP_K

  const sessions: ExpertSession[] = []
  try {
    const opened = performance.now()
    const settled = await Promise.allSettled(
      chosen.map((expert) =>
        openExpertSession(dial, expert.address, { prompt: request.prompt, topK, tokenizerHash }, request.signal)
      )
    )
    for (const result of settled) if (result.status === "fulfilled") sessions.push(result.value)
    const failure = settled.find((result) => result.status === "rejected")
    if (failure !== undefined) throw failure.reason
    let distributions: SparseDistribution[] = sessions.map((session) => session.first)
    let stepMs = performance.now() - opened
    yield { _tag: "Started", experts: chosen.map((expert) => expert.address), openMs: stepMs }

    const tokens: number[] = []
    let emitted = 0
    let reason: FinishReason = "length"
    let text = ""
    while (tokens.length < request.maxTokens) {
      if (request.signal?.aborted === true) throw request.signal.reason
      const mixture = mix(distributions, weights, vocabSize)
      const token = sampler.sample(mixture)
      if (token === codec.eosToken) {
        reason = "eos"
        break
      }
      tokens.push(token)
      const check = stopMatcher.check(codec.detokenize(tokens))
      text = check.text
      const visible = check.stopped ? text : finalText(text.slice(0, text.length - check.holdBack))
      const delta = visible.length > emitted ? visible.slice(emitted) : ""
      emitted = Math.max(emitted, visible.length)
      const last =
        // The step appends this token: it must still fit in the experts' sessions.
        check.stopped || tokens.length >= request.maxTokens || request.prompt.length + tokens.length > contextSize
      // The experts start on the next position while the consumer handles this token.
      const started = performance.now()
      let answeredAt = started
      const next = last
        ? undefined
        : Promise.all(sessions.map((session) => session.step([token]))).then((answers) => {
            answeredAt = performance.now()
            return answers
          })
      next?.catch(() => undefined) // awaited below; this only keeps an abandoned step from being "unhandled"
      yield { _tag: "Token", token, text: delta, mixture, figures: { stepMs } }
      if (check.stopped) reason = "stop"
      if (next === undefined) break
      distributions = await next
      stepMs = answeredAt - started
    }
    yield {
      _tag: "Finished",
      reason,
      tokens,
      text,
      rest: text.slice(emitted),
      bytes: sessions.map((session) => ({ address: session.address, ...session.bytes() }))
    }
  } finally {
    await Promise.all(sessions.map((session) => session.close()))
  }
}
