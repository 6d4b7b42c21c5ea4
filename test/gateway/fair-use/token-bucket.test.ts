import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { TokenBucket } from "../../../gateway/fair-use/token-bucket.ts"

describe("TokenBucket", () => {
  test("starts full, refuses the first token too many with the exact refill time, then refills", () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 0.5 }, 1000)
    for (let request = 0; request < 5; request++) expect(bucket.take(1000, 1)).toEqual({ ok: true })
    expect(bucket.take(1000, 1)).toEqual({ ok: false, reason: "insufficient", retryAfterMs: 2000 })
    expect(bucket.take(2999, 1)).toEqual({ ok: false, reason: "insufficient", retryAfterMs: 1 })
    expect(bucket.take(3000, 1)).toEqual({ ok: true })
    expect(bucket.peek(3000)).toBe(0)
  })

  test("the wait for several tokens counts the fraction already refilled", () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 4 }, 0)
    expect(bucket.take(0, 10)).toEqual({ ok: true })
    // 250 ms refills one token; three more need 750 ms.
    expect(bucket.take(250, 4)).toEqual({ ok: false, reason: "insufficient", retryAfterMs: 750 })
    expect(bucket.peek(250)).toBe(1)
  })

  test("more than the capacity is refused for good, and takes nothing", () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1 }, 0)
    expect(bucket.take(0, 5.5)).toEqual({
      ok: false,
      reason: "exceeds-capacity",
      retryAfterMs: Number.POSITIVE_INFINITY
    })
    expect(bucket.peek(0)).toBe(5)
    expect(bucket.waitMs(0, 6)).toBe(Number.POSITIVE_INFINITY)
  })

  test("giving back never overfills; taking up to an amount never goes below zero", () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1 }, 0)
    bucket.take(0, 2)
    bucket.giveBack(0, 10)
    expect(bucket.peek(0)).toBe(5)
    expect(bucket.takeUpTo(0, 7)).toBe(5)
    expect(bucket.peek(0)).toBe(0)
    expect(bucket.takeUpTo(0, 1)).toBe(0)
    expect(bucket.isFull(4999)).toBe(false)
    expect(bucket.isFull(5000)).toBe(true)
  })

  test("a clock stepping back neither refills nor shortens the wait", () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, 10_000)
    bucket.take(10_000, 2)
    expect(bucket.peek(5_000)).toBe(0)
    expect(bucket.waitMs(9_000, 1)).toBe(2000)
    // Touching the bucket at an earlier time must not rewind it, or the same second would refill twice.
    expect(bucket.takeUpTo(5_000, 0)).toBe(0)
    bucket.giveBack(5_000, 0)
    expect(bucket.peek(11_000)).toBe(1)
    expect(bucket.take(11_000, 1)).toEqual({ ok: true })
    // Tokens already there are there from an earlier clock too.
    bucket.giveBack(11_000, 1)
    expect(bucket.waitMs(4_000, 1)).toBe(0)
  })

  test("rejects a bad shape or amount", () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 }, 0)).toThrow(RangeError)
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: Number.NaN }, 0)).toThrow(RangeError)
    expect(() => new TokenBucket({ capacity: Number.POSITIVE_INFINITY, refillPerSecond: 1 }, 0)).toThrow(RangeError)
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, 0)
    expect(() => bucket.take(0, -1)).toThrow(RangeError)
    expect(() => bucket.giveBack(0, Number.NaN)).toThrow(RangeError)
  })

  const operation = fc.oneof(
    fc.record({ kind: fc.constant("advance" as const), ms: fc.nat({ max: 10_000 }) }),
    fc.record({ kind: fc.constant("take" as const), amount: fc.double({ min: 0, max: 30, noNaN: true }) }),
    fc.record({ kind: fc.constant("takeUpTo" as const), amount: fc.double({ min: 0, max: 30, noNaN: true }) }),
    fc.record({ kind: fc.constant("giveBack" as const), amount: fc.double({ min: 0, max: 30, noNaN: true }) })
  )
  const shape = fc.record({
    capacity: fc.double({ min: 0.5, max: 20, noNaN: true }),
    refillPerSecond: fc.double({ min: 0.01, max: 100, noNaN: true })
  })

  test("under any sequence of operations the level stays in [0, capacity] and moves by what was taken or given", () => {
    fc.assert(
      fc.property(shape, fc.array(operation, { maxLength: 60 }), (config, operations) => {
        const bucket = new TokenBucket(config, 0)
        let now = 0
        for (const step of operations) {
          if (step.kind === "advance") {
            const before = bucket.peek(now)
            now += step.ms
            expect(bucket.peek(now)).toBeGreaterThanOrEqual(before)
          } else {
            const before = bucket.peek(now)
            if (step.kind === "take") {
              const result = bucket.take(now, step.amount)
              // Admitted when the tokens are there, refused when they are not (to within rounding).
              if (result.ok) expect(before).toBeGreaterThanOrEqual(step.amount - 1e-9)
              else if (step.amount <= config.capacity) expect(before).toBeLessThan(step.amount + 1e-9)
              if (step.amount > config.capacity) expect(result.ok).toBe(false)
              const expected = result.ok ? Math.max(0, before - step.amount) : before
              expect(bucket.peek(now)).toBeCloseTo(expected, 9)
            } else if (step.kind === "takeUpTo") {
              const taken = bucket.takeUpTo(now, step.amount)
              expect(taken).toBeCloseTo(Math.min(before, step.amount), 9)
              expect(bucket.peek(now)).toBeCloseTo(before - taken, 9)
            } else {
              bucket.giveBack(now, step.amount)
              expect(bucket.peek(now)).toBeCloseTo(Math.min(config.capacity, before + step.amount), 9)
            }
          }
          const level = bucket.peek(now)
          expect(level).toBeGreaterThanOrEqual(0)
          expect(level).toBeLessThanOrEqual(config.capacity)
        }
      }),
      { numRuns: 300 }
    )
  })

  test("retryAfterMs is exact: waiting it out admits the same take, and any earlier time does not", () => {
    fc.assert(
      fc.property(
        shape,
        // Epoch-scale clocks (Date.now) leave fewer bits for the fraction of a millisecond.
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000_000_000_000 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (config, start, drainedShare, askedShare) => {
          const drained = () => {
            const bucket = new TokenBucket(config, start)
            bucket.take(start, config.capacity * drainedShare)
            return bucket
          }
          const bucket = drained()
          const amount = config.capacity * askedShare
          const result = bucket.take(start, amount)
          if (result.ok) return
          expect(result.reason).toBe("insufficient")
          // 0.1% earlier, there is measurably less than asked for.
          if (result.retryAfterMs > 1) {
            expect(drained().waitMs(start + result.retryAfterMs * 0.999, amount)).toBeGreaterThan(0)
          }
          expect(bucket.take(start + result.retryAfterMs, amount)).toEqual({ ok: true })
        }
      ),
      { numRuns: 1000 }
    )
  })

  test("waiting out retryAfterMs on an epoch-scale clock is enough despite rounding", () => {
    // Found by search: the level computed at the retry time is 0.9999999999999999.
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 / 60 }, 1_700_000_000_123)
    bucket.take(1_700_000_000_123, 0.10000000000000009)
    const result = bucket.take(1_700_000_000_123, 1)
    expect(result).toEqual({ ok: false, reason: "insufficient", retryAfterMs: 6000 })
    expect(bucket.take(1_700_000_000_123 + 6000, 1)).toEqual({ ok: true })
  })
})
