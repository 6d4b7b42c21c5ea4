// The actions' targets on a running router: its registry, its controls (K, weights), its bans, its generations, and
// optionally a gateway's rate limit and a governance proposer.
import { openExpertSession } from "../router/expert-client.ts"
import { asPeerId } from "../router/registry/events.ts"
import { expertsOf, getExpert } from "../router/registry/state.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import type { ActionTargets, Evaluation, ExpertView } from "./actions.ts"
import { HELD_OUT } from "./held-out.ts"

/** How long a governed ban keeps a peer out. */
export const GOVERNED_BAN_MS = 60 * 60_000
/** K when neither a request nor the controls set one. */
export const DEFAULT_K = 2
/** Tokens an `answer` action generates. */
export const ANSWER_TOKENS = 24

export interface RouterTargetOptions {
  readonly family: () => string | undefined
  readonly setRequestsPerMinute?: (requestsPerMinute: number) => void
  readonly proposePhase?: (phase: number) => Promise<string>
  readonly phase: () => number
}

export const expertViews = (router: RouterNode, family: string | undefined): ExpertView[] =>
  family === undefined
    ? []
    : expertsOf(router.watcher.state(), family).map((expert) => ({
        peerId: expert.peerId,
        model: expert.manifest.modelName,
        quantization: expert.manifest.quantization,
        family: expert.manifest.tokenizerHash,
        pingMs: expert.ping?.ewmaMs,
        stepMs: expert.step?.ewmaMs,
        sessions: expert.load === undefined ? "-" : `${expert.load.openSessions}/${expert.load.maxSessions}`
      }))

/** Mean log-probability of the held-out continuations under one expert, token by token (exact, via allowed sets). */
export const evaluateExpert = async (router: RouterNode, peerId: string, signal: AbortSignal): Promise<Evaluation> => {
  const expert = getExpert(router.watcher.state(), asPeerId(peerId))
  if (expert === undefined) throw new Error(`expert ${peerId} is not in the registry`)
  const tokenizer = await router.tokenizer(expert.manifest.tokenizerHash)
  let total = 0
  let count = 0
  for (const sample of HELD_OUT) {
    const words = sample.text.split(" ")
    // The full text's own tokens; the context is as many of them as its words take alone.
    const full = tokenizer.encodePrompt(sample.text)
    const contextLength = tokenizer.encodePrompt(words.slice(0, sample.context).join(" ")).length
    // The session holds the context less its last token; each step appends the previous token and asks for the
    // probability of exactly the next one.
    const session = await openExpertSession(
      router.dial,
      peerId,
      { prompt: full.slice(0, contextLength - 1), topK: 1, tokenizerHash: expert.manifest.tokenizerHash },
      signal
    )
    try {
      for (let index = contextLength; index < full.length; index++) {
        if (signal.aborted) throw signal.reason
        const answer = await session.step([full[index - 1]!], [full[index]!])
        total += answer.logprobs[0] ?? Number.NEGATIVE_INFINITY
        count++
      }
    } finally {
      await session.close()
    }
  }
  return { peer: peerId, meanLogprob: count === 0 ? 0 : total / count, tokens: count }
}

export const routerTargets = (router: RouterNode, options: RouterTargetOptions): ActionTargets => ({
  experts: () => expertViews(router, options.family()),
  k: () => router.controls.k() ?? DEFAULT_K,
  setK: (k) => router.controls.setK(k),
  weights: () => router.controls.weights(),
  setWeight: (peerId, weight) => router.controls.setWeight(peerId, weight),
  ban: (peerId) => {
    router.bans.ban(peerId, GOVERNED_BAN_MS)
    return { lengthMs: GOVERNED_BAN_MS }
  },
  setRequestsPerMinute: options.setRequestsPerMinute,
  answer: async (prompt, experts, signal) => {
    let text = ""
    for await (const event of router.generate({
      prompt,
      k: experts.length,
      only: experts,
      maxTokens: ANSWER_TOKENS,
      sampling: { temperature: 0 },
      signal
    })) {
      if (event._tag === "Finished") text = event.text
    }
    return text
  },
  evaluate: (peerId, signal) => evaluateExpert(router, peerId, signal),
  proposePhase: options.proposePhase,
  phase: options.phase
})
