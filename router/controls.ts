// Routing settings that change while the router runs: the K used when a request names none, and per-expert mixture
// weights. The safety layer's tier-1 actions (set_k, set_weight) change them; generations read them at start.
export interface RouterControls {
  /** K for requests that name none; undefined: the caller's own default. */
  readonly k: () => number | undefined
  readonly setK: (k: number) => void
  /** An expert's mixture weight (1 unless set). */
  readonly weight: (peerId: string) => number
  readonly setWeight: (peerId: string, weight: number) => void
  /** Weights set so far, by peer id. */
  readonly weights: () => ReadonlyMap<string, number>
}

export const createRouterControls = (): RouterControls => {
  let k: number | undefined
  const weights = new Map<string, number>()
  return {
    k: () => k,
    setK: (value) => {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`K is ${value}; it must be a positive integer`)
      k = value
    },
    weight: (peerId) => weights.get(peerId) ?? 1,
    setWeight: (peerId, weight) => {
      if (!(Number.isFinite(weight) && weight > 0)) throw new RangeError(`weight ${weight} must be positive and finite`)
      weights.set(peerId, weight)
    },
    weights: () => new Map(weights)
  }
}
