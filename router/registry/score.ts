// How good an expert is to pick right now, as one number: lower is better. `apply` keeps every family sorted by it.
import type { PeerId } from "./events.ts"
import type { ExpertRecord } from "./state.ts"

/** Multiplies the score of an expert with no free session: it is picked only when every other expert is worse still. */
export const FULL_CAPACITY_PENALTY = 1000

/**
 * Expected milliseconds per step, times the load factor.
 *
 * - Latency: the step EWMA (what a generation waits for), else the ping EWMA (the network part of it), else
 *   `defaultLatencyMs`, so a peer nobody has measured yet competes with the slower measured ones and gets tried.
 * - Load factor: 1 + (openSessions + queue) / maxSessions from the last heartbeat (1 before any heartbeat); at or
 *   over capacity it is multiplied by FULL_CAPACITY_PENALTY, since a new session there would wait in the queue.
 *
 * Diversity (distinct models among the K chosen) depends on the other picks, so `chooseExperts` applies it.
 */
export const scoreOf = (expert: Pick<ExpertRecord, "step" | "ping" | "load">, defaultLatencyMs: number): number => {
  const latencyMs = expert.step?.ewmaMs ?? expert.ping?.ewmaMs ?? defaultLatencyMs
  const load = expert.load
  if (load === undefined) return latencyMs
  const busy = load.openSessions + load.queue
  if (load.maxSessions <= 0) return latencyMs * FULL_CAPACITY_PENALTY * (1 + busy)
  const factor = 1 + busy / load.maxSessions
  return load.openSessions >= load.maxSessions ? latencyMs * factor * FULL_CAPACITY_PENALTY : latencyMs * factor
}

/** An expert's place in its family's ordering; `model` rides along so selection can weigh diversity without lookups. */
export interface RankKey {
  readonly score: number
  readonly peerId: PeerId
  /** manifest.fileSha256 */
  readonly model: string
}

/** By score, then by peer id, so that every key is distinct and ties break the same way on every router. */
export const compareRank = (left: RankKey, right: RankKey): number =>
  left.score < right.score ? -1 : left.score > right.score ? 1 : comparePeerIds(left.peerId, right.peerId)

export const comparePeerIds = (left: PeerId, right: PeerId): number => (left < right ? -1 : left > right ? 1 : 0)

export const rankKeyOf = (expert: ExpertRecord): RankKey => ({
  score: expert.score,
  peerId: expert.peerId,
  model: expert.manifest.fileSha256
})
