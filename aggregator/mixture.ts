import type { SparseDistribution } from "./distribution.ts"
import { assertDistributionShape } from "./distribution.ts"

/** A mixed next-token distribution, sparse: explicit entries for listed tokens, one shared value for the rest. */
export interface Mixture {
  /** Union of all listed tokens, probability descending; ties in order of first appearance (expert, then rank). */
  readonly tokens: ReadonlyArray<number>
  /** Probabilities, same order as `tokens`. */
  readonly probs: ReadonlyArray<number>
  /** Probability of each token nobody listed (0 when there are none). */
  readonly background: number
  /** How many tokens nobody listed: `vocabSize - tokens.length`. */
  readonly backgroundCount: number
  readonly vocabSize: number
}

/**
 * Weighted mixture in probability space: p(t) = sum_i w_i q_i(t) / sum_i w_i, where q_i(t) is expert i's listed
 * probability or, for tokens outside its list, its residual spread evenly: residual_i / (vocabSize - k_i).
 * Each expert's mass (listed + residual) is normalised to 1 first, so quantisation drift cannot skew the weights.
 * Cost: O(sum k_i) to build the union plus O(|U| log |U|) to sort it; nothing vocabulary-sized is allocated.
 */
export const mix = (
  distributions: ReadonlyArray<SparseDistribution>,
  weights: ReadonlyArray<number>,
  vocabSize: number
): Mixture => {
  if (!Number.isSafeInteger(vocabSize) || vocabSize < 1) {
    throw new RangeError(`mix: vocabSize is ${vocabSize}; it must be a positive integer`)
  }
  if (distributions.length === 0) throw new RangeError("mix: no distributions to mix")
  if (weights.length !== distributions.length) {
    throw new RangeError(`mix: ${distributions.length} distributions but ${weights.length} weights; they must pair up`)
  }
  const weightSum = sumWeights(weights)

  const indexOfToken = new Map<number, number>()
  const tokens: number[] = []
  // Per union entry: the scaled listed mass, and the scaled background of the experts that listed it, so that
  // p = listed + (background of everyone - background of listers) is exact when every expert lists the token.
  const listedMass: number[] = []
  const listersBackground: number[] = []
  const lastLister: number[] = []
  let background = 0

  for (let expert = 0; expert < distributions.length; expert++) {
    const distribution = distributions[expert]!
    assertDistributionShape(distribution, vocabSize, expert)
    const { tokens: expertTokens, logprobs } = distribution
    const outside = vocabSize - expertTokens.length
    const spread = outside > 0 ? distribution.residual / outside : 0
    let mass = spread * outside
    for (const logprob of logprobs) mass += Math.exp(logprob)
    if (!(mass > 0)) throw new RangeError(`mix: distributions[${expert}] has no probability mass`)

    const scale = weights[expert]! / weightSum / mass
    const expertBackground = scale * spread
    background += expertBackground
    for (let rank = 0; rank < expertTokens.length; rank++) {
      const token = expertTokens[rank]!
      let index = indexOfToken.get(token)
      if (index === undefined) {
        index = tokens.length
        indexOfToken.set(token, index)
        tokens.push(token)
        listedMass.push(0)
        listersBackground.push(0)
        lastLister.push(-1)
      } else if (lastLister[index] === expert) {
        throw new RangeError(`mix: distributions[${expert}] lists token ${token} twice`)
      }
      lastLister[index] = expert
      listedMass[index] = listedMass[index]! + scale * Math.exp(logprobs[rank]!)
      listersBackground[index] = listersBackground[index]! + expertBackground
    }
  }

  const unsortedProbs = listedMass.map((mass, index) => mass + Math.max(0, background - listersBackground[index]!))
  // Explicit index tie-break: equal probabilities keep first-appearance order, whatever the sort algorithm.
  const order = tokens.map((_, index) => index)
  order.sort((a, b) => unsortedProbs[b]! - unsortedProbs[a]! || a - b)
  const backgroundCount = vocabSize - tokens.length
  return {
    tokens: order.map((index) => tokens[index]!),
    probs: order.map((index) => unsortedProbs[index]!),
    background: backgroundCount > 0 ? background : 0,
    backgroundCount,
    vocabSize
  }
}

const sumWeights = (weights: ReadonlyArray<number>): number => {
  let sum = 0
  for (let expert = 0; expert < weights.length; expert++) {
    const weight = weights[expert]!
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`mix: weights[${expert}] is ${weight}; weights must be finite and non-negative`)
    }
    sum += weight
  }
  if (!(sum > 0)) throw new RangeError("mix: all weights are zero; at least one must be positive")
  if (!Number.isFinite(sum)) throw new RangeError("mix: the weights sum to infinity; scale them down")
  return sum
}

/** Probability of any token id under the mixture: its entry if listed, else the background. O(|U|). */
export const probabilityOf = (mixture: Mixture, token: number): number => {
  if (!Number.isInteger(token) || token < 0 || token >= mixture.vocabSize) {
    throw new RangeError(`token ${token} is outside the vocabulary [0, ${mixture.vocabSize})`)
  }
  const index = mixture.tokens.indexOf(token)
  return index === -1 ? mixture.background : mixture.probs[index]!
}

/** Natural-log probability of any token id (OpenAI `logprobs`); `-Infinity` for probability 0. */
export const logprobOf = (mixture: Mixture, token: number): number => Math.log(probabilityOf(mixture, token))

/**
 * The `index`-th smallest token id that is not listed, without materialising the unlisted set: walk the listed ids
 * in ascending order, stepping past each one at or below the candidate. O(|U| log |U|); only runs when an unlisted
 * token is actually chosen.
 */
export const unlistedToken = (mixture: Mixture, index: number): number => {
  if (!Number.isInteger(index) || index < 0 || index >= mixture.backgroundCount) {
    throw new RangeError(`unlisted index ${index} is outside [0, ${mixture.backgroundCount})`)
  }
  const listed = Float64Array.from(mixture.tokens).sort()
  let token = index
  for (const listedToken of listed) {
    if (listedToken > token) break
    token++
  }
  return token
}
