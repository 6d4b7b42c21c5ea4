import { expect, test } from "vitest"
import { measureRegistry } from "../../router/registry/bench.ts"

test("measureRegistry runs and reports both figures (sizes kept small: no timing is asserted)", () => {
  const figures = measureRegistry({ peers: 200, events: 2000, familySize: 300, choices: 200 })
  expect(figures.applyMicrosPerEvent).toBeGreaterThan(0)
  expect(figures.chooseMicrosPerChoice).toBeGreaterThan(0)
  expect(Number.isFinite(figures.applyMicrosPerEvent + figures.chooseMicrosPerChoice)).toBe(true)
})
