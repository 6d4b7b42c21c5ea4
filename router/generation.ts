// One generation: open K expert sessions on the prompt, then per token mix their answers, sample, stream, step.
import { type Mixture, mix } from "../aggregator/mixture.ts"
import { createSampler, type SamplingOptions } from "../aggregator/sampling.ts"
import { createStopMatcher } from "../aggregator/stop.ts"
import { GenerationRequestError } from "./errors.ts"
import type { Dial } from "./expert-client.ts"
import { createSlots, type Failover, type Slot } from "./session-slots.ts"
import type { StickySessions } from "./sticky-sessions.ts"
import type { ExpertHandle } from "./swarm.ts"

/** Text <-> tokens for the experts' family (the router holds only the tokenizer, never the weights). */
export interface TextCodec {
  detokenize(tokens: ReadonlyArray<number>): string
  readonly eosToken: number
}

export interface GenerationRequest {
  /** Prompt token ids, BOS included where the family asks for it. */
  readonly prompt: ReadonlyArray<number>
  readonly maxTokens: number
  readonly sampling?: SamplingOptions
  readonly stop?: ReadonlyArray<string>
  /** Entries each expert returns per step. Default 16, and at most what every chosen expert serves. */
  readonly topK?: number
  /** Mixture weights, one per expert in the order given; default equal. */
  readonly weights?: ReadonlyArray<number>
  readonly signal?: AbortSignal
  /** What to do when an expert fails mid-answer; without it a failure ends the generation with its error. */
  readonly failover?: Failover
  /** Parked sessions to reuse and to park into (a chat's turns); without it every generation opens and closes. */
  readonly sticky?: StickySessions
}

export type FinishReason = "stop" | "length" | "eos"

export interface StepFigures {
  /** Wall time from sending the step to the last expert's answer, ms (the prompt's prefill for the first token). */
  readonly stepMs: number
}

export type GenerationEvent =
  | {
      readonly _tag: "Started"
      /** Peer ids of the experts mixed. */
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
      /** Prompt tokens found in reused sessions' caches (a chat's earlier turns), not evaluated again. */
      readonly reusedTokens: number
      readonly tokens: ReadonlyArray<number>
      readonly text: string
      /** The end of `text` that no Token event carried (held back for a possible stop sequence); print it last. */
      readonly rest: string
      /** Steps mixed with fewer experts than chosen (one failed and its replacement was still catching up). */
      readonly degradedSteps: number
      /** Experts opened to replace failed ones. */
      readonly replacements: number
      readonly experts: ReadonlyArray<ExpertFigures>
    }

/** What one expert cost this generation. */
export interface ExpertFigures {
  readonly peerId: string
  /** Frame bytes sent and received (protobuf + length prefixes). */
  readonly sent: number
  readonly received: number
  /** Steps answered after the prompt, and their total round-trip time, ms. */
  readonly steps: number
  readonly stepMsTotal: number
}

export const DEFAULT_TOP_K = 16

const validate = (experts: ReadonlyArray<ExpertHandle>, request: GenerationRequest): void => {
  const fail = (message: string) => {
    throw new GenerationRequestError({ message })
  }
  if (experts.length === 0) fail("no experts to generate with")
  if (new Set(experts.map((expert) => expert.manifest.tokenizerHash)).size > 1) {
    fail("the experts of one generation must share a tokenizer")
  }
  if (request.weights !== undefined && request.weights.length !== experts.length) {
    fail(`${request.weights.length} weights for ${experts.length} experts`)
  }
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 0) fail("max tokens must be a non-negative integer")
  if (request.prompt.length === 0) fail("the prompt is empty")
  const contextSize = Math.min(...experts.map((expert) => expert.manifest.contextSize))
  if (request.prompt.length > contextSize) {
    fail(`the prompt is ${request.prompt.length} tokens; the experts' context holds ${contextSize}`)
  }
}

/** Holds back a trailing replacement character: a multi-byte character split across tokens is not final yet. */
const finalText = (text: string): string => (text.endsWith("\uFFFD") ? text.slice(0, -1) : text)

/** Generates with exactly the experts given (the caller chose them: see the registry's chooseExperts). */
export async function* generate(
  dial: Dial,
  codec: TextCodec,
  chosen: ReadonlyArray<ExpertHandle>,
  request: GenerationRequest
): AsyncGenerator<GenerationEvent> {
  validate(chosen, request)
  const sampler = createSampler(request.sampling ?? {})
  const stopMatcher = createStopMatcher(request.stop ?? [])
  const weights = request.weights ?? chosen.map(() => 1)
  const vocabSize = chosen[0]!.manifest.vocabSize
  const tokenizerHash = chosen[0]!.manifest.tokenizerHash
  const contextSize = Math.min(...chosen.map((expert) => expert.manifest.contextSize))
  const topK = Math.min(request.topK ?? DEFAULT_TOP_K, ...chosen.map((expert) => expert.manifest.maxTopK))
  const weightOf = new Map(chosen.map((expert, index) => [expert.peerId, weights[index] ?? 1]))
  const slots = createSlots(
    dial,
    {
      prompt: request.prompt,
      topK,
      tokenizerHash,
      signal: request.signal,
      ...(request.sticky === undefined ? {} : { releaseParked: request.sticky.release })
    },
    request.failover
  )
  const tokens: number[] = []
  let finished = false

  try {
    const opened = performance.now()
    const reuse = request.sticky?.take(request.prompt, tokenizerHash, topK, chosen.length)
    const adopted = reuse !== undefined && (await slots.adopt(reuse.slots, reuse.keep, request.prompt))
    if (!adopted) await slots.openAll(chosen, tokens)
    let current: ReadonlyArray<Slot> = await slots.ready(tokens)
    let stepMs = performance.now() - opened
    yield { _tag: "Started", experts: current.map((slot) => slot.expert.peerId), openMs: stepMs }

    let emitted = 0
    let reason: FinishReason = "length"
    let text = ""
    while (tokens.length < request.maxTokens) {
      if (request.signal?.aborted === true) throw request.signal.reason
      const mixture = mix(
        current.map((slot) => slot.latest),
        current.map((slot) => weightOf.get(slot.expert.peerId) ?? 1),
        vocabSize
      )
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
        : slots
            .step(current, token, tokens)
            .then(() => slots.ready(tokens))
            .then((ready) => {
              answeredAt = performance.now()
              return ready
            })
      next?.catch(() => undefined) // awaited below; this only keeps an abandoned step from being "unhandled"
      yield { _tag: "Token", token, text: delta, mixture, figures: { stepMs } }
      if (check.stopped) reason = "stop"
      if (next === undefined) break
      current = await next
      stepMs = answeredAt - started
    }
    finished = true
    yield {
      _tag: "Finished",
      reason,
      reusedTokens: adopted ? reuse!.keep : 0,
      tokens,
      text,
      rest: text.slice(emitted),
      degradedSteps: slots.degradedSteps(),
      replacements: slots.replacements(),
      experts: slots.sessions().map((slot) => ({
        peerId: slot.expert.peerId,
        ...slot.session.bytes(),
        steps: slot.steps,
        stepMsTotal: slot.stepMsTotal
      }))
    }
  } finally {
    const parkable = finished && request.sticky !== undefined ? await slots.detach() : undefined
    if (parkable === undefined) await slots.closeAll()
    else {
      const appended = parkable[0]!.appended
      request.sticky!.park({
        tokenizerHash,
        topK,
        tokens: [...request.prompt, ...tokens.slice(0, appended)],
        slots: parkable
      })
    }
  }
}
