// Choosing the K experts of a generation from the registry: the best scores, spread over distinct models, with a
// little exploration so that unmeasured and recovered peers get measured.
import { HashMap, Option } from "effect"
import { NotEnoughExpertsError } from "./errors.ts"
import { asPeerId } from "./events.ts"
import { type OrderedSet, orderedAt, orderedSize, orderedWalk } from "./ordered-set.ts"
import type { RankKey } from "./score.ts"
import { type ExpertRecord, getExpert, type RegistryState } from "./state.ts"

export interface ChooseOptions {
  readonly tokenizerHash: string
  /** How many distinct experts to return. */
  readonly k: number
  /** Uniform floats in [0, 1); a seeded one makes the choice reproducible. */
  readonly random: () => number
  /** Peer ids not to choose (e.g. experts that just failed this request). */
  readonly exclude?: ReadonlySet<string>
  /** Probability that one slot goes to a uniformly drawn expert of the family. Default 0.05; 0 never explores. */
  readonly explore?: number
  /** Score penalty for each already chosen expert that runs the same model (manifest.fileSha256). Default 0.25. */
  readonly diversityPenalty?: number
  /** How many entries past the k-th best the diversity rule may reach for. Default 32. */
  readonly lookahead?: number
}

export const DEFAULT_EXPLORE = 0.05
export const DEFAULT_DIVERSITY_PENALTY = 0.25
export const DEFAULT_LOOKAHEAD = 32

/** Attempts at drawing an exploration pick that is neither excluded nor already chosen. */
const EXPLORE_ATTEMPTS = 8

/**
 * K distinct experts of the family, best first, or a NotEnoughExpertsError when fewer than K are not excluded.
 *
 * 1. Candidates: the family's ordering (score, then peer id; see `scoreOf`) walked from its head, skipping excluded
 *    peers, for at most k + lookahead entries. The walk stops early once an entry's score exceeds the k-th
 *    candidate's times (1 + penalty * (k - 1)): no diversity penalty can lift a later entry above one of those.
 * 2. Greedy: k times, take the candidate with the lowest score * (1 + penalty * already chosen of its model), the
 *    earlier in the ordering on ties. Among close scores distinct models win; a model that is much faster still
 *    fills several slots.
 * 3. Exploration: with probability `explore` the last slot goes to a uniformly drawn expert of the family instead.
 *
 * Cost: O(log n + (k + lookahead) * k) for a family of n, plus O(|exclude|).
 */
export const chooseExperts = (state: RegistryState, options: ChooseOptions): ExpertRecord[] => {
  const { tokenizerHash, k } = options
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k is ${k}; it must be a positive integer`)
  const exclude = options.exclude ?? new Set<string>()
  const penalty = options.diversityPenalty ?? DEFAULT_DIVERSITY_PENALTY
  const lookahead = options.lookahead ?? DEFAULT_LOOKAHEAD
  const explore = options.explore ?? DEFAULT_EXPLORE
  // A negative penalty would break the early stop of the walk; the others are plain mistakes.
  if (!(penalty >= 0)) throw new RangeError(`diversityPenalty is ${penalty}; it must be at least 0`)
  if (!(Number.isInteger(lookahead) && lookahead >= 0)) throw new RangeError(`lookahead is ${lookahead}`)
  if (!(explore >= 0 && explore <= 1)) throw new RangeError(`explore is ${explore}; it must lie in [0, 1]`)
  const ranking = Option.getOrUndefined(HashMap.get(state.families, tokenizerHash))
  const available = ranking === undefined ? 0 : orderedSize(ranking) - excludedMembers(state, tokenizerHash, exclude)
  if (ranking === undefined || available < k) {
    throw new NotEnoughExpertsError({
      tokenizerHash,
      wanted: k,
      available,
      message: `k = ${k} but the family of tokenizer ${tokenizerHash.slice(0, 12)} has ${available} usable experts`
    })
  }
  const candidates = headCandidates(ranking, k, exclude, penalty, lookahead)
  const chosen = pickGreedily(candidates, k, penalty)
  if (explore > 0 && options.random() < explore) exploreLastSlot(ranking, chosen, exclude, options.random)
  return chosen.map((key) => getExpert(state, key.peerId)!)
}

const excludedMembers = (state: RegistryState, tokenizerHash: string, exclude: ReadonlySet<string>): number => {
  let count = 0
  for (const peerId of exclude) {
    if (getExpert(state, asPeerId(peerId))?.manifest.tokenizerHash === tokenizerHash) count++
  }
  return count
}

const headCandidates = (
  ranking: OrderedSet<RankKey>,
  k: number,
  exclude: ReadonlySet<string>,
  penalty: number,
  lookahead: number
): RankKey[] => {
  const candidates: RankKey[] = []
  const reach = 1 + penalty * (k - 1)
  orderedWalk(ranking, (key) => {
    if (exclude.has(key.peerId)) return true
    if (candidates.length >= k && key.score > reach * candidates[k - 1]!.score) return false
    candidates.push(key)
    return candidates.length < k + lookahead
  })
  return candidates
}

const pickGreedily = (candidates: ReadonlyArray<RankKey>, k: number, penalty: number): RankKey[] => {
  const chosen: RankKey[] = []
  const taken = new Uint8Array(candidates.length)
  const chosenPerModel = new Map<string, number>()
  while (chosen.length < k) {
    let best = -1
    let bestScore = Number.POSITIVE_INFINITY
    for (let index = 0; index < candidates.length; index++) {
      if (taken[index] === 1) continue
      const candidate = candidates[index]!
      const effective = candidate.score * (1 + penalty * (chosenPerModel.get(candidate.model) ?? 0))
      if (best < 0 || effective < bestScore) {
        best = index
        bestScore = effective
      }
    }
    const pick = candidates[best]!
    taken[best] = 1
    chosen.push(pick)
    chosenPerModel.set(pick.model, (chosenPerModel.get(pick.model) ?? 0) + 1)
  }
  return chosen
}

/** Replaces the last pick with a uniform draw from the family; keeps it when every draw hits an unusable peer. */
const exploreLastSlot = (
  ranking: OrderedSet<RankKey>,
  chosen: RankKey[],
  exclude: ReadonlySet<string>,
  random: () => number
): void => {
  const others = new Set(chosen.slice(0, -1).map((key) => key.peerId))
  for (let attempt = 0; attempt < EXPLORE_ATTEMPTS; attempt++) {
    const drawn = orderedAt(ranking, Math.floor(random() * orderedSize(ranking)))
    if (drawn !== undefined && !exclude.has(drawn.peerId) && !others.has(drawn.peerId)) {
      chosen[chosen.length - 1] = drawn
      return
    }
  }
}
