import { describe, expect, test } from "vitest"
import { retryAfterSeconds } from "../../../gateway/fair-use/retry-after.ts"

describe("retryAfterSeconds", () => {
  test.each([
    [0, 1],
    [1, 1],
    [1000, 1],
    [1001, 2],
    [2000, 2],
    [2000.0000000000002, 2],
    [5000, 5],
    [59_999.5, 60]
  ])("%d ms is Retry-After: %d", (retryAfterMs, seconds) => {
    expect(retryAfterSeconds(retryAfterMs)).toBe(seconds)
  })

  test("refuses a wait that is not one", () => {
    expect(() => retryAfterSeconds(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => retryAfterSeconds(Number.NaN)).toThrow(RangeError)
    expect(() => retryAfterSeconds(-1)).toThrow(RangeError)
  })
})
