import { expect, test } from "vitest"
import { createBans } from "../../router/bans.ts"

test("bans double with each strike, cap at the maximum, and are forgotten after a clean spell", () => {
  let clock = 0
  const bans = createBans({ baseMs: 1000, maxMs: 8000 }, () => clock)
  expect(bans.strike("a")).toBe(1000)
  expect(bans.isBanned("a")).toBe(true)
  expect(bans.banned()).toEqual(new Set(["a"]))
  clock = 1001
  expect(bans.isBanned("a")).toBe(false)
  expect(bans.strike("a")).toBe(2000)
  clock += 2001
  expect(bans.strike("a")).toBe(4000)
  clock += 4001
  expect(bans.strike("a")).toBe(8000)
  clock += 8001
  expect(bans.strike("a")).toBe(8000)
  // Clean for longer than the last ban: the next failure starts over.
  clock += 8000 + 8001
  expect(bans.banned()).toEqual(new Set())
  expect(bans.strike("a")).toBe(1000)
  expect(bans.isBanned("b")).toBe(false)
})

test("failures seen during a ban are one incident: eight generations losing the same peer ban it once", () => {
  let clock = 0
  const bans = createBans({ baseMs: 1000, maxMs: 60_000 }, () => clock)
  for (let generation = 0; generation < 8; generation++) expect(bans.strike("a")).toBe(1000)
  clock = 1001
  expect(bans.strike("a")).toBe(2000)
})

test("a governed ban keeps a peer out for its whole length, however clean it was", () => {
  let clock = 0
  const bans = createBans({ baseMs: 1000, maxMs: 8000 }, () => clock)
  bans.ban("a", 60_000)
  expect(bans.isBanned("a")).toBe(true)
  clock = 59_999
  expect(bans.banned()).toEqual(new Set(["a"]))
  clock = 60_001
  expect(bans.isBanned("a")).toBe(false)
})
