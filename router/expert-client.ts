// The router's side of /mesh/expert/1.0.0: a manifest query, and sessions stepped over one stream each.
import type { SparseDistribution } from "../aggregator/distribution.ts"
import { type ByteStream, type FrameChannel, frameChannel } from "../proto/channel.ts"
import { decodeResponse, encodeRequest, newSessionId } from "../proto/codec.ts"
import {
  EXPERT_PROTOCOL,
  type ExpertManifest,
  type ExpertRequest,
  type ExpertResponse,
  type SessionId,
  WIRE_LIMITS
} from "../proto/messages.ts"
import { ExpertError } from "./errors.ts"

/** Opens a protocol stream to an expert; the P2P service's dial. */
export type Dial = (address: string, protocol: string, signal?: AbortSignal) => Promise<ByteStream>

const streamFailure = (address: string, cause: unknown) =>
  new ExpertError({
    address,
    code: "STREAM_CLOSED",
    message: `expert ${address}: the stream failed (${cause instanceof Error ? cause.message : String(cause)})`
  })

const exchange = async (address: string, channel: FrameChannel, request: ExpertRequest): Promise<ExpertResponse> => {
  let read: Awaited<ReturnType<FrameChannel["read"]>>
  try {
    await channel.write(encodeRequest(request))
    read = await channel.read()
  } catch (cause) {
    throw streamFailure(address, cause)
  }
  if (read._tag !== "Frame") {
    const what = read._tag === "End" ? "closed the stream" : `sent a bad frame (${read._tag})`
    throw new ExpertError({ address, code: "STREAM_CLOSED", message: `expert ${address} ${what}` })
  }
  const decoded = decodeResponse(read.bytes)
  if (!decoded.ok) throw new ExpertError({ address, code: "MALFORMED_FRAME", message: decoded.reason })
  const response = decoded.value
  if (response._tag === "Error") {
    throw new ExpertError({ address, code: response.code, message: `expert ${address}: ${response.message}` })
  }
  return response
}

const expectStepResult = (address: string, response: ExpertResponse): SparseDistribution => {
  if (response._tag !== "StepResult") {
    throw new ExpertError({ address, code: "UNEXPECTED_FRAME", message: `expert ${address} answered ${response._tag}` })
  }
  return response.distribution
}

/** How long closing a session waits for the expert to confirm (by ending its side of the stream). */
const CLOSE_WAIT_MS = 1000

/** A dial that fails is tried once more after a short pause: relayed paths in particular fail transiently. */
const DIAL_RETRY_DELAY_MS = 250

const open = async (dial: Dial, address: string, signal?: AbortSignal): Promise<FrameChannel> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return frameChannel(await dial(address, EXPERT_PROTOCOL, signal), WIRE_LIMITS.maxFrameBytes)
    } catch (cause) {
      if (attempt < 2 && signal?.aborted !== true) {
        await new Promise((resolve) => setTimeout(resolve, DIAL_RETRY_DELAY_MS))
        continue
      }
      throw new ExpertError({
        address,
        code: "UNREACHABLE",
        message: cause instanceof Error ? cause.message : String(cause)
      })
    }
  }
}

export const fetchManifest = async (dial: Dial, address: string, signal?: AbortSignal): Promise<ExpertManifest> => {
  const channel = await open(dial, address, signal)
  try {
    const response = await exchange(address, channel, { _tag: "ManifestRequest" })
    if (response._tag !== "Manifest") {
      throw new ExpertError({
        address,
        code: "UNEXPECTED_FRAME",
        message: `expert ${address} answered ${response._tag}`
      })
    }
    return response.manifest
  } finally {
    await channel.close().catch(() => undefined)
  }
}

export interface ExpertSession {
  readonly address: string
  readonly sessionId: SessionId
  /** The distribution after the prompt. */
  readonly first: SparseDistribution
  /** Appends tokens and returns the next distribution; `allowedTokens` asks for exactly those tokens' probabilities. */
  step(tokens: ReadonlyArray<number>, allowedTokens?: ReadonlyArray<number>, keep?: number): Promise<SparseDistribution>
  /** Frame bytes (protobuf + length prefix) sent and received on this session so far. */
  readonly bytes: () => { readonly sent: number; readonly received: number }
  /** Tells the expert the session waits for a later turn: a full expert may close it at once to make room. */
  park(): Promise<void>
  /** Resets the stream at once (a stalled expert): its pending step fails, the expert frees the session. */
  abort(reason: string): void
  close(): Promise<void>
}

export interface OpenSessionRequest {
  readonly prompt: ReadonlyArray<number>
  readonly topK: number
  readonly tokenizerHash: string
}

export const openExpertSession = async (
  dial: Dial,
  address: string,
  request: OpenSessionRequest,
  signal?: AbortSignal
): Promise<ExpertSession> => {
  const channel = await open(dial, address, signal)
  const sessionId = newSessionId()
  let closed = false
  // Aborting `signal` also ends a prefill the expert is slow to answer.
  const onAbort = () => channel.abort(new Error("the session was not opened in time"))
  signal?.addEventListener("abort", onAbort, { once: true })
  try {
    const response = await exchange(address, channel, { _tag: "OpenSession", sessionId, ...request })
    signal?.removeEventListener("abort", onAbort)
    const first = expectStepResult(address, response)
    return {
      address,
      sessionId,
      first,
      step: async (tokens, allowedTokens, keep) =>
        expectStepResult(
          address,
          await exchange(address, channel, {
            _tag: "Step",
            sessionId,
            tokens,
            allowedTokens,
            ...(keep === undefined ? {} : { keep })
          })
        ),
      bytes: () => ({ sent: channel.bytesWritten, received: channel.bytesRead }),
      park: async () => {
        if (!closed) await channel.write(encodeRequest({ _tag: "ParkSession", sessionId })).catch(() => undefined)
      },
      abort: (reason) => {
        if (closed) return
        closed = true
        channel.abort(new Error(reason))
      },
      close: async () => {
        if (closed) return
        closed = true
        await channel.write(encodeRequest({ _tag: "CloseSession", sessionId })).catch(() => undefined)
        await channel.close().catch(() => undefined)
        // The expert frees the session's sequence, then ends its side: waiting for that end means the router's next
        // session on this expert finds the slot free (a full expert refuses with SESSION_LIMIT).
        await Promise.race([
          channel.read().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS))
        ])
      }
    }
  } catch (cause) {
    signal?.removeEventListener("abort", onAbort)
    channel.abort(cause instanceof Error ? cause : new Error(String(cause)))
    throw cause
  }
}
