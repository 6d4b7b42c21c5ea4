/** Per-IP fair-use limits of the gateway. Every field is optional in `createFairUse`; the defaults are below. */
export interface FairUseConfig {
  /** Requests each client may start per minute, sustained. Positive. Default 30. */
  readonly requestsPerMinute: number
  /** Requests a client may start back to back from a full budget. At least 1. Default 5. */
  readonly requestBurst: number
  /** Generated tokens each client may spend per minute, sustained. Positive. Default 6000. */
  readonly tokensPerMinute: number
  /**
   * Most tokens a client may hold in reserve; one request reserves its `max_tokens` up front, capped at this.
   * Positive. Default 2000.
   */
  readonly tokenBurst: number
  /** Generations running at once across all clients. Positive integer. Default 16. */
  readonly maxConcurrent: number
  /** Most clients whose budgets are remembered; the least recently seen are forgotten beyond it. Default 100,000. */
  readonly maxClients: number
  /** Retry-After for a refusal because the gateway is full, which no budget can predict. Positive. Default 1000. */
  readonly concurrencyRetryAfterMs: number
}

export const DEFAULT_FAIR_USE: FairUseConfig = Object.freeze({
  requestsPerMinute: 30,
  requestBurst: 5,
  tokensPerMinute: 6000,
  tokenBurst: 2000,
  maxConcurrent: 16,
  maxClients: 100_000,
  concurrencyRetryAfterMs: 1000
})

/** Fills in defaults (an `undefined` field counts as absent) and checks every value; a bad one is a RangeError. */
export const resolveFairUseConfig = (config: Partial<FairUseConfig> = {}): FairUseConfig => {
  const resolved: FairUseConfig = Object.freeze({
    requestsPerMinute: config.requestsPerMinute ?? DEFAULT_FAIR_USE.requestsPerMinute,
    requestBurst: config.requestBurst ?? DEFAULT_FAIR_USE.requestBurst,
    tokensPerMinute: config.tokensPerMinute ?? DEFAULT_FAIR_USE.tokensPerMinute,
    tokenBurst: config.tokenBurst ?? DEFAULT_FAIR_USE.tokenBurst,
    maxConcurrent: config.maxConcurrent ?? DEFAULT_FAIR_USE.maxConcurrent,
    maxClients: config.maxClients ?? DEFAULT_FAIR_USE.maxClients,
    concurrencyRetryAfterMs: config.concurrencyRetryAfterMs ?? DEFAULT_FAIR_USE.concurrencyRetryAfterMs
  })
  requirePositive(resolved, "requestsPerMinute")
  requirePositive(resolved, "tokensPerMinute")
  requirePositive(resolved, "tokenBurst")
  requirePositive(resolved, "concurrencyRetryAfterMs")
  // Below one, no request could ever be admitted.
  if (!(resolved.requestBurst >= 1 && Number.isFinite(resolved.requestBurst))) {
    throw new RangeError(`fair use: requestBurst is ${resolved.requestBurst}; it must be finite and at least 1`)
  }
  requirePositiveInteger(resolved, "maxConcurrent")
  requirePositiveInteger(resolved, "maxClients")
  return resolved
}

const requirePositive = (config: FairUseConfig, field: keyof FairUseConfig): void => {
  const value = config[field]
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`fair use: ${field} is ${value}; it must be positive and finite`)
  }
}

const requirePositiveInteger = (config: FairUseConfig, field: keyof FairUseConfig): void => {
  const value = config[field]
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`fair use: ${field} is ${value}; it must be a positive integer`)
  }
}
