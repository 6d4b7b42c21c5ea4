/**
 * The `Retry-After` header value (whole seconds, RFC 9110) for a refusal's `retryAfterMs`: rounded up, so a client
 * that obeys it is never refused again for the same reason, and at least 1. A hair of slack keeps a wait computed as
 * 2000.0000000000002 ms at 2 s rather than 3.
 */
export const retryAfterSeconds = (retryAfterMs: number): number => {
  if (!(retryAfterMs >= 0 && Number.isFinite(retryAfterMs))) {
    throw new RangeError(`retryAfterSeconds: ${retryAfterMs} ms is not a finite wait`)
  }
  return Math.max(1, Math.ceil(retryAfterMs / 1000 - 1e-9))
}
