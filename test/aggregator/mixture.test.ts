import fc from "fast-check"
import { describe, expect, test } from "vitest"
import type { SparseDistribution } from "../../aggregator/distribution.ts"
import type { Mixture } from "../../aggregator/mixture.ts"
import { logprobOf, mix, probabilityOf, unlistedToken } from "../../aggregator/mixture.ts"
import { distributionArbitrary, mixInputArbitrary } from "./arbitraries.ts"
import { denseMix } from "./reference.ts"

const runs = { numRuns: 300 }

const denseOf = (mixture: Mixture): number[] =>
  Array.from({ length: mixture.vocabSize }, (_, token) => probabilityOf(mixture, token))

const expectClose = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, tolerance: number): void => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((value, index) => {
    expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual(tolerance)
  })
}

/** Vocabulary size plus one distribution over it, for single-expert properties. */
const singleArbitrary = fc
  .integer({ min: 2, max: 40 })
  .chain((vocabSize) => fc.tuple(fc.constant(vocabSize), distributionArbitrary(vocabSize)))

describe("mix", () => {
  test("the mixture sums to 1", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const mixture = mix(distributions, weights, vocabSize)
        const listed = mixture.probs.reduce((sum, p) => sum + p, 0)
        expect(Math.abs(listed + mixture.background * mixture.backgroundCount - 1)).toBeLessThan(1e-6)
        expect(mixture.backgroundCount).toBe(vocabSize - mixture.tokens.length)
      }),
      runs
    )
  })

  test("equals the dense definition on every token, and lists exactly the union", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const mixture = mix(distributions, weights, vocabSize)
        expectClose(denseOf(mixture), denseMix(distributions, weights, vocabSize), 1e-12)
        const union = new Set(distributions.flatMap((distribution) => distribution.tokens))
        expect([...mixture.tokens].sort((a, b) => a - b)).toEqual([...union].sort((a, b) => a - b))
      }),
      runs
    )
  })

  test("entries are probability descending, ties in order of first appearance", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const mixture = mix(distributions, weights, vocabSize)
        const firstSeen = [...new Set(distributions.flatMap((distribution) => distribution.tokens))]
        for (let index = 1; index < mixture.tokens.length; index++) {
          const [previous, current] = [mixture.probs[index - 1]!, mixture.probs[index]!]
          expect(previous).toBeGreaterThanOrEqual(current)
          if (previous === current) {
            expect(firstSeen.indexOf(mixture.tokens[index - 1]!)).toBeLessThan(
              firstSeen.indexOf(mixture.tokens[index]!)
            )
          }
        }
      }),
      runs
    )
  })

  test("K = 1 is the identity, keeping the expert's order through ties", () => {
    fc.assert(
      fc.property(singleArbitrary, fc.double({ min: 0.01, max: 100, noNaN: true }), ([vocabSize, expert], weight) => {
        const mixture = mix([expert], [weight], vocabSize)
        expect(mixture.tokens).toEqual(expert.tokens)
        mixture.probs.forEach((p, rank) => {
          const expected = Math.exp(expert.logprobs[rank]!)
          expect(Math.abs(p - expected)).toBeLessThanOrEqual(1e-12 * expected)
        })
        const background = expert.residual / (vocabSize - expert.tokens.length)
        expect(Math.abs(mixture.background - background)).toBeLessThanOrEqual(1e-12 * background)
      }),
      runs
    )
  })

  test("invariant to expert order when the weights are permuted along", () => {
    const permuted = mixInputArbitrary().chain((input) =>
      fc.tuple(
        fc.constant(input),
        fc.shuffledSubarray([...input.weights.keys()], {
          minLength: input.weights.length,
          maxLength: input.weights.length
        })
      )
    )
    fc.assert(
      fc.property(permuted, ([{ distributions, weights, vocabSize }, order]) => {
        const original = mix(distributions, weights, vocabSize)
        const shuffled = mix(
          order.map((expert) => distributions[expert]!),
          order.map((expert) => weights[expert]!),
          vocabSize
        )
        expectClose(denseOf(shuffled), denseOf(original), 1e-12)
      }),
      runs
    )
  })

  test("a zero weight removes an expert", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const first = weights[0]! > 0 ? weights[0]! : 1
        const silenced = weights.map((_, expert) => (expert === 0 ? first : 0))
        expectClose(
          denseOf(mix(distributions, silenced, vocabSize)),
          denseOf(mix([distributions[0]!], [1], vocabSize)),
          1e-12
        )
      }),
      runs
    )
  })

  test("linear in the weights: (a p1 + b p2) / (a + b)", () => {
    const twoExperts = fc
      .integer({ min: 2, max: 40 })
      .chain((vocabSize) =>
        fc.tuple(
          fc.constant(vocabSize),
          distributionArbitrary(vocabSize),
          distributionArbitrary(vocabSize),
          fc.double({ min: 0.01, max: 10, noNaN: true }),
          fc.double({ min: 0.01, max: 10, noNaN: true })
        )
      )
    fc.assert(
      fc.property(twoExperts, ([vocabSize, first, second, a, b]) => {
        const p1 = denseOf(mix([first], [1], vocabSize))
        const p2 = denseOf(mix([second], [1], vocabSize))
        const expected = p1.map((p, token) => (a * p + b * p2[token]!) / (a + b))
        expectClose(denseOf(mix([first, second], [a, b], vocabSize)), expected, 1e-12)
      }),
      runs
    )
  })

  test("doubling every weight changes nothing", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const doubled = weights.map((weight) => weight * 2)
        expect(mix(distributions, doubled, vocabSize)).toEqual(mix(distributions, weights, vocabSize))
      }),
      runs
    )
  })

  test("a token one expert lists gets the other expert's spread residual", () => {
    const first = { tokens: [1], logprobs: [Math.log(0.5)], residual: 0.5 }
    const second = { tokens: [2], logprobs: [Math.log(0.8)], residual: 0.2 }
    const mixture = mix([first, second], [1, 1], 10)
    expect(mixture.tokens).toEqual([2, 1])
    expect(mixture.probs[0]).toBeCloseTo(0.5 * 0.8 + (0.5 * 0.5) / 9, 14)
    expect(mixture.probs[1]).toBeCloseTo(0.5 * 0.5 + (0.5 * 0.2) / 9, 14)
    expect(mixture.background).toBeCloseTo(0.5 * (0.5 / 9 + 0.2 / 9), 14)
    expect(mixture.backgroundCount).toBe(8)
  })

  test("normalises an expert whose mass drifted, and drops residual when its list covers the vocabulary", () => {
    const whole = mix([{ tokens: [0, 1], logprobs: [Math.log(0.6), Math.log(0.2)], residual: 0.5 }], [1], 2)
    expect(whole.probs[0]).toBeCloseTo(0.75, 14)
    expect(whole.probs[1]).toBeCloseTo(0.25, 14)
    expect(whole.backgroundCount).toBe(0)
    expect(whole.background).toBe(0)
  })

  test("a -Infinity logprob is a listed zero", () => {
    const mixture = mix([{ tokens: [3, 4], logprobs: [0, Number.NEGATIVE_INFINITY], residual: 0 }], [1], 5)
    expect(mixture.tokens).toEqual([3, 4])
    expect(mixture.probs).toEqual([1, 0])
    expect(mixture.background).toBe(0)
  })
})

describe("logprobOf", () => {
  test("is the log of the token's probability, listed or not", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const mixture = mix(distributions, weights, vocabSize)
        const dense = denseMix(distributions, weights, vocabSize)
        dense.forEach((p, token) => {
          expect(Math.exp(logprobOf(mixture, token))).toBeCloseTo(p, 12)
        })
      }),
      { numRuns: 100 }
    )
  })

  test("rejects tokens outside the vocabulary", () => {
    const mixture = mix([{ tokens: [0], logprobs: [0], residual: 0 }], [1], 4)
    expect(logprobOf(mixture, 0)).toBe(0)
    expect(logprobOf(mixture, 3)).toBe(Number.NEGATIVE_INFINITY)
    expect(() => logprobOf(mixture, 4)).toThrow(/token 4 is outside the vocabulary \[0, 4\)/)
    expect(() => logprobOf(mixture, -1)).toThrow(RangeError)
  })
})

describe("unlistedToken", () => {
  test("maps index i to the i-th smallest unlisted id", () => {
    fc.assert(
      fc.property(mixInputArbitrary(), ({ distributions, weights, vocabSize }) => {
        const mixture = mix(distributions, weights, vocabSize)
        const listed = new Set(mixture.tokens)
        const unlisted = Array.from({ length: vocabSize }, (_, token) => token).filter((token) => !listed.has(token))
        expect(unlisted.map((_, index) => unlistedToken(mixture, index))).toEqual(unlisted)
        expect(() => unlistedToken(mixture, unlisted.length)).toThrow(RangeError)
      }),
      runs
    )
  })
})

describe("mix rejects bad input with a clear RangeError", () => {
  const good: SparseDistribution = { tokens: [1, 2], logprobs: [Math.log(0.5), Math.log(0.3)], residual: 0.2 }
  const cases: [string, () => unknown, RegExp][] = [
    ["empty input", () => mix([], [], 10), /no distributions/],
    ["mismatched lengths", () => mix([good], [1, 1], 10), /1 distributions but 2 weights/],
    ["negative weight", () => mix([good, good], [1, -1], 10), /weights\[1\] is -1.*non-negative/],
    ["NaN weight", () => mix([good], [Number.NaN], 10), /weights\[0\] is NaN/],
    ["infinite weight", () => mix([good], [Number.POSITIVE_INFINITY], 10), /weights\[0\] is Infinity/],
    ["all-zero weights", () => mix([good, good], [0, 0], 10), /all weights are zero/],
    ["bad vocabulary size", () => mix([good], [1], 0), /vocabSize is 0/],
    ["token too large", () => mix([good], [1], 2), /distributions\[0\]\.tokens\[1\] is 2.*\[0, 2\)/],
    ["negative token", () => mix([{ ...good, tokens: [-1, 2] }], [1], 10), /tokens\[0\] is -1/],
    ["fractional token", () => mix([{ ...good, tokens: [1.5, 2] }], [1], 10), /tokens\[0\] is 1.5/],
    [
      "duplicate token",
      () => mix([good, { ...good, tokens: [4, 4] }], [1, 1], 10),
      /distributions\[1\] lists token 4 twice/
    ],
    ["unpaired logprobs", () => mix([{ ...good, logprobs: [0] }], [1], 10), /2 tokens but 1 logprobs/],
    ["residual above 1", () => mix([{ ...good, residual: 1.5 }], [1], 10), /residual is 1.5/],
    ["negative residual", () => mix([{ ...good, residual: -0.1 }], [1], 10), /residual is -0.1/],
    ["NaN logprob", () => mix([{ ...good, logprobs: [Number.NaN, 0] }], [1], 10), /logprobs\[0\] is NaN/],
    ["no mass", () => mix([{ tokens: [], logprobs: [], residual: 0 }], [1], 10), /has no probability mass/]
  ]
  test.each(cases)("%s", (_, run, message) => {
    expect(run).toThrow(RangeError)
    expect(run).toThrow(message)
  })
})
