import fc from "fast-check"
import type { SparseDistribution } from "../../aggregator/distribution.ts"

export interface MixInput {
  readonly vocabSize: number
  readonly distributions: ReadonlyArray<SparseDistribution>
  readonly weights: ReadonlyArray<number>
}

/**
 * A consistent top-k answer over [0, vocabSize): k < vocabSize, listed mass + residual = 1. When `quantised`, logprobs
 * are floored to quarter nats, as a quantised model produces, so ties in rank order are common.
 */
export const distributionArbitrary = (vocabSize: number, maxK = 6): fc.Arbitrary<SparseDistribution> =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: vocabSize - 1 }), { maxLength: Math.min(maxK, vocabSize - 1) })
    .chain((tokens) =>
      fc.record({
        tokens: fc.constant(tokens),
        masses: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
          minLength: tokens.length,
          maxLength: tokens.length
        }),
        residualShare: tokens.length === 0 ? fc.constant(1) : fc.double({ min: 0, max: 0.9, noNaN: true }),
        quantised: fc.boolean()
      })
    )
    .map(({ tokens, masses, residualShare, quantised }) => {
      const massSum = masses.reduce((sum, mass) => sum + mass, 0)
      const logprobs = masses
        .map((mass) => Math.log(((1 - residualShare) * mass) / massSum))
        .sort((a, b) => b - a)
        .map((logprob) => (quantised ? Math.floor(logprob * 4) / 4 : logprob))
      const listed = logprobs.reduce((sum, logprob) => sum + Math.exp(logprob), 0)
      return { tokens, logprobs, residual: Math.max(0, 1 - listed) }
    })

const weightArbitrary = fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 10, noNaN: true }))

/** K in 1..5 experts over a small vocabulary, so their lists overlap and unlisted tokens matter. */
export const mixInputArbitrary = (maxExperts = 5): fc.Arbitrary<MixInput> =>
  fc
    .record({ vocabSize: fc.integer({ min: 2, max: 40 }), expertCount: fc.integer({ min: 1, max: maxExperts }) })
    .chain(({ vocabSize, expertCount }) =>
      fc.record({
        vocabSize: fc.constant(vocabSize),
        distributions: fc.array(distributionArbitrary(vocabSize), { minLength: expertCount, maxLength: expertCount }),
        weights: fc
          .array(weightArbitrary, { minLength: expertCount, maxLength: expertCount })
          .filter((weights) => weights.some((weight) => weight > 0))
      })
    )
