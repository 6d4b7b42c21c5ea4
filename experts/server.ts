// Serves /mesh/expert/1.0.0: one stream, one session. Every request frame gets exactly one answer frame; a bad frame
// gets an Error frame and costs nothing but its own stream's request, never another session.
import { type ByteStream, type FrameChannel, frameChannel } from "../proto/channel.ts"
import { decodeRequest, encodeResponse } from "../proto/codec.ts"
import type { FrameRead } from "../proto/frames.ts"
import type { ErrorCode, ExpertManifest, ExpertRequest, ExpertResponse, SessionId } from "../proto/messages.ts"
import { WIRE_LIMITS } from "../proto/messages.ts"
import { SessionError } from "./errors.ts"
import type { ExpertModel, ModelSequence } from "./inference/expert-model.ts"

export interface ExpertServerOptions {
  /** A session with no request for this long is closed and its sequence freed. Default 60 s. */
  readonly idleTimeoutMs?: number
  readonly maxFrameBytes?: number
}

export interface ExpertServer {
  readonly handleStream: (stream: ByteStream) => Promise<void>
  /** Sessions open right now. */
  readonly openSessions: () => number
  /** Requests being evaluated right now (the expert's queue). */
  readonly pendingSteps: () => number
  /** Closes every session's stream (on shutdown). */
  readonly closeAll: () => void
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
  let sessionCount = 0
  let pending = 0

  const errorFrame = (code: ErrorCode, message: string): ExpertResponse => ({ _tag: "Error", code, message })

  const answer = async (
    request: ExpertRequest,
    state: { session: OpenSession | undefined }
  ): Promise<{ response: ExpertResponse | undefined; end: boolean }> => {
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
        const sequence = await model.openSequence()
        sessionCount++
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
        const distribution = await session.sequence.evaluate(request.tokens, want)
        return { response: { _tag: "StepResult", distribution }, end: false }
      }
      case "CloseSession":
        return { response: undefined, end: true }
    }
  }

  const serve = async (
    channel: FrameChannel,
    readFrame: () => Promise<FrameRead>,
    state: { session: OpenSession | undefined }
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
    // Idle expiry: the clock runs only while waiting for the router's next frame, not while a step is computed.
    let idleTimer: NodeJS.Timeout | undefined
    const readFrame = async () => {
      idleTimer = setTimeout(() => stream.abort(new Error(`session idle for ${idleTimeoutMs} ms`)), idleTimeoutMs)
      try {
        return await channel.read()
      } finally {
        clearTimeout(idleTimer)
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
      await serve(channel, readFrame, state)
      release()
      await stream.close().catch(() => undefined)
    } catch (cause) {
      release()
      stream.abort(cause instanceof Error ? cause : new Error(String(cause)))
    } finally {
      clearTimeout(idleTimer)
      streams.delete(stream)
      release()
    }
  }

  return {
    handleStream,
    openSessions: () => sessionCount,
    pendingSteps: () => pending,
    closeAll: () => {
      for (const stream of streams) stream.abort(new Error("the expert is shutting down"))
    }
  }
}
