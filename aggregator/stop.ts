/** OpenAI's limit on `stop`. */
export const MAX_STOP_SEQUENCES = 4

export interface StopCheck {
  /** Whether a stop sequence occurs in the text. */
  readonly stopped: boolean
  /** The text cut before the earliest stop sequence, or the whole text when none occurs. */
  readonly text: string
  /**
   * Trailing UTF-16 code units of `text` to withhold from a stream because they could begin a stop sequence;
   * 0 when stopped. Stream `text.slice(0, text.length - holdBack)` and flush the rest when generation ends.
   */
  readonly holdBack: number
}

export interface StopMatcher {
  /** Checks the whole decoded output so far; stateless, so a retokenised tail cannot confuse it. */
  readonly check: (text: string) => StopCheck
}

export const createStopMatcher = (stops: ReadonlyArray<string>): StopMatcher => {
  if (stops.length > MAX_STOP_SEQUENCES) {
    throw new RangeError(`${stops.length} stop sequences given; at most ${MAX_STOP_SEQUENCES} are allowed`)
  }
  stops.forEach((stop, index) => {
    if (typeof stop !== "string" || stop.length === 0) {
      throw new RangeError(`stop sequence ${index} is ${JSON.stringify(stop)}; each must be a non-empty string`)
    }
  })
  // Every proper prefix, longest first, built once so the per-token check allocates nothing but its result.
  const prefixes = stops
    .flatMap((stop) => Array.from({ length: stop.length - 1 }, (_, index) => stop.slice(0, index + 1)))
    .sort((a, b) => b.length - a.length)

  const check = (text: string): StopCheck => {
    let cut = -1
    for (const stop of stops) {
      const at = text.indexOf(stop)
      if (at !== -1 && (cut === -1 || at < cut)) cut = at
    }
    if (cut !== -1) return { stopped: true, text: text.slice(0, cut), holdBack: 0 }
    for (const prefix of prefixes) {
      if (text.endsWith(prefix)) return { stopped: false, text, holdBack: prefix.length }
    }
    return { stopped: false, text, holdBack: 0 }
  }
  return { check }
}
