// When each chunk of one direction of a faulty link is handed on: serialised at the link rate, delayed, never reordered.

/** Faults of one direction of a link. */
export interface LinkFaults {
  /** One-way latency added to every chunk, in ms. Default 0. */
  readonly delayMs: number
  /** Extra latency drawn uniformly from 0..jitterMs for each chunk. Default 0. */
  readonly jitterMs: number
  /** Pacing in bytes per second; 0 means unlimited. Default 0. */
  readonly bandwidthBytesPerSecond: number
}

export const NO_FAULTS: LinkFaults = { delayMs: 0, jitterMs: 0, bandwidthBytesPerSecond: 0 }

/** What a direction remembers between chunks. */
export interface LinkClock {
  /** When the link has finished serialising the previous chunk (ms, same clock as `now`). */
  readonly linkFreeAt: number
  /** When the previous chunk was released; later chunks never go before it. */
  readonly lastReleaseAt: number
}

export const IDLE_LINK: LinkClock = { linkFreeAt: Number.NEGATIVE_INFINITY, lastReleaseAt: Number.NEGATIVE_INFINITY }

/** `base` with the defined fields of `changes` laid over it. */
export const mergeFaults = (base: LinkFaults, changes: Partial<LinkFaults>): LinkFaults => ({
  delayMs: changes.delayMs ?? base.delayMs,
  jitterMs: changes.jitterMs ?? base.jitterMs,
  bandwidthBytesPerSecond: changes.bandwidthBytesPerSecond ?? base.bandwidthBytesPerSecond
})

/** Fails on a negative or non-finite value, so a typo in a fault cannot silently mean "no fault". */
export const validateFaults = (faults: Partial<LinkFaults>): void => {
  for (const [key, value] of Object.entries(faults)) if (value !== undefined) requireNonNegative(key, value)
}

export const requireNonNegative = (name: string, value: unknown): void => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`)
  }
}

/**
 * The release time of a chunk of `bytes` that arrives at `now`: it waits for the link to be free, takes bytes / rate
 * to serialise, then delay plus a jitter sample; it is held back to the previous release so order is preserved.
 */
export const scheduleChunk = (
  clock: LinkClock,
  now: number,
  bytes: number,
  faults: LinkFaults,
  random: () => number = Math.random
): { readonly releaseAt: number; readonly clock: LinkClock } => {
  const paced = faults.bandwidthBytesPerSecond > 0
  const sentAt = paced ? Math.max(now, clock.linkFreeAt) + (bytes * 1000) / faults.bandwidthBytesPerSecond : now
  const arrivesAt = sentAt + faults.delayMs + random() * faults.jitterMs
  const releaseAt = Math.max(arrivesAt, clock.lastReleaseAt)
  return { releaseAt, clock: { linkFreeAt: paced ? sentAt : now, lastReleaseAt: releaseAt } }
}

/** Pacing works in slices so a large read is spread over time rather than released in one burst at its end. */
export const sliceSize = (faults: LinkFaults): number =>
  faults.bandwidthBytesPerSecond > 0 ? Math.max(1460, Math.floor(faults.bandwidthBytesPerSecond / 100)) : Infinity
