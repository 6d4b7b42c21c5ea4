// What each catalog action does, and the checks its arguments must pass first. An action's arguments are checked
// against the mesh as it is when the action is about to run (the registry may have changed since the grammar was
// built): a parseable action whose peer left, or whose K exceeds the experts there are, is rejected with a reason.
import type { Action } from "./catalog.ts"

export interface ExpertView {
  readonly peerId: string
  readonly model: string
  readonly quantization: string
  readonly family: string
  readonly pingMs: number | undefined
  readonly stepMs: number | undefined
  readonly sessions: string
}

export interface Evaluation {
  readonly peer: string
  /** Mean log-probability of the held-out continuations, nats per token (higher is better). */
  readonly meanLogprob: number
  readonly tokens: number
}

/** The parts of a node the actions act on. */
export interface ActionTargets {
  /** The experts of the family this controller works in, best first. */
  readonly experts: () => ReadonlyArray<ExpertView>
  readonly k: () => number
  readonly setK: (k: number) => void
  readonly weights: () => ReadonlyMap<string, number>
  readonly setWeight: (peerId: string, weight: number) => void
  readonly ban: (peerId: string) => { readonly lengthMs: number }
  /** The gateway's per-client request rate; absent on a node without a gateway. */
  readonly setRequestsPerMinute: ((requestsPerMinute: number) => void) | undefined
  /** Generates a short answer with these experts. */
  readonly answer: (prompt: string, experts: ReadonlyArray<string>, signal: AbortSignal) => Promise<string>
  readonly evaluate: (peerId: string, signal: AbortSignal) => Promise<Evaluation>
  /** Puts a phase change to a governance vote; returns the proposal's id. */
  readonly proposePhase: ((phase: number) => Promise<string>) | undefined
  readonly phase: () => number
}

/** Why the action cannot run as written, or undefined when it can. */
export const invalidReason = (action: Action, targets: ActionTargets): string | undefined => {
  const experts = targets.experts()
  const knows = (peer: string) => experts.some((expert) => expert.peerId === peer)
  switch (action.type) {
    case "evaluate_expert":
    case "ban_peer":
    case "set_weight":
      return knows(action.peer) ? undefined : `peer ${action.peer} is not in the registry`
    case "set_k":
      return action.k >= 1 && action.k <= experts.length
        ? undefined
        : `K ${action.k} is outside 1..${experts.length} (the experts there are)`
    case "set_rate_limit":
      return targets.setRequestsPerMinute === undefined ? "this node serves no gateway to limit" : undefined
    case "propose_phase":
      if (targets.proposePhase === undefined) return "no chain to propose on"
      return action.phase === targets.phase() ? `phase ${action.phase} is the current phase` : undefined
    case "answer":
    case "report_status":
      return undefined
  }
}

/** Runs an action (the gate and `invalidReason` said it may); returns what it did, as JSON. */
export const execute = async (
  action: Action,
  targets: ActionTargets,
  context: { readonly experts: ReadonlyArray<string>; readonly signal: AbortSignal }
): Promise<unknown> => {
  switch (action.type) {
    case "answer":
      return { text: await targets.answer(action.prompt, context.experts, context.signal) }
    case "report_status":
      return {
        experts: targets.experts(),
        k: targets.k(),
        weights: Object.fromEntries(targets.weights()),
        phase: targets.phase()
      }
    case "evaluate_expert":
      return await targets.evaluate(action.peer, context.signal)
    case "set_k": {
      const before = targets.k()
      targets.setK(action.k)
      return { before, after: targets.k() }
    }
    case "set_weight": {
      const before = targets.weights().get(action.peer) ?? 1
      targets.setWeight(action.peer, action.weight)
      return { peer: action.peer, before, after: action.weight }
    }
    case "ban_peer":
      return { peer: action.peer, bannedForMs: targets.ban(action.peer).lengthMs }
    case "set_rate_limit":
      targets.setRequestsPerMinute!(action.requests_per_minute)
      return { requestsPerMinute: action.requests_per_minute }
    case "propose_phase":
      return { proposal: await targets.proposePhase!(action.phase) }
  }
}
