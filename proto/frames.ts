// Length-prefixed frames over a byte stream: an unsigned varint length, then that many bytes.
// The reader never buffers more than one frame's limit: a length over the limit is reported, not read.
import { Uint8ArrayList } from "uint8arraylist"
import { MAX_VARINT_BYTES, readVarint, varintLength, writeVarint } from "./varint.ts"

export type FrameRead =
  /** `size`: bytes consumed from the stream, length prefix included (a prefix need not be in its shortest form). */
  | { readonly _tag: "Frame"; readonly bytes: Uint8Array; readonly size: number }
  /** The length prefix announced more than the limit; the stream cannot be resynchronised after this. */
  | { readonly _tag: "TooLarge"; readonly length: number }
  /** The length prefix itself is not a valid varint. */
  | { readonly _tag: "BadPrefix" }
  /** The stream ended; `partial` when it ended inside a frame. */
  | { readonly _tag: "End"; readonly partial: boolean }

export const encodeFrame = (payload: Uint8Array): Uint8Array => {
  const framed = new Uint8Array(varintLength(payload.length) + payload.length)
  framed.set(payload, writeVarint(payload.length, framed, 0))
  return framed
}

export class FrameReader {
  private readonly buffer = new Uint8ArrayList()
  private readonly chunks: AsyncIterator<Uint8Array | Uint8ArrayList>

  constructor(
    source: AsyncIterable<Uint8Array | Uint8ArrayList>,
    readonly maxFrameBytes: number
  ) {
    this.chunks = source[Symbol.asyncIterator]()
  }

  async next(): Promise<FrameRead> {
    for (;;) {
      const parsed = this.parse()
      if (parsed !== undefined) return parsed
      const chunk = await this.chunks.next()
      if (chunk.done === true) return { _tag: "End", partial: this.buffer.byteLength > 0 }
      this.buffer.append(chunk.value)
    }
  }

  /** A complete frame or verdict from what is buffered, or undefined when more bytes are needed. */
  private parse(): FrameRead | undefined {
    if (this.buffer.byteLength === 0) return undefined
    const head = this.buffer.subarray(0, Math.min(MAX_VARINT_BYTES, this.buffer.byteLength))
    const prefix = readVarint(head, 0)
    if (prefix._tag === "Invalid") return { _tag: "BadPrefix" }
    if (prefix._tag === "Incomplete") return undefined
    if (prefix.value > this.maxFrameBytes) return { _tag: "TooLarge", length: prefix.value }
    const end = prefix.next + prefix.value
    if (this.buffer.byteLength < end) return undefined
    const bytes = this.buffer.subarray(prefix.next, end)
    this.buffer.consume(end)
    return { _tag: "Frame", bytes, size: end }
  }

  /** Ends reading early; the source's own cleanup runs. */
  async cancel(): Promise<void> {
    await this.chunks.return?.()
  }
}
