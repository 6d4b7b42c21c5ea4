// The chaos plan is a pure function of its seed: the same seed replays the same faults, and no plan ever takes more
// experts out of service at once than it may.
import fc from "fast-check"
import { expect, test } from "vitest"
import { countByKind, disrupts, FAULT_KINDS, planFaults } from "../../testbed/chaos/plan.ts"

const base = { seed: 1, experts: 5, durationMs: 120_000, meanGapMs: 1000, maxDisrupted: 2 }

test("a seed replays its plan; another seed gives another", () => {
  expect(planFaults(base)).toEqual(planFaults(base))
  expect(planFaults({ ...base, seed: 2 })).not.toEqual(planFaults(base))
})

test("a long plan uses every kind of fault, in order of time, within the span", () => {
  const plan = planFaults(base)
  const counts = countByKind(plan)
  for (const kind of FAULT_KINDS) expect(counts[kind]).toBeGreaterThan(5)
  for (let index = 1; index < plan.length; index++) expect(plan[index]!.atMs).toBeGreaterThan(plan[index - 1]!.atMs)
  expect(plan.at(-1)!.atMs).toBeLessThan(base.durationMs)
})

test("never more than maxDisrupted experts out of service at once, and never two faults on one expert", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 100, max: 3000 }),
      (seed, experts, meanGapMs) => {
        const maxDisrupted = Math.floor(experts / 2)
        const plan = planFaults({ seed, experts, durationMs: 60_000, meanGapMs, maxDisrupted })
        for (const fault of plan) {
          const ongoing = plan.filter(
            (other) => other !== fault && other.atMs <= fault.atMs && fault.atMs < other.atMs + other.outageMs
          )
          expect(ongoing.some((other) => other.expert === fault.expert)).toBe(false)
          const out = ongoing.filter((other) => disrupts(other.kind)).length + (disrupts(fault.kind) ? 1 : 0)
          expect(out).toBeLessThanOrEqual(maxDisrupted)
        }
      }
    ),
    { numRuns: 200 }
  )
})

test("a plan that would leave no expert standing is refused", () => {
  expect(() => planFaults({ ...base, maxDisrupted: 5 })).toThrow(/maxDisrupted must be within 0..4/)
  expect(() => planFaults({ ...base, experts: 0 })).toThrow(/at least one expert/)
})
