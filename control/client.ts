// The caller's side of /mesh/control/1.0.0: one request, one answer, on a fresh stream.
import { Data } from "effect"
import { frameChannel } from "../proto/channel.ts"
import type { Dial } from "../router/expert-client.ts"
import { decodeResponse, encodeRequest } from "./codec.ts"
import {
  CONTROL_LIMITS,
  CONTROL_PROTOCOL,
  type ControlErrorCode,
  type ControlRequest,
  type ControlResponse
} from "./messages.ts"

/** The node refused the request (its code says why), or could not be reached or answered nonsense. */
export class ControlError extends Data.TaggedError("ControlError")<{
  readonly code: ControlErrorCode | "UNREACHABLE"
  readonly message: string
}> {}

export type ControlAnswer = Exclude<ControlResponse, { readonly _tag: "Error" }>

export const callControl = async (
  dial: Dial,
  address: string,
  request: ControlRequest,
  signal?: AbortSignal
): Promise<ControlAnswer> => {
  let stream: Awaited<ReturnType<Dial>>
  try {
    stream = await dial(address, CONTROL_PROTOCOL, signal)
  } catch (cause) {
    throw new ControlError({ code: "UNREACHABLE", message: cause instanceof Error ? cause.message : String(cause) })
  }
  const channel = frameChannel(stream, CONTROL_LIMITS.maxResponseBytes)
  try {
    await channel.write(encodeRequest(request))
    const read = await channel.read()
    if (read._tag !== "Frame") {
      throw new ControlError({ code: "UNREACHABLE", message: `the node sent no answer (${read._tag})` })
    }
    const decoded = decodeResponse(read.bytes)
    if (!decoded.ok) throw new ControlError({ code: "MALFORMED_FRAME", message: decoded.reason })
    if (decoded.value._tag === "Error") {
      throw new ControlError({ code: decoded.value.code, message: decoded.value.message })
    }
    return decoded.value
  } finally {
    await channel.close().catch(() => undefined)
  }
}
