// A framed, request/response view of one byte stream: what the expert server and the router client both speak.
import type { Uint8ArrayList } from "uint8arraylist"
import { encodeFrame, type FrameRead, FrameReader } from "./frames.ts"

/** The part of a libp2p stream that framing needs; a libp2p Stream satisfies it. */
export interface ByteStream extends AsyncIterable<Uint8Array | Uint8ArrayList> {
  send(data: Uint8Array): boolean
  onDrain(): Promise<void>
  close(): Promise<void>
  abort(error: Error): void
}

export interface FrameChannel {
  read(): Promise<FrameRead>
  /** Sends one frame, waiting for the stream to drain when its buffer is full. */
  write(payload: Uint8Array): Promise<void>
  /** Bytes written and read so far, length prefixes included (protobuf payload + framing, before libp2p's own). */
  readonly bytesWritten: number
  readonly bytesRead: number
  close(): Promise<void>
  abort(error: Error): void
}

export const frameChannel = (stream: ByteStream, maxFrameBytes: number): FrameChannel => {
  const reader = new FrameReader(stream, maxFrameBytes)
  let bytesWritten = 0
  let bytesRead = 0
  return {
    read: async () => {
      const read = await reader.next()
      if (read._tag === "Frame") bytesRead += read.size
      return read
    },
    write: async (payload) => {
      const framed = encodeFrame(payload)
      bytesWritten += framed.length
      if (!stream.send(framed)) await stream.onDrain()
    },
    get bytesWritten() {
      return bytesWritten
    },
    get bytesRead() {
      return bytesRead
    },
    close: () => stream.close(),
    abort: (error) => stream.abort(error)
  }
}
