// Token logprobs in OpenAI's two shapes, built from one per-token record the server fills from the mixture.

export interface TokenAlternative {
  readonly text: string
  /** Natural log of the mixture's probability (aggregator's logprobOf). */
  readonly logprob: number
  /** The token's raw UTF-8 bytes when the server has them; otherwise the bytes of `text`. */
  readonly bytes?: ReadonlyArray<number>
}

/** One generated token: its text and logprob, and the most probable alternatives at its step (any order). */
export interface TokenLogprob extends TokenAlternative {
  readonly top: ReadonlyArray<TokenAlternative>
}

/** What JSON can carry: OpenAI reports -9999 for a probability of 0 (JSON has no -Infinity; it would become null). */
export const LOGPROB_FLOOR = -9999

const finite = (logprob: number): number => (Number.isNaN(logprob) ? LOGPROB_FLOOR : Math.max(LOGPROB_FLOOR, logprob))

const encoder = new TextEncoder()

const bytesOf = (entry: TokenAlternative): Array<number> => [...(entry.bytes ?? encoder.encode(entry.text))]

/** The `count` most probable alternatives, most probable first (stable for ties). */
const mostProbable = (top: ReadonlyArray<TokenAlternative>, count: number): ReadonlyArray<TokenAlternative> =>
  count <= 0 ? [] : [...top].sort((a, b) => finite(b.logprob) - finite(a.logprob)).slice(0, count)

export interface ChatTopLogprobWire {
  token: string
  logprob: number
  bytes: Array<number> | null
}

export interface ChatTokenLogprobWire extends ChatTopLogprobWire {
  top_logprobs: Array<ChatTopLogprobWire>
}

export interface ChatLogprobsWire {
  content: Array<ChatTokenLogprobWire>
  refusal: null
}

const chatEntry = (entry: TokenAlternative): ChatTopLogprobWire => ({
  token: entry.text,
  logprob: finite(entry.logprob),
  bytes: bytesOf(entry)
})

/** Chat shape: `{ content: [{ token, logprob, bytes, top_logprobs: [{ token, logprob, bytes }] }], refusal: null }`. */
export const chatLogprobs = (tokens: ReadonlyArray<TokenLogprob>, topLogprobs: number): ChatLogprobsWire => ({
  content: tokens.map((token) => ({
    ...chatEntry(token),
    top_logprobs: mostProbable(token.top, topLogprobs).map(chatEntry)
  })),
  refusal: null
})

export interface CompletionLogprobsWire {
  tokens: Array<string>
  token_logprobs: Array<number>
  top_logprobs: Array<Record<string, number>>
  text_offset: Array<number>
}

/** Length in code points, the unit Python clients index `text_offset` with. */
export const codePointLength = (text: string): number => {
  let length = 0
  for (const _ of text) length++
  return length
}

/** `{ text: logprob }`, most probable first; a duplicate text keeps its first (most probable) entry. */
const topByText = (alternatives: ReadonlyArray<TokenAlternative>): Record<string, number> => {
  const byText = new Map<string, number>()
  for (const entry of alternatives) if (!byText.has(entry.text)) byText.set(entry.text, finite(entry.logprob))
  // fromEntries defines properties, so a token "__proto__" is an ordinary key, not a prototype.
  return Object.fromEntries(byText)
}

/**
 * Completions shape: parallel arrays, top alternatives as `{ text: logprob }`. `text_offset` counts code points from
 * the start of the completion; a stream passes the length of the text already sent as `startOffset`.
 */
export const completionLogprobs = (
  tokens: ReadonlyArray<TokenLogprob>,
  logprobs: number,
  startOffset = 0
): CompletionLogprobsWire => {
  const textOffset: Array<number> = []
  let offset = startOffset
  for (const token of tokens) {
    textOffset.push(offset)
    offset += codePointLength(token.text)
  }
  return {
    tokens: tokens.map((token) => token.text),
    token_logprobs: tokens.map((token) => finite(token.logprob)),
    top_logprobs: tokens.map((token) => topByText(mostProbable(token.top, logprobs))),
    text_offset: textOffset
  }
}
