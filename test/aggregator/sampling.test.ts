import fc from "fast-check"
import { describe, expect, test } from "vitest"
import type { Mixture } from "../../aggregator/mixture.ts"
import { mix } from "../../aggregator/mixture.ts"
import type { SamplingOptions } from "../../aggregator/sampling.ts"
import { createSampler, greedyToken, resolveSamplingOptions } from "../../aggregator/sampling.ts"
import { mixInputArbitrary } from "./arbitraries.ts"
import { denseOrder, denseSamplingProbabilities } from "./reference.ts"

const mixtureArbitrary: fc.Arbitrary<Mixture> = mixInputArbitrary().map(({ distributions, weights, vocabSize }) =>
  mix(distributions, weights, vocabSize)
)
const seedArbitrary = fc.integer({ min: -(2 ** 40), max: 2 ** 40 })

const draw = (mixture: Mixture, options: SamplingOptions, count: number): number[] => {
  const sampler = createSampler(options)
  return Array.from({ length: count }, () => sampler.sample(mixture))
}

const frequencies = (mixture: Mixture, options: SamplingOptions, count: number): number[] => {
  const counts = new Array<number>(mixture.vocabSize).fill(0)
  for (const token of draw(mixture, options, count)) counts[token] = counts[token]! + 1
  return counts.map((hits) => hits / count)
}

describe("greedy", () => {
  test("picks the argmax, listed tokens first and the experts' rank order through ties", () => {
    fc.assert(
      fc.property(mixtureArbitrary, (mixture) => {
        expect(greedyToken(mixture)).toBe(denseOrder(mixture)[0]!.token)
        expect(createSampler({ temperature: 0 }).sample(mixture)).toBe(greedyToken(mixture))
      }),
      { numRuns: 300 }
    )
  })

  test("K = 1 greedy is the expert's own greedy, even on a quantised tie", () => {
    const tied = { tokens: [7, 3, 5], logprobs: [-1, -1, -2], residual: 1 - 2 * Math.exp(-1) - Math.exp(-2) }
    expect(greedyToken(mix([tied], [1], 100))).toBe(7)
  })

  test("an unlisted token wins only when strictly more probable: the smallest unlisted id", () => {
    // Token 0 holds 0.1; each of the 4 others holds 0.9 / 4 = 0.225.
    expect(greedyToken(mix([{ tokens: [0], logprobs: [Math.log(0.1)], residual: 0.9 }], [1], 5))).toBe(1)
    // Token 2 holds 0.2, exactly what each unlisted token holds: the listed one wins the tie.
    expect(greedyToken(mix([{ tokens: [2], logprobs: [Math.log(0.2)], residual: 0.8 }], [1], 5))).toBe(2)
    // Nothing listed: uniform, so the smallest id.
    expect(greedyToken(mix([{ tokens: [], logprobs: [], residual: 1 }], [1], 5))).toBe(0)
  })
})

describe("sampling", () => {
  test("the same seed gives the same sequence", () => {
    fc.assert(
      fc.property(mixtureArbitrary, seedArbitrary, fc.double({ min: 0.1, max: 2, noNaN: true }), (mixture, seed, t) => {
        const options = { seed, temperature: t, topP: 0.9 }
        expect(draw(mixture, options, 50)).toEqual(draw(mixture, options, 50))
      }),
      { numRuns: 100 }
    )
  })

  test("different seeds give different sequences", () => {
    const mixture = mix([{ tokens: [], logprobs: [], residual: 1 }], [1], 1000)
    expect(draw(mixture, { seed: 1 }, 20)).not.toEqual(draw(mixture, { seed: 2 }, 20))
  })

  test("at temperature 1, 20k draws match the mixture within 0.015", () => {
    fc.assert(
      fc.property(mixtureArbitrary, seedArbitrary, (mixture, seed) => {
        const expected = denseSamplingProbabilities(mixture, {})
        const observed = frequencies(mixture, { seed }, 20_000)
        observed.forEach((frequency, token) => {
          expect(Math.abs(frequency - expected[token]!)).toBeLessThan(0.015)
        })
      }),
      { numRuns: 15, seed: 42 }
    )
  })

  test("with temperature, top-k and top-p, 20k draws match the dense definition within 0.015", () => {
    const options = fc.record({
      temperature: fc.double({ min: 0.3, max: 3, noNaN: true }),
      topK: fc.integer({ min: 0, max: 12 }),
      topP: fc.oneof(fc.constant(1), fc.double({ min: 0.05, max: 1, noNaN: true })),
      seed: seedArbitrary
    })
    fc.assert(
      fc.property(mixtureArbitrary, options, (mixture, options) => {
        const expected = denseSamplingProbabilities(mixture, options)
        const observed = frequencies(mixture, options, 20_000)
        observed.forEach((frequency, token) => {
          if (expected[token] === 0) expect(frequency).toBe(0)
          expect(Math.abs(frequency - expected[token]!)).toBeLessThan(0.015)
        })
      }),
      { numRuns: 25, seed: 7 }
    )
  })

  test("draws exactly the tokens the dense definition keeps", () => {
    const options = fc.record({
      temperature: fc.double({ min: 0.3, max: 3, noNaN: true }),
      topK: fc.integer({ min: 0, max: 12 }),
      topP: fc.double({ min: 0.05, max: 1, noNaN: true }),
      seed: seedArbitrary
    })
    fc.assert(
      fc.property(mixtureArbitrary, options, (mixture, options) => {
        const expected = denseSamplingProbabilities(mixture, options)
        const drawn = new Set(draw(mixture, options, 2_000))
        expected.forEach((p, token) => {
          if (p === 0) expect(drawn.has(token)).toBe(false)
          // A token kept with 1% or more is missed by 2000 draws with probability below 1e-8.
          if (p >= 0.01) expect(drawn.has(token)).toBe(true)
        })
      }),
      { numRuns: 150, seed: 11 }
    )
  })

  test("top-p keeps the token that crosses the line, counting unlisted tokens one by one", () => {
    const listed = mix([{ tokens: [4, 5, 6], logprobs: [0.5, 0.3, 0.2].map(Math.log), residual: 0 }], [1], 10)
    const head = frequencies(listed, { seed: 5, topP: 0.6 }, 20_000)
    expect(head[4]).toBeCloseTo(0.625, 1)
    expect(head[5]).toBeCloseTo(0.375, 1)
    expect(head[6]).toBe(0)
    // Token 0 holds 0.1 and sorts first; each unlisted token also holds 0.1. Reaching 0.25 takes tokens 0, 1 and 2.
    const block = mix([{ tokens: [0], logprobs: [Math.log(0.1)], residual: 0.9 }], [1], 10)
    const kept = frequencies(block, { seed: 5, topP: 0.25 }, 20_000)
    expect(kept.map((frequency) => frequency > 0)).toEqual([true, true, true, ...new Array(7).fill(false)])
  })

  test("an unlisted token that is drawn is uniform over the unlisted ids", () => {
    // Tokens 0 and 9 listed with 0.05 each; the other 8 share 0.9 evenly.
    const mixture = mix([{ tokens: [9, 0], logprobs: [Math.log(0.05), Math.log(0.05)], residual: 0.9 }], [1], 10)
    const observed = frequencies(mixture, { seed: 3 }, 20_000)
    observed.forEach((frequency, token) => {
      expect(Math.abs(frequency - (token === 0 || token === 9 ? 0.05 : 0.1125))).toBeLessThan(0.01)
    })
  })

  test("top-k = 1 and a tiny top-p are greedy", () => {
    fc.assert(
      fc.property(mixtureArbitrary, seedArbitrary, fc.double({ min: 0.1, max: 5, noNaN: true }), (mixture, seed, t) => {
        const greedy = greedyToken(mixture)
        expect(new Set(draw(mixture, { seed, temperature: t, topK: 1 }, 30))).toEqual(new Set([greedy]))
        expect(new Set(draw(mixture, { seed, temperature: t, topP: 1e-9 }, 30))).toEqual(new Set([greedy]))
      }),
      { numRuns: 200 }
    )
  })

  test("a temperature near 0 is greedy when the maximum is unique", () => {
    fc.assert(
      fc.property(mixtureArbitrary, seedArbitrary, (mixture, seed) => {
        const [first, second] = denseOrder(mixture)
        fc.pre(second === undefined || first!.p > second.p * 1.01)
        expect(new Set(draw(mixture, { seed, temperature: 1e-4 }, 30))).toEqual(new Set([greedyToken(mixture)]))
      }),
      { numRuns: 200 }
    )
  })
})

describe("sampling options", () => {
  test("default to temperature 1, top-p 1, top-k off", () => {
    expect(resolveSamplingOptions()).toEqual({ temperature: 1, topP: 1, topK: 0 })
  })

  const cases: [string, SamplingOptions, RegExp][] = [
    ["negative temperature", { temperature: -0.5 }, /temperature is -0.5/],
    ["infinite temperature", { temperature: Number.POSITIVE_INFINITY }, /temperature is Infinity/],
    ["zero top-p", { topP: 0 }, /topP is 0; it must be in \(0, 1\]/],
    ["top-p above 1", { topP: 1.5 }, /topP is 1.5/],
    ["NaN top-p", { topP: Number.NaN }, /topP is NaN/],
    ["fractional top-k", { topK: 2.5 }, /topK is 2.5/],
    ["negative top-k", { topK: -1 }, /topK is -1/],
    ["fractional seed", { seed: 0.5 }, /seed is 0.5/]
  ]
  test.each(cases)("reject %s", (_, options, message) => {
    expect(() => createSampler(options)).toThrow(RangeError)
    expect(() => createSampler(options)).toThrow(message)
  })
})
