import type { SparseDistribution } from "../../aggregator/distribution.ts"
import type { Mixture } from "../../aggregator/mixture.ts"
import type { SamplingOptions } from "../../aggregator/sampling.ts"

// Deliberately naive dense versions of the aggregator, written straight from the definitions, to test against.

export const denseMix = (
  distributions: ReadonlyArray<SparseDistribution>,
  weights: ReadonlyArray<number>,
  vocabSize: number
): number[] => {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0)
  const mixed = new Array<number>(vocabSize).fill(0)
  distributions.forEach((distribution, expert) => {
    const outside = vocabSize - distribution.tokens.length
    const dense = new Array<number>(vocabSize).fill(outside > 0 ? distribution.residual / outside : 0)
    distribution.tokens.forEach((token, rank) => {
      dense[token] = Math.exp(distribution.logprobs[rank]!)
    })
    const mass = dense.reduce((sum, p) => sum + p, 0)
    dense.forEach((p, token) => {
      mixed[token] = mixed[token]! + ((weights[expert]! / weightSum) * p) / mass
    })
  })
  return mixed
}

/** Every token in sampling order: probability descending; at equal probability listed first, unlisted by id. */
export const denseOrder = (mixture: Mixture): { token: number; p: number }[] => {
  const rank = new Map(mixture.tokens.map((token, index) => [token, index]))
  const entries = Array.from({ length: mixture.vocabSize }, (_, token) => {
    const index = rank.get(token)
    return {
      token,
      p: index === undefined ? mixture.background : mixture.probs[index]!,
      rank: index ?? mixture.vocabSize + token
    }
  })
  entries.sort((a, b) => b.p - a.p || a.rank - b.rank)
  return entries.map(({ token, p }) => ({ token, p }))
}

/** The exact probability of each token being drawn under the options: temperature, top-k, top-p, renormalise. */
export const denseSamplingProbabilities = (mixture: Mixture, options: SamplingOptions): number[] => {
  const { temperature = 1, topK = 0, topP = 1 } = options
  const order = denseOrder(mixture)
  const result = new Array<number>(mixture.vocabSize).fill(0)
  if (temperature === 0) {
    result[order[0]!.token] = 1
    return result
  }
  let kept = order
    .slice(0, topK > 0 ? topK : order.length)
    .map(({ token, p }) => ({ token, w: p ** (1 / temperature) }))
  const total = kept.reduce((sum, { w }) => sum + w, 0)
  if (topP < 1) {
    let cumulative = 0
    const end = kept.findIndex(({ w }) => {
      cumulative += w
      return cumulative >= topP * total
    })
    if (end !== -1) kept = kept.slice(0, end + 1)
  }
  const keptTotal = kept.reduce((sum, { w }) => sum + w, 0)
  for (const { token, w } of kept) result[token] = w / keptTotal
  return result
}
