// One streaming completion through the gateway, read the way a careful client reads it: every SSE event timed, and
// the outcome classified by what the client can tell: a finished answer (finish_reason and [DONE]), a clear error
// (an HTTP error status or an error event), or a stream that just stopped (the one outcome that must never happen).

export interface StreamRequest {
  readonly prompt: string
  readonly maxTokens: number
  /** Experts mixed per token; default: the gateway's choice (its default K, or fewer when fewer are usable). */
  readonly k?: number
  /** Exactly these experts (peer ids): no parked sessions, no replacements. */
  readonly experts?: ReadonlyArray<string>
}

export type StreamOutcome =
  | { readonly _tag: "Finished"; readonly reason: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly message: string }
  | { readonly _tag: "ErrorEvent"; readonly code: string; readonly message: string }
  /** The stream ended (or broke) with neither [DONE] nor an error event. */
  | { readonly _tag: "Cut"; readonly detail: string }

export interface StreamRecord {
  readonly outcome: StreamOutcome
  readonly text: string
  /** Milliseconds from the request to each event that carried text. */
  readonly textAtMs: ReadonlyArray<number>
  readonly totalMs: number
  /** The `mesh` extension of the finish chunk, when there was one. */
  readonly mesh:
    | { readonly experts: ReadonlyArray<string>; readonly degraded_steps: number; readonly replacements: number }
    | undefined
}

interface CompletionChunk {
  readonly choices?: ReadonlyArray<{ readonly text?: string; readonly finish_reason?: string | null }>
  readonly mesh?: StreamRecord["mesh"]
  readonly error?: { readonly code?: string; readonly message?: string }
}

export const streamCompletion = async (baseUrl: string, request: StreamRequest): Promise<StreamRecord> => {
  const started = performance.now()
  const elapsed = () => performance.now() - started
  let text = ""
  const textAtMs: number[] = []
  let mesh: StreamRecord["mesh"]
  let finish: string | undefined
  const record = (outcome: StreamOutcome): StreamRecord => ({ outcome, text, textAtMs, totalMs: elapsed(), mesh })

  let response: Response
  try {
    response = await fetch(`${baseUrl}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "stories260K",
        prompt: request.prompt,
        max_tokens: request.maxTokens,
        temperature: 0,
        stream: true,
        mesh: {
          ...(request.k === undefined ? {} : { k: request.k }),
          ...(request.experts === undefined ? {} : { experts: request.experts })
        }
      })
    })
  } catch (cause) {
    return record({ _tag: "Cut", detail: `the request failed: ${String(cause)}` })
  }
  if (response.status !== 200) {
    const body = (await response.json().catch(() => ({}))) as CompletionChunk
    return record({ _tag: "Refused", status: response.status, message: body.error?.message ?? "" })
  }
  const decoder = new TextDecoder()
  let buffer = ""
  try {
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true })
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (!event.startsWith("data: ")) continue
        const data = event.slice("data: ".length)
        if (data === "[DONE]") {
          return finish === undefined
            ? record({ _tag: "Cut", detail: "[DONE] without a finish_reason" })
            : record({ _tag: "Finished", reason: finish })
        }
        const chunk = JSON.parse(data) as CompletionChunk
        if (chunk.error !== undefined) {
          return record({ _tag: "ErrorEvent", code: chunk.error.code ?? "", message: chunk.error.message ?? "" })
        }
        const choice = chunk.choices?.[0]
        if (choice?.text !== undefined && choice.text.length > 0) {
          text += choice.text
          textAtMs.push(elapsed())
        }
        if (choice?.finish_reason) finish = choice.finish_reason
        if (chunk.mesh !== undefined) mesh = chunk.mesh
      }
    }
  } catch (cause) {
    return record({ _tag: "Cut", detail: `the stream broke: ${String(cause)}` })
  }
  return record({ _tag: "Cut", detail: "the stream ended without [DONE] or an error event" })
}

/** The longest wait between two pieces of text (or before the first), ms: what a reader felt of a fault. */
export const longestGapMs = (record: StreamRecord): number => {
  let longest = 0
  let previous = 0
  for (const at of record.textAtMs) {
    longest = Math.max(longest, at - previous)
    previous = at
  }
  return longest
}
