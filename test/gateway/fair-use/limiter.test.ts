import fc from "fast-check"
import { describe, expect, test } from "vitest"
import type { FairUseConfig } from "../../../gateway/fair-use/config.ts"
import type { Admission, Ticket } from "../../../gateway/fair-use/limiter.ts"
import { createFairUse } from "../../../gateway/fair-use/limiter.ts"

/** A clock the test moves by hand. */
const manualClock = (start = 1_700_000_000_000) => {
  let time = start
  return {
    now: () => time,
    advance: (ms: number): void => {
      time += ms
    }
  }
}

const setup = (config: Partial<FairUseConfig> = {}) => {
  const clock = manualClock()
  return { clock, fairUse: createFairUse(config, clock.now) }
}

const ticketOf = (admission: Admission): Ticket => {
  if (!admission.ok) throw new Error(`expected admission, got ${admission.reason} (${admission.retryAfterMs} ms)`)
  return admission.ticket
}

describe("createFairUse: requests", () => {
  test("the burst passes, the next is refused for exactly one token's refill, and passes once it has refilled", () => {
    const { clock, fairUse } = setup()
    for (let request = 0; request < 5; request++) ticketOf(fairUse.admit("203.0.113.7", 10)).finish(10)
    expect(fairUse.admit("203.0.113.7", 10)).toEqual({ ok: false, reason: "requests", retryAfterMs: 2000 })
    clock.advance(1999)
    expect(fairUse.admit("203.0.113.7", 10)).toMatchObject({ ok: false, reason: "requests", retryAfterMs: 1 })
    clock.advance(1)
    expect(fairUse.admit("203.0.113.7", 10).ok).toBe(true)
    expect(fairUse.admit("203.0.113.7", 10)).toMatchObject({ ok: false, reason: "requests", retryAfterMs: 2000 })
    expect(fairUse.admit("::ffff:203.0.113.7", 10)).toMatchObject({ ok: false, reason: "requests" })
    // Another client is unaffected.
    expect(fairUse.admit("198.51.100.1", 10).ok).toBe(true)
    expect(fairUse.stats().rejections).toEqual({ requests: 4, tokens: 0, concurrency: 0 })
  })

  test("IPv6 neighbours in one /64 share a budget; the next /64 has its own", () => {
    const { fairUse } = setup()
    const addresses = ["2001:db8::1", "2001:db8:0:0:ffff::2", "2001:DB8::3", "2001:0db8::4", "fe80::1%eth0"]
    for (const address of addresses.slice(0, 4)) ticketOf(fairUse.admit(address, 1)).finish(1)
    ticketOf(fairUse.admit("2001:db8::5", 1)).finish(1)
    expect(fairUse.admit("2001:db8:0:0:1:2:3:4", 1)).toMatchObject({ ok: false, reason: "requests" })
    expect(fairUse.admit("2001:db8:0:1::1", 1).ok).toBe(true)
    expect(fairUse.stats().clients).toBe(2)
  })

  test("a refusal charges nothing", () => {
    const { fairUse } = setup()
    ticketOf(fairUse.admit("203.0.113.7", 1500)).finish(1500)
    // Ten refusals for tokens take no request tokens: four more requests still fit the burst of five.
    for (let refusal = 0; refusal < 10; refusal++) {
      expect(fairUse.admit("203.0.113.7", 1000)).toMatchObject({ ok: false, reason: "tokens" })
    }
    for (let request = 0; request < 4; request++) ticketOf(fairUse.admit("203.0.113.7", 100)).finish(100)
    expect(fairUse.admit("203.0.113.7", 1)).toMatchObject({ ok: false, reason: "requests" })
  })
})

describe("createFairUse: tokens", () => {
  test("a reservation beyond the remaining budget waits exactly for the shortfall; an early finish refunds", () => {
    const { clock, fairUse } = setup()
    const first = ticketOf(fairUse.admit("203.0.113.7", 1500))
    // 500 left, 1000 wanted: 500 tokens at 100/s is 5 s.
    expect(fairUse.admit("203.0.113.7", 1000)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 5000 })
    clock.advance(1000)
    expect(fairUse.admit("203.0.113.7", 1000)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 4000 })
    // Used 200 of 1500: 1300 come back, so 600 + 1300 = 1900 are there.
    first.finish(200)
    const second = ticketOf(fairUse.admit("203.0.113.7", 1900))
    expect(fairUse.admit("203.0.113.7", 1)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 10 })
    second.finish(1900)
  })

  test("a reservation is capped at the burst, and an overrun is charged as far as the budget goes", () => {
    const { fairUse } = setup()
    const large = ticketOf(fairUse.admit("203.0.113.7", 1_000_000))
    expect(large.reservedTokens).toBe(2000)
    large.finish(0)
    expect(ticketOf(fairUse.admit("203.0.113.8", Number.NaN)).reservedTokens).toBe(2000)
    expect(ticketOf(fairUse.admit("203.0.113.9", -5)).reservedTokens).toBe(0)

    const small = ticketOf(fairUse.admit("198.51.100.1", 100))
    small.finish(600)
    // 2000 - 100 reserved - 500 overrun = 1400 left.
    expect(fairUse.admit("198.51.100.1", 1500)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 1000 })
    ticketOf(fairUse.admit("198.51.100.1", 1400)).finish(1_000_000)
    expect(fairUse.admit("198.51.100.1", 1)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 10 })
  })

  test("usage reported as negative counts as none, and unknown usage (NaN) as the whole reservation", () => {
    const { fairUse } = setup()
    const early = ticketOf(fairUse.admit("203.0.113.7", 500))
    ticketOf(fairUse.admit("203.0.113.7", 1500))
    early.finish(-100)
    expect(fairUse.admit("203.0.113.7", 501)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 10 })
    const unknown = ticketOf(fairUse.admit("203.0.113.7", 500))
    unknown.finish(Number.NaN)
    expect(fairUse.admit("203.0.113.7", 1)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 10 })
  })
})

describe("createFairUse: concurrency", () => {
  test("the request past maxConcurrent is refused until a ticket finishes, and finishing twice frees one slot", () => {
    const { fairUse } = setup({ maxConcurrent: 16 })
    const tickets = Array.from({ length: 16 }, (_, index) => ticketOf(fairUse.admit(`10.0.0.${index}`, 100)))
    expect(fairUse.admit("10.0.1.1", 100)).toEqual({ ok: false, reason: "concurrency", retryAfterMs: 1000 })
    expect(fairUse.stats()).toMatchObject({ inFlight: 16, clients: 16 })
    tickets[0]!.finish(50)
    tickets[0]!.finish(50)
    tickets[0]!.finish(0)
    expect(fairUse.stats().inFlight).toBe(15)
    ticketOf(fairUse.admit("10.0.1.1", 100))
    expect(fairUse.admit("10.0.1.2", 100)).toMatchObject({ ok: false, reason: "concurrency" })
    // The repeated finishes refunded once: 10.0.0.0 has 2000 - 100 + 50 = 1950, not more.
    expect(fairUse.stats().rejections).toEqual({ requests: 0, tokens: 0, concurrency: 2 })
    for (const ticket of tickets) ticket.finish(100)
    expect(fairUse.admit("10.0.0.0", 1950).ok).toBe(true)
    expect(fairUse.admit("10.0.0.0", 1)).toMatchObject({ ok: false, reason: "tokens" })
  })

  test("a newcomer refused for concurrency is not remembered; the longest wait is the one reported", () => {
    const { fairUse } = setup({ maxConcurrent: 1, concurrencyRetryAfterMs: 1500 })
    ticketOf(fairUse.admit("10.0.0.1", 1))
    for (let index = 0; index < 100; index++) fairUse.admit(`10.1.0.${index}`, 1)
    expect(fairUse.stats().clients).toBe(1)
    expect(fairUse.admit("10.0.0.1", 1)).toEqual({ ok: false, reason: "concurrency", retryAfterMs: 1500 })
    const { fairUse: tight } = setup({ maxConcurrent: 1, requestBurst: 1 })
    ticketOf(tight.admit("10.0.0.1", 1))
    // Both the gateway (1 s) and the client's request budget (2 s) refuse: the later one is what matters.
    expect(tight.admit("10.0.0.1", 1)).toEqual({ ok: false, reason: "requests", retryAfterMs: 2000 })
    // Requests (2 s) and tokens (2000 at 100/s: 20 s) both refuse: tokens is the later.
    const { fairUse: drained } = setup({ requestBurst: 1 })
    ticketOf(drained.admit("10.0.0.1", 2000))
    expect(drained.admit("10.0.0.1", 2000)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 20_000 })
    expect(drained.admit("10.0.0.1", 100)).toEqual({ ok: false, reason: "requests", retryAfterMs: 2000 })
  })
})

describe("createFairUse: bounds", () => {
  const admissionConfig = fc.record({
    requestsPerMinute: fc.integer({ min: 1, max: 600 }),
    requestBurst: fc.integer({ min: 1, max: 10 }),
    tokensPerMinute: fc.integer({ min: 60, max: 60_000 }),
    tokenBurst: fc.integer({ min: 1, max: 5000 })
  })
  const attempt = fc.record({
    waitMs: fc.nat({ max: 3000 }),
    reserve: fc.nat({ max: 6000 }),
    used: fc.nat({ max: 6000 })
  })

  test("in any window one client is admitted at most burst + rate x window requests, and charged as many tokens", () => {
    fc.assert(
      fc.property(admissionConfig, fc.array(attempt, { maxLength: 120 }), (config, attempts) => {
        const { clock, fairUse } = setup({ ...config, maxConcurrent: 1000 })
        const admitted: Array<{ at: number; tokens: number }> = []
        for (const { waitMs, reserve, used } of attempts) {
          clock.advance(waitMs)
          const admission = fairUse.admit("203.0.113.7", reserve)
          if (!admission.ok) continue
          // Net charge: the reservation settled at once; an overrun is charged only as far as the budget held.
          const charged = Math.min(used, admission.ticket.reservedTokens)
          admission.ticket.finish(charged)
          admitted.push({ at: clock.now(), tokens: charged })
        }
        for (let first = 0; first < admitted.length; first++) {
          let tokens = 0
          for (let last = first; last < admitted.length; last++) {
            tokens += admitted[last]!.tokens
            const windowSeconds = (admitted[last]!.at - admitted[first]!.at) / 1000
            const requests = last - first + 1
            expect(requests).toBeLessThanOrEqual(
              config.requestBurst + (config.requestsPerMinute / 60) * windowSeconds + 1e-6
            )
            expect(tokens).toBeLessThanOrEqual(config.tokenBurst + (config.tokensPerMinute / 60) * windowSeconds + 1e-6)
          }
        }
      }),
      { numRuns: 300 }
    )
  })

  test("under random traffic, in-flight and rejection counts add up, whatever is finished twice", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("admit" as const), client: fc.nat({ max: 5 }), reserve: fc.nat({ max: 2500 }) }),
      fc.record({ kind: fc.constant("finish" as const), pick: fc.nat(), used: fc.nat({ max: 2500 }) }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.nat({ max: 5000 }) })
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 150 }), (steps) => {
        const { clock, fairUse } = setup({ maxConcurrent: 4, maxClients: 3 })
        const tickets: Ticket[] = []
        const finished = new Set<Ticket>()
        const refused = { requests: 0, tokens: 0, concurrency: 0 }
        for (const current of steps) {
          if (current.kind === "admit") {
            const admission = fairUse.admit(`2001:db8:${current.client}::1`, current.reserve)
            if (admission.ok) tickets.push(admission.ticket)
            else refused[admission.reason] += 1
          } else if (current.kind === "finish" && tickets.length > 0) {
            // Picks among all tickets, finished ones included.
            const ticket = tickets[current.pick % tickets.length]!
            ticket.finish(current.used)
            finished.add(ticket)
          } else if (current.kind === "wait") {
            clock.advance(current.ms)
          }
          const stats = fairUse.stats()
          expect(stats.rejections).toEqual(refused)
          expect(stats.inFlight).toBe(tickets.length - finished.size)
          expect(stats.inFlight).toBeLessThanOrEqual(4)
          expect(stats.clients).toBeLessThanOrEqual(3)
        }
      }),
      { numRuns: 200 }
    )
  })

  test("200,000 distinct clients leave at most maxClients remembered, and idle ones are swept", () => {
    const { fairUse } = setup()
    for (let index = 0; index < 200_000; index++) {
      ticketOf(fairUse.admit(`10.${index >> 16}.${(index >> 8) & 0xff}.${index & 0xff}`, 10)).finish(10)
      if (index % 1000 === 0) expect(fairUse.stats().clients).toBeLessThanOrEqual(100_000)
    }
    expect(fairUse.stats().clients).toBe(100_000)

    const small = setup({ maxClients: 1000 })
    for (let index = 0; index < 20_000; index++) {
      ticketOf(small.fairUse.admit(`2001:db8:${index.toString(16)}::1`, 10)).finish(10)
      if (index % 100 === 0) expect(small.fairUse.stats().clients).toBeLessThanOrEqual(1000)
    }
    expect(small.fairUse.stats().clients).toBe(1000)
    // Not yet refilled: nobody is swept.
    small.clock.advance(1000)
    for (let request = 0; request < 10; request++) small.fairUse.admit("203.0.113.7", 1)
    expect(small.fairUse.stats().clients).toBe(1000)
    // Full again, clients are indistinguishable from new ones and go, two per admission.
    small.clock.advance(9000)
    for (let request = 0; request < 500; request++) small.fairUse.admit("203.0.113.7", 1)
    expect(small.fairUse.stats().clients).toBe(1)
  })

  test("a client still generating is not swept, so its ticket settles against the budget it was charged to", () => {
    const { clock, fairUse } = setup({ maxClients: 10 })
    const long = ticketOf(fairUse.admit("203.0.113.7", 0))
    // Each newcomer finds the one before it idle and full again, and sweeps it; the long generation stays.
    for (let index = 0; index < 50; index++) {
      clock.advance(20_000)
      ticketOf(fairUse.admit(`10.0.0.${index}`, 0)).finish(0)
      expect(fairUse.stats().clients).toBe(2)
    }
    // Generated 2000 beyond its reservation of 0: charged to the remembered budget.
    long.finish(2000)
    expect(fairUse.admit("203.0.113.7", 1)).toEqual({ ok: false, reason: "tokens", retryAfterMs: 10 })
  })
})

describe("createFairUse: config", () => {
  test("defaults are documented values, and bad values are refused", () => {
    expect(createFairUse().config).toEqual({
      requestsPerMinute: 30,
      requestBurst: 5,
      tokensPerMinute: 6000,
      tokenBurst: 2000,
      maxConcurrent: 16,
      maxClients: 100_000,
      concurrencyRetryAfterMs: 1000
    })
    expect(createFairUse({ maxConcurrent: undefined }).config.maxConcurrent).toBe(16)
    expect(() => createFairUse({ requestBurst: 0.5 })).toThrow(RangeError)
    expect(() => createFairUse({ tokensPerMinute: 0 })).toThrow(RangeError)
    expect(() => createFairUse({ maxClients: 1.5 })).toThrow(RangeError)
    expect(() => createFairUse({ maxConcurrent: Number.NaN })).toThrow(RangeError)
  })
})
