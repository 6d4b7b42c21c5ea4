// Brute-force views of a registry state, rebuilt from its records alone: the indexes `apply` maintains must agree.

import { orderedToArray } from "../../router/registry/ordered-set.ts"
import { FULL_CAPACITY_PENALTY } from "../../router/registry/score.ts"
import type { ExpertRecord, RegistryState } from "../../router/registry/state.ts"

export const recordsOf = (state: RegistryState): ExpertRecord[] =>
  [...state.experts].map(([, record]) => record).sort((left, right) => byText(left.peerId, right.peerId))

const byText = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0)

/** Plain data for deep equality: records, both indexes in order, eviction counts. */
export const snapshot = (state: RegistryState) => ({
  experts: recordsOf(state),
  families: [...state.families]
    .map(([tokenizerHash, ranking]) => ({ tokenizerHash, ranking: orderedToArray(ranking) }))
    .sort((left, right) => byText(left.tokenizerHash, right.tokenizerHash)),
  silence: orderedToArray(state.silence),
  evictions: [...state.evictions].sort(([left], [right]) => byText(left, right))
})

/** The documented score, written out again independently of `scoreOf`. */
export const referenceScore = (record: ExpertRecord, defaultLatencyMs = 100): number => {
  const latency =
    record.step !== undefined ? record.step.ewmaMs : record.ping !== undefined ? record.ping.ewmaMs : defaultLatencyMs
  if (record.load === undefined) return latency
  const { openSessions, maxSessions, queue } = record.load
  if (maxSessions <= 0) return latency * FULL_CAPACITY_PENALTY * (1 + openSessions + queue)
  const factor = 1 + (openSessions + queue) / maxSessions
  return openSessions >= maxSessions ? latency * factor * FULL_CAPACITY_PENALTY : latency * factor
}

const byScore = (left: ExpertRecord, right: ExpertRecord): number =>
  referenceScore(left) - referenceScore(right) || byText(left.peerId, right.peerId)

/** What the indexes should hold, computed by sorting every record. */
export const expectedIndexes = (state: RegistryState) => {
  const records = recordsOf(state)
  const tokenizers = [...new Set(records.map((record) => record.manifest.tokenizerHash))].sort(byText)
  return {
    families: tokenizers.map((tokenizerHash) => ({
      tokenizerHash,
      ranking: records
        .filter((record) => record.manifest.tokenizerHash === tokenizerHash)
        .sort(byScore)
        .map((record) => ({ score: referenceScore(record), peerId: record.peerId, model: record.manifest.fileSha256 }))
    })),
    silence: records
      .map((record) => ({ lastSeen: record.lastSeen, peerId: record.peerId }))
      .sort((left, right) => left.lastSeen - right.lastSeen || byText(left.peerId, right.peerId))
  }
}

/** chooseExperts with exploration off, by a full scan: sort the family, take the head window, pick greedily. */
export const referenceChoice = (
  state: RegistryState,
  options: { tokenizerHash: string; k: number; exclude: ReadonlySet<string>; penalty?: number; lookahead?: number }
): string[] => {
  const penalty = options.penalty ?? 0.25
  const window = recordsOf(state)
    .filter((record) => record.manifest.tokenizerHash === options.tokenizerHash && !options.exclude.has(record.peerId))
    .sort(byScore)
    .slice(0, options.k + (options.lookahead ?? 32))
  const chosen: ExpertRecord[] = []
  while (chosen.length < options.k) {
    const effective = (record: ExpertRecord) =>
      referenceScore(record) *
      (1 + penalty * chosen.filter((other) => other.manifest.fileSha256 === record.manifest.fileSha256).length)
    const rest = window.filter((record) => !chosen.includes(record))
    // Array.prototype.reduce keeps the first of equal minima, as the ordering breaks ties.
    chosen.push(rest.reduce((best, record) => (effective(record) < effective(best) ? record : best)))
  }
  return chosen.map((record) => record.peerId)
}
