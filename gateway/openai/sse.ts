// Server-sent events framing of a stream, as OpenAI clients read it.
import { type ApiError, errorBody } from "./errors.ts"

/** One event: JSON.stringify escapes every newline, so the payload always fits on one `data:` line. */
export const sseEvent = (json: unknown): string => `data: ${JSON.stringify(json)}\n\n`

/** The stream's last event. */
export const SSE_DONE = "data: [DONE]\n\n"

/** A failure after the stream started (the status is already 200): OpenAI's error body as an event. */
export const sseError = (error: ApiError): string => sseEvent(errorBody(error))

/** A comment line clients ignore; keeps proxies from closing the connection during a long prefill. */
export const sseComment = (text: string): string => `: ${text.replace(/[\r\n]+/g, " ")}\n\n`

/** Headers of a stream response; no `connection` header, which HTTP/2 forbids. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // nginx buffers proxied responses unless told not to, which would hold tokens back.
  "x-accel-buffering": "no"
})
