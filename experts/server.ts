// Serves /mesh/expert/1.0.0: one stream, one session. Every request frame gets exactly one answer frame; a bad frame
// gets an Error frame and costs nothing but its own stream's request, never another session.
import { type ByteStream, type FrameChannel, frameChannel } from "../proto/channel.ts"
import { decodeRequest, encodeResponse } from "../proto/codec.ts"
import type { FrameRead } from "../proto/frames.ts"
import type { ErrorCode, ExpertManifest, ExpertRequest, ExpertResponse, SessionId } from "../proto/messages.ts"
import { WIRE_LIMITS } from "../proto/messages.ts"
import { SessionError } from "./errors.ts"
import type { ExpertModel, ModelSequence } from "./inference/expert-model.ts"

/** A session idle this long may give its slot to a new one when the expert is full (a parked one may at once). */
const EVICTABLE_IDLE_MS = 1000

/** How long a full expert looks for a parked, idle or freed session before refusing a new one. */
const ROOM_WAIT_MS = 250

export interface ExpertServerOptions {
  /** A session with no request for this long is closed and its sequence freed. Default 60 s. */
  readonly idleTimeoutMs?: number
  readonly maxFrameBytes?: number
  /** Governance's halt: while it returns a reason, sessions and steps are refused with a HALTED frame. */
  readonly halted?: () => string | undefined
}

export interface ExpertServer {
  readonly handleStream: (stream: ByteStream) => Promise<void>
  /** Sessions open right now. */
  readonly openSessions: () => number
  /** Requests being evaluated right now (the expert's queue). */
  readonly pendingSteps: () => number
  /** Since start: sessions opened, and tokens evaluated (prompts and steps). */
  readonly totals: () => { readonly sessions: number; readonly tokens: number }
  /** Closes every session's stream (on shutdown, or when the mesh halts). */
  readonly closeAll: (reason?: string) => void
}

interface Activity {
  lastActive: number
  busy: boolean
  /** The router said it keeps this session for a later turn (ParkSession); any later request clears it. */
  parked: boolean
  readonly hasSession: () => boolean
}

interface OpenSession {
  readonly id: SessionId
  readonly sequence: ModelSequence
  readonly topK: number
}

export const createExpertServer = (
  model: ExpertModel,
  manifest: ExpertManifest,
  options: ExpertServerOptions = {}
): ExpertServer => {
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000
  const maxFrameBytes = options.maxFrameBytes ?? WIRE_LIMITS.maxFrameBytes
  const streams = new Set<ByteStream>()
  /** When each session-carrying stream last had a request, whether one is being answered now, whether it is parked. */
  const activity = new Map<ByteStream, Activity>()

  /**
   * A full expert gives a waiting session's slot to a new one: the longest-parked session (its router keeps it for a
   * chat's next turn and said so with ParkSession), else the longest-idle one idle at least a second. That router
   * finds its session gone and opens a fresh one; nothing that is generating is ever cut, and one router's parked
   * conversations never keep another router's requests out.
   */
  const evictIdleSession = async () => {
    let victim: ByteStream | undefined
    let victimParked = false
    let oldest = Date.now() - EVICTABLE_IDLE_MS
    for (const [stream, entry] of activity) {
      if (entry.busy || !entry.hasSession()) continue
      const parked = entry.parked
      if (parked && !victimParked) {
        victimParked = true
        oldest = entry.lastActive
        victim = stream
      } else if (parked === victimParked && entry.lastActive <= oldest) {
        oldest = entry.lastActive
        victim = stream
      }
    }
    if (victim === undefined) return
    victim.abort(new Error("closed to make room for a new session"))
    for (let waited = 0; model.freeSessions() === 0 && waited < 1000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  /**
   * A full expert waits a moment for room before refusing with SESSION_LIMIT: a router's ParkSession for a finished
   * answer may still be on its way, racing the same router's (or another's) next OpenSession.
   */
  const makeRoom = async () => {
    for (let waited = 0; waited <= ROOM_WAIT_MS; waited += 10) {
      await evictIdleSession()
      if (model.freeSessions() > 0) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  let sessionCount = 0
  let pending = 0
  let sessionsOpened = 0
  let tokensEvaluated = 0

  const errorFrame = (code: ErrorCode, message: string): ExpertResponse => ({ _tag: "Error", code, message })

  const answer = async (
    request: ExpertRequest,
    state: { session: OpenSession | undefined }
  ): Promise<{ response: ExpertResponse | undefined; end: boolean }> => {
    const halted = request._tag === "ManifestRequest" ? undefined : options.halted?.()
    if (halted !== undefined) return { response: errorFrame("HALTED", `the mesh is halted: ${halted}`), end: true }
    switch (request._tag) {
      case "ManifestRequest":
        return { response: { _tag: "Manifest", manifest }, end: false }
      case "OpenSession": {
        if (state.session !== undefined) {
          return { response: errorFrame("UNEXPECTED_FRAME", "this stream already carries a session"), end: false }
        }
        if (request.tokenizerHash !== manifest.tokenizerHash) {
          return {
            response: errorFrame(
              "TOKENIZER_MISMATCH",
              `the router's tokenizer ${request.tokenizerHash.slice(0, 12)} is not this expert's ${manifest.tokenizerHash.slice(0, 12)} (${manifest.modelName})`
            ),
            end: false
          }
        }
        if (request.topK > manifest.maxTopK) {
          return {
            response: errorFrame("INVALID_REQUEST", `top_k ${request.topK} exceeds ${manifest.maxTopK}`),
            end: false
          }
        }
        if (model.freeSessions() === 0) await makeRoom()
        const sequence = await model.openSequence()
        sessionCount++
        sessionsOpened++
        tokensEvaluated += request.prompt.length
        state.session = { id: request.sessionId, sequence, topK: request.topK }
        const distribution = await sequence.evaluate(request.prompt, { topK: request.topK })
        return { response: { _tag: "StepResult", distribution }, end: false }
      }
      case "Step": {
        const session = state.session
        if (session === undefined || session.id !== request.sessionId) {
          return { response: errorFrame("UNKNOWN_SESSION", "no such session on this stream"), end: false }
        }
        const want = request.allowedTokens === undefined ? { topK: session.topK } : { allowed: request.allowedTokens }
        tokensEvaluated += request.tokens.length
        const distribution = await session.sequence.evaluate(request.tokens, want, request.keep)
        return { response: { _tag: "StepResult", distribution }, end: false }
      }
      case "CloseSession":
        return { response: undefined, end: true }
      case "ParkSession":
        // Marked by the stream's reader (see handleStream); a hint has no answer.
        return { response: undefined, end: false }
    }
  }

  const serve = async (
    channel: FrameChannel,
    readFrame: () => Promise<FrameRead>,
    state: { session: OpenSession | undefined },
    parked: (value: boolean) => void
  ) => {
    for (;;) {
      const read = await readFrame()
      switch (read._tag) {
        case "End":
          return
        case "TooLarge":
          await channel.write(
            encodeResponse(errorFrame("FRAME_TOO_LARGE", `a frame of ${read.length} bytes exceeds ${maxFrameBytes}`))
          )
          return
        case "BadPrefix":
          await channel.write(encodeResponse(errorFrame("MALFORMED_FRAME", "the frame length prefix is not a varint")))
          return
        case "Frame": {
          const decoded = decodeRequest(read.bytes)
          if (!decoded.ok) {
            await channel.write(encodeResponse(errorFrame("MALFORMED_FRAME", decoded.reason)))
            continue
          }
          let outcome: { response: ExpertResponse | undefined; end: boolean }
          parked(decoded.value._tag === "ParkSession" && state.session?.id === decoded.value.sessionId)
          pending++
          try {
            outcome = await answer(decoded.value, state)
          } catch (cause) {
            const response =
              cause instanceof SessionError
                ? errorFrame(cause.code, cause.message)
                : errorFrame("INTERNAL", cause instanceof Error ? cause.message : String(cause))
            outcome = { response, end: false }
          } finally {
            pending--
          }
          if (outcome.response !== undefined) await channel.write(encodeResponse(outcome.response))
          if (outcome.end) return
        }
      }
    }
  }

  const handleStream = async (stream: ByteStream): Promise<void> => {
    const channel = frameChannel(stream, maxFrameBytes)
    const state: { session: OpenSession | undefined } = { session: undefined }
    streams.add(stream)
    const entry: Activity = {
      lastActive: Date.now(),
      busy: false,
      parked: false,
      hasSession: () => state.session !== undefined
    }
    activity.set(stream, entry)
    // Idle expiry: the clock runs only while waiting for the router's next frame, not while a step is computed.
    let idleTimer: NodeJS.Timeout | undefined
    const readFrame = async () => {
      entry.busy = false
      entry.lastActive = Date.now()
      idleTimer = setTimeout(() => stream.abort(new Error(`session idle for ${idleTimeoutMs} ms`)), idleTimeoutMs)
      try {
        return await channel.read()
      } finally {
        clearTimeout(idleTimer)
        entry.busy = true
      }
    }
    // The sequence is freed before the stream ends: a router that saw the end may open its next session at once.
    const release = () => {
      if (state.session === undefined) return
      state.session.sequence.dispose()
      state.session = undefined
      sessionCount--
    }
    try {
      await serve(channel, readFrame, state, (value) => {
        entry.parked = value
      })
      release()
      await stream.close().catch(() => undefined)
    } catch (cause) {
      release()
      stream.abort(cause instanceof Error ? cause : new Error(String(cause)))
    } finally {
      clearTimeout(idleTimer)
      streams.delete(stream)
      activity.delete(stream)
      release()
    }
  }

  return {
    handleStream,
    openSessions: () => sessionCount,
    pendingSteps: () => pending,
    totals: () => ({ sessions: sessionsOpened, tokens: tokensEvaluated }),
    closeAll: (reason = "the expert is shutting down") => {
      for (const stream of streams) stream.abort(new Error(reason))
    }
  }
}
