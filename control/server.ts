// Serves /mesh/control/1.0.0 on a router node: one request per stream. The caller's peer id (proved by the noise
// handshake) must be on the operator allowlist; anyone else is answered UNAUTHENTICATED before a byte of their
// request is read. A frame over the limit is refused from its length prefix; a frame that does not decode or
// validate gets MALFORMED_FRAME.
import { type ByteStream, frameChannel } from "../proto/channel.ts"
import type { StreamOrigin } from "../runtime/p2p/node.ts"
import { decodeRequest, encodeResponse } from "./codec.ts"
import { CONTROL_LIMITS, type ControlResponse } from "./messages.ts"
import type { ControlService } from "./service.ts"

export interface ControlServerOptions {
  /** Peer ids allowed to call. Empty: nobody (the protocol is served, and refuses everyone). */
  readonly operators: ReadonlySet<string>
  readonly maxRequestBytes?: number
}

/** Control streams served at once per connection. */
export const CONTROL_MAX_INBOUND_STREAMS = 8

export const createControlServer = (service: ControlService, options: ControlServerOptions) => {
  const maxRequestBytes = options.maxRequestBytes ?? CONTROL_LIMITS.maxRequestBytes
  const answerOf = async (stream: ByteStream, origin: StreamOrigin): Promise<ControlResponse> => {
    if (!options.operators.has(origin.peerId)) {
      return {
        _tag: "Error",
        code: "UNAUTHENTICATED",
        message: `peer ${origin.peerId} is not an operator of this node`
      }
    }
    const read = await frameChannel(stream, maxRequestBytes).read()
    switch (read._tag) {
      case "End":
        return { _tag: "Error", code: "MALFORMED_FRAME", message: "the stream ended before a request" }
      case "TooLarge":
        return {
          _tag: "Error",
          code: "FRAME_TOO_LARGE",
          message: `a request of ${read.length} bytes exceeds ${maxRequestBytes}`
        }
      case "BadPrefix":
        return { _tag: "Error", code: "MALFORMED_FRAME", message: "the frame length prefix is not a varint" }
      case "Frame": {
        const decoded = decodeRequest(read.bytes)
        if (!decoded.ok) return { _tag: "Error", code: "MALFORMED_FRAME", message: decoded.reason }
        try {
          return await service.handle(decoded.value)
        } catch (cause) {
          return { _tag: "Error", code: "INTERNAL", message: cause instanceof Error ? cause.message : String(cause) }
        }
      }
    }
  }
  return {
    handleStream: async (stream: ByteStream, origin: StreamOrigin): Promise<void> => {
      // Written on a channel of its own: the reading channel may hold bytes of a refused request.
      const channel = frameChannel(stream, maxRequestBytes)
      try {
        await channel.write(encodeResponse(await answerOf(stream, origin)))
        await stream.close()
      } catch (cause) {
        stream.abort(cause instanceof Error ? cause : new Error(String(cause)))
      }
    }
  }
}
