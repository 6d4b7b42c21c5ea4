import { clientKey } from "./client-key.ts"
import type { FairUseConfig } from "./config.ts"
import { resolveFairUseConfig } from "./config.ts"
import { RecencyMap } from "./recency-map.ts"
import { TokenBucket } from "./token-bucket.ts"

export type RejectionReason = "requests" | "tokens" | "concurrency"

/** An admitted generation. Call `finish` when it ends, however it ends. */
export interface Ticket {
  /** The client key the request was charged to (see `clientKey`). */
  readonly client: string
  /** Tokens reserved: the requested amount capped at `tokenBurst`. The caller may cap `max_tokens` to it. */
  readonly reservedTokens: number
  /**
   * Frees the concurrency slot and settles the reservation: the unused part goes back to the client's budget, an
   * overrun is charged as far as the budget holds. Only the first call counts.
   */
  finish(usedTokens: number): void
}

export type Admission =
  | { readonly ok: true; readonly ticket: Ticket }
  /** `retryAfterMs`: when every refusing limit would admit this request, assuming nothing else changes. */
  | { readonly ok: false; readonly reason: RejectionReason; readonly retryAfterMs: number }

export interface FairUseStats {
  /** Clients whose budgets are remembered (at most `maxClients`). */
  readonly clients: number
  /** Admitted generations not yet finished. */
  readonly inFlight: number
  /** Refusals so far, by reason. */
  readonly rejections: Readonly<Record<RejectionReason, number>>
}

export interface FairUse {
  readonly config: FairUseConfig
  /**
   * Admits a request from `ip` that may generate up to `reservedTokens` (its `max_tokens`; pass the server's default
   * when the request sets none). Charges one request and the reservation, and takes a concurrency slot; a refusal
   * charges nothing.
   */
  admit(ip: string, reservedTokens: number): Admission
  stats(): FairUseStats
}

/** One client's budgets. */
interface Client {
  readonly requests: TokenBucket
  readonly tokens: TokenBucket
  /** Its unfinished tickets; a client with some is never swept as idle. */
  inFlight: number
}

/**
 * Stalest clients checked for sweeping per `admit`: more than one, so that sweeping outpaces the arrival of new
 * clients and the map shrinks back after a surge.
 */
const SWEEP_PER_ADMIT = 2

/**
 * Per-IP fair use (keyed by `clientKey`): a request budget, a generated-token budget and a global concurrency cap,
 * all driven by `now` (milliseconds) so that tests control time.
 *
 * Memory: clients sit in a map that knows who was seen least recently. A client whose budgets are both full again is
 * equivalent to one never seen, so each `admit` drops such clients from the stale end; past `maxClients` the stalest
 * is dropped whatever its state (it then starts over with full budgets, the price of a bounded table).
 */
export const createFairUse = (config: Partial<FairUseConfig> = {}, now: () => number = () => Date.now()): FairUse => {
  const resolved = resolveFairUseConfig(config)
  const requestBucket = { capacity: resolved.requestBurst, refillPerSecond: resolved.requestsPerMinute / 60 }
  const tokenBucket = { capacity: resolved.tokenBurst, refillPerSecond: resolved.tokensPerMinute / 60 }
  const clients = new RecencyMap<Client>()
  const rejections: Record<RejectionReason, number> = { requests: 0, tokens: 0, concurrency: 0 }
  let inFlight = 0

  const sweepIdle = (time: number): void => {
    for (let checked = 0; checked < SWEEP_PER_ADMIT; checked++) {
      const stalest = clients.stalest()
      if (stalest === undefined) return
      const { key, value: client } = stalest
      if (client.inFlight > 0) {
        // Still generating, so not idle: count it as seen, lest one long generation stall the sweep behind it.
        clients.touch(key, client)
      } else if (client.requests.isFull(time) && client.tokens.isFull(time)) {
        clients.delete(key)
      } else {
        // Everyone behind it was seen more recently, so is unlikely to be full either.
        return
      }
    }
  }

  const remember = (key: string, client: Client): void => {
    clients.touch(key, client)
    while (clients.size > resolved.maxClients) {
      const stalest = clients.stalest()
      if (stalest === undefined) return
      clients.delete(stalest.key)
    }
  }

  const refuse = (reason: RejectionReason, retryAfterMs: number): Admission => {
    rejections[reason] += 1
    return { ok: false, reason, retryAfterMs }
  }

  const admit = (ip: string, reservedTokens: number): Admission => {
    const time = now()
    sweepIdle(time)
    const key = clientKey(ip)
    // NaN asks for the worst case; the cap keeps every reservation satisfiable by a full budget.
    const reserve = Number.isNaN(reservedTokens) ? resolved.tokenBurst : clamp(reservedTokens, 0, resolved.tokenBurst)
    const known = clients.get(key)

    // A client not in the map has full budgets, which admit any single request.
    const requestsWaitMs = known?.requests.waitMs(time, 1) ?? 0
    const tokensWaitMs = known?.tokens.waitMs(time, reserve) ?? 0
    const concurrencyWaitMs = inFlight >= resolved.maxConcurrent ? resolved.concurrencyRetryAfterMs : 0
    if (known !== undefined) remember(key, known)
    // Report the longest wait: retrying sooner would only be refused again for another reason.
    if (requestsWaitMs > 0 && requestsWaitMs >= tokensWaitMs && requestsWaitMs >= concurrencyWaitMs) {
      return refuse("requests", requestsWaitMs)
    }
    if (tokensWaitMs > 0 && tokensWaitMs >= concurrencyWaitMs) return refuse("tokens", tokensWaitMs)
    if (concurrencyWaitMs > 0) return refuse("concurrency", concurrencyWaitMs)

    const client = known ?? {
      requests: new TokenBucket(requestBucket, time),
      tokens: new TokenBucket(tokenBucket, time),
      inFlight: 0
    }
    if (known === undefined) remember(key, client)
    client.requests.take(time, 1)
    client.tokens.take(time, reserve)
    client.inFlight += 1
    inFlight += 1
    return { ok: true, ticket: createTicket(key, client, reserve) }
  }

  const createTicket = (key: string, client: Client, reserve: number): Ticket => {
    let finished = false
    return {
      client: key,
      reservedTokens: reserve,
      finish: (usedTokens) => {
        if (finished) return
        finished = true
        inFlight -= 1
        client.inFlight -= 1
        // NaN (usage unknown) counts as the whole reservation used.
        const used = Number.isNaN(usedTokens) ? reserve : Math.max(0, usedTokens)
        const time = now()
        if (used < reserve) client.tokens.giveBack(time, reserve - used)
        else if (used > reserve) client.tokens.takeUpTo(time, used - reserve)
      }
    }
  }

  const stats = (): FairUseStats => ({
    clients: clients.size,
    inFlight,
    rejections: { ...rejections }
  })

  return { config: resolved, admit, stats }
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value))
