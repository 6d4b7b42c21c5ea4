/** Shape of a token bucket. */
export interface TokenBucketConfig {
  /** Most tokens the bucket holds, which is also the largest burst. Positive and finite. */
  readonly capacity: number
  /** Tokens added per second, continuously. Positive and finite. */
  readonly refillPerSecond: number
}

export type TakeResult =
  | { readonly ok: true }
  /** Not enough tokens yet: `retryAfterMs` is the time until `amount` tokens will be there. */
  | { readonly ok: false; readonly reason: "insufficient"; readonly retryAfterMs: number }
  /** `amount` is more than the bucket can ever hold; `retryAfterMs` is `Infinity`. */
  | { readonly ok: false; readonly reason: "exceeds-capacity"; readonly retryAfterMs: number }

/**
 * A token bucket, refilled lazily from the times its callers pass in (milliseconds, any epoch), so it needs no timer
 * and tests drive it with plain numbers. The level stays in [0, capacity]. A time earlier than one already seen
 * counts as that later time: a clock stepping back neither refills nor drains.
 *
 * A class rather than closures because the fair-use limiter keeps two per client, up to 100,000 clients: methods on
 * the prototype keep each bucket to two numbers and a shared config.
 */
export class TokenBucket {
  private level: number
  private updatedAt: number

  /** Starts full at time `now`. */
  constructor(
    readonly config: TokenBucketConfig,
    now: number
  ) {
    const { capacity, refillPerSecond } = config
    if (!(capacity > 0 && Number.isFinite(capacity))) {
      throw new RangeError(`TokenBucket: capacity is ${capacity}; it must be positive and finite`)
    }
    if (!(refillPerSecond > 0 && Number.isFinite(refillPerSecond))) {
      throw new RangeError(`TokenBucket: refillPerSecond is ${refillPerSecond}; it must be positive and finite`)
    }
    this.level = capacity
    this.updatedAt = now
  }

  /** Tokens available at `now`; changes nothing. */
  peek(now: number): number {
    const elapsedMs = now - this.updatedAt
    if (!(elapsedMs > 0)) return this.level
    // Multiply before dividing: whole milliseconds times a rate like 0.5/s then stay exact.
    return Math.min(this.config.capacity, this.level + (elapsedMs * this.config.refillPerSecond) / 1000)
  }

  /** True when the bucket is at capacity at `now`, i.e. indistinguishable from a fresh one. */
  isFull(now: number): boolean {
    return this.peek(now) >= this.config.capacity
  }

  /** Milliseconds from `now` until `amount` tokens are available: 0 if they are now, `Infinity` if never. */
  waitMs(now: number, amount: number): number {
    assertAmount("waitMs", amount)
    if (amount > this.config.capacity) return Number.POSITIVE_INFINITY
    if (this.level >= amount) return 0
    // Decided in time, not tokens: the moment the level reaches `amount` is computed once from the last update, so
    // a caller back exactly `retryAfterMs` later finds the tokens there, not 0.9999999999999999 of them. A clock
    // that stepped back waits from the last update.
    const readyAt = this.updatedAt + ((amount - this.level) * 1000) / this.config.refillPerSecond
    return Math.max(0, readyAt - now)
  }

  /** Takes `amount` tokens if all of them are there; otherwise takes nothing and says how long to wait. */
  take(now: number, amount: number): TakeResult {
    const retryAfterMs = this.waitMs(now, amount)
    if (retryAfterMs === Number.POSITIVE_INFINITY) return { ok: false, reason: "exceeds-capacity", retryAfterMs }
    if (retryAfterMs > 0) return { ok: false, reason: "insufficient", retryAfterMs }
    this.refill(now)
    // At `readyAt` the refilled level can fall a rounding error short of `amount`.
    this.level = Math.max(0, this.level - amount)
    return { ok: true }
  }

  /** Takes as much of `amount` as there is (charging an overrun never drives the level below 0); returns it. */
  takeUpTo(now: number, amount: number): number {
    assertAmount("takeUpTo", amount)
    this.refill(now)
    const taken = Math.min(this.level, amount)
    this.level -= taken
    return taken
  }

  /** Returns unused tokens of an earlier `take`; the bucket still never holds more than its capacity. */
  giveBack(now: number, amount: number): void {
    assertAmount("giveBack", amount)
    this.refill(now)
    this.level = Math.min(this.config.capacity, this.level + amount)
  }

  private refill(now: number): void {
    if (!(now > this.updatedAt)) return
    this.level = this.peek(now)
    this.updatedAt = now
  }
}

const assertAmount = (method: string, amount: number): void => {
  if (!(amount >= 0)) throw new RangeError(`TokenBucket.${method}: amount is ${amount}; it must be 0 or more`)
}
