import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { createRandom } from "../../aggregator/random.ts"

const take = (random: () => number, count: number): number[] => Array.from({ length: count }, random)

describe("createRandom", () => {
  test("a seed pins the sequence on every platform", () => {
    // Golden values: a change here changes every seeded completion, so it must be deliberate.
    expect(take(createRandom(42), 4)).toEqual(GOLDEN_42)
    expect(take(createRandom(-1), 2)).toEqual(GOLDEN_MINUS_1)
  })

  test("floats lie in [0, 1) and seeds replay", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const values = take(createRandom(seed), 100)
        for (const value of values) {
          expect(value).toBeGreaterThanOrEqual(0)
          expect(value).toBeLessThan(1)
        }
        expect(take(createRandom(seed), 100)).toEqual(values)
      }),
      { numRuns: 200 }
    )
  })

  test("neighbouring seeds and the high half of a seed both matter", () => {
    expect(take(createRandom(0), 4)).not.toEqual(take(createRandom(1), 4))
    expect(take(createRandom(5), 4)).not.toEqual(take(createRandom(5 + 2 ** 32), 4))
  })

  test("without a seed, generators differ", () => {
    expect(take(createRandom(), 4)).not.toEqual(take(createRandom(), 4))
  })

  test("is roughly uniform", () => {
    const values = take(createRandom(7), 100_000)
    const buckets = new Array<number>(10).fill(0)
    for (const value of values) buckets[Math.floor(value * 10)]! += 1
    for (const bucket of buckets) expect(Math.abs(bucket / values.length - 0.1)).toBeLessThan(0.005)
  })

  test("rejects seeds that are not safe integers", () => {
    expect(() => createRandom(1.5)).toThrow(/random seed is 1.5; it must be a safe integer/)
    expect(() => createRandom(2 ** 60)).toThrow(RangeError)
    expect(() => createRandom(Number.NaN)).toThrow(RangeError)
  })
})

// Cross-checked against the C reference of xoshiro128** seeded by splitmix64.
const GOLDEN_42 = [0.4137016681565887, 0.003983993377814743, 0.6500837027638867, 0.6846020186141416]
const GOLDEN_MINUS_1 = [0.11122081116347982, 0.12938300625619603]
