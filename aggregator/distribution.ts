/** One expert's answer for one position: its top-k tokens in its own rank order (highest first). */
export interface SparseDistribution {
  /** Token ids in the expert's rank order; no duplicates. */
  readonly tokens: ReadonlyArray<number>
  /** Natural-log probabilities, same order (non-increasing); `-Infinity` means probability 0. */
  readonly logprobs: ReadonlyArray<number>
  /** Probability mass outside `tokens`, in [0, 1]. */
  readonly residual: number
}

/**
 * Checks everything about one distribution that needs no cross-token state (duplicates are caught by `mix` while it
 * builds the union, so the hot path walks each list once). `expert` is the position in the input, for the message.
 */
export const assertDistributionShape = (distribution: SparseDistribution, vocabSize: number, expert: number): void => {
  const { tokens, logprobs, residual } = distribution
  const name = `distributions[${expert}]`
  if (tokens.length !== logprobs.length) {
    throw new RangeError(`${name}: ${tokens.length} tokens but ${logprobs.length} logprobs; they must pair up`)
  }
  if (!(residual >= 0 && residual <= 1)) {
    throw new RangeError(`${name}.residual is ${residual}; it must be a probability in [0, 1]`)
  }
  for (let rank = 0; rank < tokens.length; rank++) {
    const token = tokens[rank]!
    if (!Number.isInteger(token) || token < 0 || token >= vocabSize) {
      throw new RangeError(`${name}.tokens[${rank}] is ${token}; token ids must be integers in [0, ${vocabSize})`)
    }
    const logprob = logprobs[rank]!
    // -Infinity is a legitimate zero probability; NaN and +Infinity are corrupt.
    if (Number.isNaN(logprob) || logprob === Number.POSITIVE_INFINITY) {
      throw new RangeError(`${name}.logprobs[${rank}] is ${logprob}; it must be a finite log-probability or -Infinity`)
    }
  }
}
