import type { Mixture } from "./mixture.ts"
import { unlistedToken } from "./mixture.ts"
import type { RandomSource } from "./random.ts"
import { createRandom } from "./random.ts"

export interface SamplingOptions {
  /** 0 = greedy; otherwise each probability p becomes p^(1 / temperature), renormalised. Finite, >= 0. Default 1. */
  readonly temperature?: number
  /** Nucleus: keep the most probable head whose mass reaches topP (after temperature). In (0, 1]; 1 = off (default). */
  readonly topP?: number
  /** Keep only the topK most probable tokens (after temperature). Non-negative integer; 0 = off (default). */
  readonly topK?: number
  /** PRNG seed, any safe integer; absent = seeded from the OS CSPRNG. */
  readonly seed?: number
}

export interface Sampler {
  /** Draws one token id from the mixture; deterministic for a given seed and sequence of mixtures. */
  readonly sample: (mixture: Mixture) => number
}

/** Fills in defaults and rejects out-of-range values with a message naming the option. */
export const resolveSamplingOptions = (options: SamplingOptions = {}): Required<Omit<SamplingOptions, "seed">> => {
  const { temperature = 1, topP = 1, topK = 0 } = options
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new RangeError(`temperature is ${temperature}; it must be a finite number >= 0 (0 = greedy)`)
  }
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`topP is ${topP}; it must be in (0, 1] (1 = off)`)
  if (!Number.isSafeInteger(topK) || topK < 0) {
    throw new RangeError(`topK is ${topK}; it must be a non-negative integer (0 = off)`)
  }
  return { temperature, topP, topK }
}

/**
 * The most probable token: the first entry (so ties keep the experts' rank order), unless an unlisted token is
 * strictly more probable, in which case the smallest unlisted id.
 */
export const greedyToken = (mixture: Mixture): number => {
  const first = mixture.probs[0]
  if (mixture.backgroundCount > 0 && (first === undefined || mixture.background > first)) {
    return unlistedToken(mixture, 0)
  }
  return mixture.tokens[0]!
}

/**
 * Order: temperature, then top-k, then top-p, then one uniform draw. The unlisted tokens form one block of equal
 * probability that sorts after listed entries of equal or higher probability; inside the block, ties go to smaller ids
 * (so a partly kept block keeps the smallest unlisted ids, matching `greedyToken`). The block is never materialised.
 */
export const createSampler = (options: SamplingOptions = {}): Sampler => {
  const { temperature, topP, topK } = resolveSamplingOptions(options)
  const random = createRandom(options.seed)
  let weights = new Float64Array(64) // reused across tokens; grows to the largest union seen
  const sample = (mixture: Mixture): number => {
    if (temperature === 0) return greedyToken(mixture)
    if (weights.length < mixture.tokens.length) weights = new Float64Array(mixture.tokens.length * 2)
    return sampleTruncated(mixture, temperature, topK, topP, weights, random)
  }
  return { sample }
}

const sampleTruncated = (
  mixture: Mixture,
  temperature: number,
  topK: number,
  topP: number,
  weights: Float64Array,
  random: RandomSource
): number => {
  const { tokens, probs } = mixture
  const count = tokens.length
  const blockCount = mixture.background > 0 ? mixture.backgroundCount : 0
  const blockProb = blockCount > 0 ? mixture.background : 0
  let blockAt = 0
  while (blockAt < count && probs[blockAt]! >= blockProb) blockAt++

  // Temperature in log space relative to the maximum, so a tiny temperature cannot underflow every weight to 0.
  const logMax = Math.log(Math.max(probs[0] ?? 0, blockProb))
  const weightOf = (p: number): number => {
    if (temperature === 1 || p === 0) return p
    return Math.exp((Math.log(p) - logMax) / temperature)
  }
  const blockWeight = weightOf(blockProb)

  // Top-k: a prefix of the order listed[0, blockAt), block, listed[blockAt, count).
  let listedEnd = count
  let blockKept = blockCount
  if (topK > 0) {
    if (topK <= blockAt) {
      listedEnd = topK
      blockKept = 0
    } else {
      blockKept = Math.min(blockCount, topK - blockAt)
      listedEnd = Math.min(count, topK - blockKept)
    }
  }
  let total = blockKept * blockWeight
  for (let index = 0; index < listedEnd; index++) {
    const weight = weightOf(probs[index]!)
    weights[index] = weight
    total += weight
  }

  // Top-p: the shortest prefix whose mass reaches topP, counting the token that crosses the line.
  if (topP < 1) {
    const target = topP * total
    let cumulative = 0
    for (let index = 0; index <= listedEnd; index++) {
      if (index === blockAt && blockKept > 0) {
        const blockMass = blockKept * blockWeight
        if (cumulative + blockMass >= target) {
          blockKept = Math.min(blockKept, Math.max(1, Math.ceil((target - cumulative) / blockWeight)))
          listedEnd = blockAt
          cumulative += blockKept * blockWeight
          break
        }
        cumulative += blockMass
      }
      if (index === listedEnd) break
      cumulative += weights[index]!
      if (cumulative >= target) {
        listedEnd = index + 1
        if (blockAt > index) blockKept = 0
        break
      }
    }
    total = cumulative
  }

  let remaining = random() * total
  let fallback = -1 // last kept entry with weight, for rounding that walks past the end; count = the block
  for (let index = 0; index <= listedEnd; index++) {
    if (index === blockAt && blockKept > 0) {
      const blockMass = blockKept * blockWeight
      if (remaining < blockMass) {
        return unlistedToken(mixture, Math.min(blockKept - 1, Math.floor(remaining / blockWeight)))
      }
      remaining -= blockMass
      fallback = count
    }
    if (index === listedEnd) break
    const weight = weights[index]!
    if (remaining < weight) return tokens[index]!
    remaining -= weight
    if (weight > 0) fallback = index
  }
  if (fallback === count) return unlistedToken(mixture, blockKept - 1)
  return tokens[Math.max(0, fallback)]!
}
