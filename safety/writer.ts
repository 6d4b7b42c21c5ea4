// Writes one task with grammar-constrained decoding: every step the experts are asked for the probabilities of
// exactly the tokens the grammar allows next (Step's allowed-token set), the aggregator mixes those and samples, and
// the output ends the moment the grammar is complete. So the text always parses into a catalog action.
import type { SparseDistribution } from "../aggregator/distribution.ts"
import { mix } from "../aggregator/mixture.ts"
import { createSampler, type SamplingOptions } from "../aggregator/sampling.ts"
import { type Dial, type ExpertSession, openExpertSession } from "../router/expert-client.ts"
import type { ExpertHandle } from "../router/swarm.ts"
import { HaltedError, TaskWriteError } from "./errors.ts"
import type { Grammar } from "./grammar.ts"
import type { Masker, Vocabulary } from "./token-mask.ts"

export interface WriteRequest {
  /** Prompt token ids, BOS included where the family asks; at least two tokens. */
  readonly prompt: ReadonlyArray<number>
  readonly experts: ReadonlyArray<ExpertHandle>
  readonly grammar: Grammar
  readonly masker: Masker
  readonly vocabulary: Vocabulary
  readonly sampling?: SamplingOptions
  /** Mixture weights, one per expert; default equal. */
  readonly weights?: ReadonlyArray<number>
  readonly signal?: AbortSignal
  /** Checked before every step: true stops the write with a HaltedError. */
  readonly halted?: () => boolean
}

export interface WrittenTask {
  readonly text: string
  readonly tokens: ReadonlyArray<number>
  /** Round trips to the experts (a token the grammar forces needs none: it rides along with the next step). */
  readonly steps: number
  /** Time spent computing masks, ms, per token chosen. */
  readonly maskMs: ReadonlyArray<number>
  /** Wall time of the expert round trips, ms, per step. */
  readonly stepMs: ReadonlyArray<number>
  readonly openMs: number
}

/** A step's answer as a distribution over the allowed tokens alone: the mass outside them is dropped. */
const withinAllowed = (distribution: SparseDistribution): SparseDistribution => ({ ...distribution, residual: 0 })

export const writeTask = async (dial: Dial, request: WriteRequest): Promise<WrittenTask> => {
  const { experts, grammar, masker, vocabulary } = request
  const first = experts[0]
  if (first === undefined) throw new TaskWriteError({ message: "no experts to write the task with" })
  if (request.prompt.length < 2) throw new TaskWriteError({ message: "the prompt needs at least two tokens" })
  const checkHalt = () => {
    if (request.halted?.() === true) throw new HaltedError({ message: "the mesh was halted while writing a task" })
    if (request.signal?.aborted === true) throw request.signal.reason
  }
  checkHalt()
  const sampler = createSampler(request.sampling ?? {})
  const weights = request.weights ?? experts.map(() => 1)
  const vocabSize = first.manifest.vocabSize
  const tokenizerHash = first.manifest.tokenizerHash
  const opened = performance.now()
  // The prompt less its last token opens the sessions; that token goes with the first step, which asks for the
  // allowed tokens of the first position.
  const sessions: ExpertSession[] = []
  const openings = await Promise.allSettled(
    experts.map((expert) =>
      openExpertSession(
        dial,
        expert.address,
        { prompt: request.prompt.slice(0, -1), topK: 1, tokenizerHash },
        request.signal
      )
    )
  )
  for (const opening of openings) if (opening.status === "fulfilled") sessions.push(opening.value)
  const failed = openings.find((opening) => opening.status === "rejected")
  try {
    if (failed !== undefined) {
      throw new TaskWriteError({
        message: `an expert could not open a session: ${String(failed.reason)}`,
        cause: failed.reason
      })
    }
    const openMs = performance.now() - opened
    let pending: number[] = [request.prompt[request.prompt.length - 1]!]
    let state = grammar.start
    const tokens: number[] = []
    const maskMs: number[] = []
    const stepMs: number[] = []
    let text = ""
    while (!state.final) {
      if (tokens.length > grammar.maxLength) {
        throw new TaskWriteError({ message: `no complete task within ${grammar.maxLength} tokens` })
      }
      const maskStarted = performance.now()
      const mask = masker.mask(state)
      maskMs.push(performance.now() - maskStarted)
      if (mask.tokens.length === 0) throw new TaskWriteError({ message: `the grammar allows no token after ${text}` })
      let token: number
      if (mask.tokens.length === 1) {
        token = mask.tokens[0]!
      } else {
        checkHalt()
        const started = performance.now()
        const answers = await Promise.all(sessions.map((session) => session.step(pending, mask.tokens)))
        stepMs.push(performance.now() - started)
        pending = []
        token = sampler.sample(mix(answers.map(withinAllowed), weights, vocabSize))
      }
      const next = mask.next.get(token)
      if (next === undefined) throw new TaskWriteError({ message: `token ${token} is outside the grammar's mask` })
      tokens.push(token)
      pending.push(token)
      text += vocabulary.pieces[token]
      state = next
    }
    return { text, tokens, steps: stepMs.length, maskMs, stepMs, openMs }
  } finally {
    await Promise.all(sessions.map((session) => session.close()))
  }
}
