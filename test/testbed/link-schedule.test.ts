import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { IDLE_LINK, type LinkFaults, scheduleChunk, sliceSize } from "../../testbed/link-schedule.ts"

const faultsArbitrary: fc.Arbitrary<LinkFaults> = fc.record({
  delayMs: fc.double({ min: 0, max: 200, noNaN: true }),
  jitterMs: fc.double({ min: 0, max: 200, noNaN: true }),
  bandwidthBytesPerSecond: fc.oneof(fc.constant(0), fc.double({ min: 1000, max: 1e8, noNaN: true }))
})

const arrivalsArbitrary = fc.array(
  fc.record({ gapMs: fc.double({ min: 0, max: 50, noNaN: true }), bytes: fc.integer({ min: 0, max: 70_000 }) }),
  { minLength: 1, maxLength: 60 }
)

describe("scheduleChunk", () => {
  test("release times never go backwards and never come before arrival plus delay", () => {
    fc.assert(
      fc.property(
        faultsArbitrary,
        arrivalsArbitrary,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (faults, arrivals, draw) => {
          let clock = IDLE_LINK
          let now = 0
          let previous = Number.NEGATIVE_INFINITY
          for (const { gapMs, bytes } of arrivals) {
            now += gapMs
            const next = scheduleChunk(clock, now, bytes, faults, () => draw)
            expect(next.releaseAt).toBeGreaterThanOrEqual(previous)
            expect(next.releaseAt).toBeGreaterThanOrEqual(now + faults.delayMs)
            previous = next.releaseAt
            clock = next.clock
          }
        }
      )
    )
  })

  test("a paced link takes at least bytes / rate for everything", () => {
    fc.assert(
      fc.property(arrivalsArbitrary, fc.integer({ min: 1000, max: 10_000_000 }), (arrivals, rate) => {
        const faults: LinkFaults = { delayMs: 0, jitterMs: 0, bandwidthBytesPerSecond: rate }
        let clock = IDLE_LINK
        let last = 0
        let total = 0
        for (const { bytes } of arrivals) {
          const next = scheduleChunk(clock, 0, bytes, faults)
          clock = next.clock
          last = next.releaseAt
          total += bytes
        }
        expect(last).toBeCloseTo((total * 1000) / rate, 6)
      })
    )
  })

  test("pacing slices large reads; an unpaced link does not", () => {
    expect(sliceSize({ delayMs: 0, jitterMs: 0, bandwidthBytesPerSecond: 100_000 })).toBe(1460)
    expect(sliceSize({ delayMs: 0, jitterMs: 0, bandwidthBytesPerSecond: 10_000_000 })).toBe(100_000)
    expect(sliceSize({ delayMs: 0, jitterMs: 0, bandwidthBytesPerSecond: 0 })).toBe(Number.POSITIVE_INFINITY)
  })
})
