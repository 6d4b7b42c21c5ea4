import fc from "fast-check"
import { Uint8ArrayList } from "uint8arraylist"
import { describe, expect, test } from "vitest"
import type { ByteStream } from "../../proto/channel.ts"
import { frameChannel } from "../../proto/channel.ts"
import type { FrameRead } from "../../proto/frames.ts"
import { encodeFrame, FrameReader } from "../../proto/frames.ts"
import { MAX_VARINT_BYTES, varintLength, writeVarint } from "../../proto/varint.ts"

type Chunk = Uint8Array | Uint8ArrayList

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return joined
}

/** Yields each chunk on a later microtask, as a network stream would; counts how often it was asked. */
const sourceOf = (chunks: ReadonlyArray<Chunk>) => {
  const state = { pulls: 0, finished: false }
  const iterable: AsyncIterable<Chunk> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const chunk of chunks) {
          state.pulls++
          await Promise.resolve()
          yield chunk
        }
      } finally {
        state.finished = true
      }
    }
  }
  return { iterable, state }
}

/** Delivers `chunks`, then never another byte nor the end: a peer that stalls mid-frame. */
const stallingSource = (chunks: ReadonlyArray<Chunk>) => {
  const state = { pulls: 0 }
  const iterable: AsyncIterable<Chunk> = {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        state.pulls++
        yield chunk
      }
      state.pulls++
      await new Promise<never>(() => {})
    }
  }
  return { iterable, state }
}

const STALLED = Symbol("stalled")
/** Races a read against a timer so that a reader waiting on a stalled source fails the test instead of hanging it. */
const withinTimeout = <A>(promise: Promise<A>, ms = 1000): Promise<A | typeof STALLED> =>
  Promise.race([promise, new Promise<typeof STALLED>((resolve) => setTimeout(() => resolve(STALLED), ms).unref())])

const readAll = async (reader: FrameReader): Promise<FrameRead[]> => {
  const reads: FrameRead[] = []
  for (;;) {
    const read = await reader.next()
    reads.push(read)
    if (read._tag !== "Frame") return reads
  }
}

/** The reads of frames written by encodeFrame: `size` is the shortest prefix plus the payload. */
const framesOf = (payloads: ReadonlyArray<Uint8Array>): FrameRead[] =>
  payloads.map((bytes) => ({ _tag: "Frame", bytes, size: varintLength(bytes.length) + bytes.length }) as const)

/**
 * A frame whose length prefix takes `prefixBytes` bytes (at least the shortest form, at most MAX_VARINT_BYTES): the
 * extra bytes are zero groups with continuation bits, which LEB128 allows and a peer may send.
 */
const encodeFramePadded = (payload: Uint8Array, prefixBytes: number): Uint8Array => {
  const framed = new Uint8Array(prefixBytes + payload.length)
  for (let index = 0; index < prefixBytes; index++) {
    const group = Math.floor(payload.length / 2 ** (7 * index)) & 0x7f
    framed[index] = index < prefixBytes - 1 ? group | 0x80 : group
  }
  framed.set(payload, prefixBytes)
  return framed
}

/** Payloads, each with a prefix length from its shortest form up to MAX_VARINT_BYTES. */
const paddedPayloads = (payloads: fc.Arbitrary<Uint8Array[]>) =>
  payloads.chain((written) =>
    fc.tuple(
      fc.constant(written),
      fc.tuple(...written.map((payload) => fc.integer({ min: varintLength(payload.length), max: MAX_VARINT_BYTES })))
    )
  )

/**
 * Cuts `bytes` at the given points (duplicates give empty chunks); a chunk whose flag is set travels as a
 * Uint8ArrayList of two pieces, which is what libp2p streams hand out.
 */
const split = (
  bytes: Uint8Array,
  cuts: ReadonlyArray<number> | "bytewise",
  asList: ReadonlyArray<boolean>
): Chunk[] => {
  const inner =
    cuts === "bytewise"
      ? Array.from({ length: bytes.length }, (_, index) => index)
      : cuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b)
  const points = [0, ...inner, bytes.length]
  const chunks: Chunk[] = []
  for (let index = 1; index < points.length; index++) {
    const piece = bytes.subarray(points[index - 1]!, points[index]!)
    if (asList[index % Math.max(1, asList.length)] === true) {
      const middle = piece.length >> 1
      chunks.push(new Uint8ArrayList(piece.subarray(0, middle), piece.subarray(middle)))
    } else {
      chunks.push(piece)
    }
  }
  return chunks
}

const payloads = fc.array(
  fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 120, maxLength: 400 })),
  { maxLength: 8 }
)
/** Cut points, or one byte per chunk. */
const cuts = fc.oneof(fc.array(fc.nat(), { maxLength: 40 }), fc.constant("bytewise" as const))
const listFlags = fc.array(fc.boolean(), { maxLength: 8 })
const MAX = 1000

describe("FrameReader", () => {
  test("yields exactly the frames written, then End{partial:false}, however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(payloads, cuts, listFlags, async (written, points, asList) => {
        const { iterable } = sourceOf(split(concat(written.map(encodeFrame)), points, asList))
        const reads = await readAll(new FrameReader(iterable, MAX))
        expect(reads).toEqual([...framesOf(written), { _tag: "End", partial: false }])
      }),
      { numRuns: 300 }
    )
  })

  test("one byte per chunk, a frame with a 3-byte length prefix among small ones", async () => {
    const big = Uint8Array.from({ length: 20_000 }, (_, index) => (index * 31) & 0xff)
    const written = [Uint8Array.of(1), big, new Uint8Array(0), Uint8Array.of(2, 3)]
    const encoded = concat(written.map(encodeFrame))
    expect(encodeFrame(big).length - big.length).toBe(3)
    const { iterable } = sourceOf(Array.from(encoded, (byte) => Uint8Array.of(byte)))
    expect(await readAll(new FrameReader(iterable, 20_000))).toEqual([
      ...framesOf(written),
      { _tag: "End", partial: false }
    ])
  })

  test("a frame of exactly the limit is read", async () => {
    const payload = new Uint8Array(MAX).fill(7)
    const { iterable } = sourceOf([encodeFrame(payload)])
    expect(await readAll(new FrameReader(iterable, MAX))).toEqual([
      { _tag: "Frame", bytes: payload, size: 2 + MAX },
      { _tag: "End", partial: false }
    ])
  })

  test("a non-minimal length prefix is read, and the frame's size counts the prefix as sent", async () => {
    // 81 00 is the length 1 in two bytes; 80 80 80 80 00 is the length 0 in five.
    const { iterable } = sourceOf([Uint8Array.of(0x81, 0x00, 0x07, 0x80, 0x80, 0x80, 0x80, 0x00)])
    expect(await readAll(new FrameReader(iterable, MAX))).toEqual([
      { _tag: "Frame", bytes: Uint8Array.of(7), size: 3 },
      { _tag: "Frame", bytes: new Uint8Array(0), size: 5 },
      { _tag: "End", partial: false }
    ])
  })

  test("frames with prefixes of any valid length: the sizes are the bytes consumed, however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(paddedPayloads(payloads), cuts, listFlags, async ([written, prefixes], points, asList) => {
        const framed = written.map((payload, index) => encodeFramePadded(payload, prefixes[index]!))
        const { iterable } = sourceOf(split(concat(framed), points, asList))
        const reads = await readAll(new FrameReader(iterable, MAX))
        expect(reads).toEqual([
          ...written.map((bytes, index) => ({ _tag: "Frame", bytes, size: framed[index]!.length })),
          { _tag: "End", partial: false }
        ])
      }),
      { numRuns: 200 }
    )
  })

  test("a stream cut anywhere yields the whole frames before the cut, then End{partial} iff the cut is mid-frame", async () => {
    await fc.assert(
      fc.asyncProperty(payloads, fc.nat(), cuts, listFlags, async (written, cutSeed, points, asList) => {
        const framed = written.map(encodeFrame)
        const encoded = concat(framed)
        const cut = cutSeed % (encoded.length + 1)
        let whole = 0
        let boundary = 0
        while (whole < framed.length && boundary + framed[whole]!.length <= cut) boundary += framed[whole++]!.length
        const { iterable } = sourceOf(split(encoded.subarray(0, cut), points, asList))
        const reads = await readAll(new FrameReader(iterable, MAX))
        expect(reads).toEqual([...framesOf(written.slice(0, whole)), { _tag: "End", partial: cut !== boundary }])
      }),
      { numRuns: 300 }
    )
  })

  test("a length over the limit is TooLarge from the prefix alone, without waiting for the body", async () => {
    for (const announced of [MAX + 1, 2 ** 20, 2 ** 32 - 1]) {
      // Only the prefix: encodeFrame would allocate the whole body.
      const framed = new Uint8Array(varintLength(announced))
      writeVarint(announced, framed, 0)
      // The prefix arrives split in two, then the peer stalls forever.
      const { iterable, state } = stallingSource([framed.subarray(0, 1), framed.subarray(1)])
      const reader = new FrameReader(iterable, MAX)
      expect(await withinTimeout(reader.next())).toEqual({ _tag: "TooLarge", length: announced })
      expect(state.pulls).toBe(framed.length > 1 ? 2 : 1)
    }
  })

  test("TooLarge is reported after earlier good frames, even when part of the big body came along", async () => {
    const good = Uint8Array.of(9, 9)
    const { iterable } = stallingSource([concat([encodeFrame(good), Uint8Array.of(0xe9, 0x07), new Uint8Array(10)])])
    const reader = new FrameReader(iterable, MAX)
    expect(await withinTimeout(reader.next())).toEqual({ _tag: "Frame", bytes: good, size: 3 })
    expect(await withinTimeout(reader.next())).toEqual({ _tag: "TooLarge", length: 1001 })
  })

  test("a valid frame whose body never arrives keeps the reader waiting (no false verdict)", async () => {
    const { iterable } = stallingSource([Uint8Array.of(5, 1, 2)])
    expect(await withinTimeout(new FrameReader(iterable, MAX).next(), 50)).toBe(STALLED)
  })

  test("6 bytes of 0xff are BadPrefix, in one chunk or byte by byte", async () => {
    const bad = new Uint8Array(6).fill(0xff)
    for (const chunks of [[bad], Array.from(bad, (byte) => Uint8Array.of(byte))]) {
      const { iterable } = stallingSource(chunks)
      expect(await withinTimeout(new FrameReader(iterable, MAX).next())).toEqual({ _tag: "BadPrefix" })
    }
    // Only 5 bytes are needed to know: the 5th byte 0xff cannot end a 32-bit varint.
    const { iterable } = stallingSource([bad.subarray(0, 5)])
    expect(await withinTimeout(new FrameReader(iterable, MAX).next())).toEqual({ _tag: "BadPrefix" })
  })

  test("cancel runs the source's cleanup", async () => {
    const { iterable, state } = sourceOf([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2))])
    const reader = new FrameReader(iterable, MAX)
    expect(await reader.next()).toEqual({ _tag: "Frame", bytes: Uint8Array.of(1), size: 2 })
    expect(state.finished).toBe(false)
    await reader.cancel()
    expect(state.finished).toBe(true)
    expect(state.pulls).toBe(1)
  })
})

/** One direction of an in-memory pipe: chunks pushed in come out of the async iterator in order. */
class Pipe implements AsyncIterable<Uint8Array> {
  private readonly queued: Uint8Array[] = []
  private waiting: ((result: IteratorResult<Uint8Array>) => void) | undefined
  private ended = false

  push(chunk: Uint8Array): void {
    const waiting = this.waiting
    this.waiting = undefined
    if (waiting !== undefined) waiting({ done: false, value: chunk })
    else this.queued.push(chunk)
  }

  end(): void {
    this.ended = true
    this.waiting?.({ done: true, value: undefined })
    this.waiting = undefined
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        const chunk = this.queued.shift()
        if (chunk !== undefined) return Promise.resolve({ done: false, value: chunk })
        if (this.ended) return Promise.resolve({ done: true, value: undefined })
        return new Promise((resolve) => {
          this.waiting = resolve
        })
      }
    }
  }
}

/** A ByteStream over two pipes whose send reports a full buffer on the calls listed in `fullOn`. */
class FakeStream implements ByteStream {
  bytesSent = 0
  drainWaits = 0
  closed = false
  aborted: Error | undefined
  private sends = 0
  private releaseDrain: (() => void) | undefined

  constructor(
    private readonly incoming: Pipe,
    private readonly outgoing: Pipe,
    private readonly fullOn: ReadonlySet<number>
  ) {}

  send(data: Uint8Array): boolean {
    this.outgoing.push(data)
    this.bytesSent += data.length
    return !this.fullOn.has(this.sends++)
  }

  onDrain(): Promise<void> {
    this.drainWaits++
    return new Promise((resolve) => {
      this.releaseDrain = resolve
    })
  }

  drain(): void {
    this.releaseDrain?.()
    this.releaseDrain = undefined
  }

  get drainPending(): boolean {
    return this.releaseDrain !== undefined
  }

  async close(): Promise<void> {
    this.closed = true
    this.outgoing.end()
  }

  abort(error: Error): void {
    this.aborted = error
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.incoming[Symbol.asyncIterator]()
  }
}

const duplex = (fullOn: ReadonlySet<number> = new Set()) => {
  const [ab, ba] = [new Pipe(), new Pipe()]
  return { a: new FakeStream(ba, ab, fullOn), b: new FakeStream(ab, ba, new Set()) }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("frameChannel", () => {
  test("a write on a full stream waits for onDrain before resolving", async () => {
    const { a, b } = duplex(new Set([0]))
    const writer = frameChannel(a, MAX)
    let resolved = false
    const writing = writer.write(Uint8Array.of(1, 2, 3)).then(() => {
      resolved = true
    })
    await flush()
    expect(a.drainWaits).toBe(1)
    expect(resolved).toBe(false)
    a.drain()
    await writing
    expect(resolved).toBe(true)
    // The frame was handed to the stream at once; only the caller waited.
    expect(await frameChannel(b, MAX).read()).toEqual({ _tag: "Frame", bytes: Uint8Array.of(1, 2, 3), size: 4 })
    // A later write on a stream with room does not wait.
    await writer.write(Uint8Array.of(4))
    expect(a.drainWaits).toBe(1)
  })

  test("bytesWritten and bytesRead count length prefixes plus payloads exactly", async () => {
    await fc.assert(
      fc.asyncProperty(payloads, fc.nat({ max: 8 }), async (written, fullAt) => {
        const { a, b } = duplex(new Set([fullAt]))
        const [sender, receiver] = [frameChannel(a, MAX), frameChannel(b, MAX)]
        const expected = written.reduce((sum, payload) => sum + varintLength(payload.length) + payload.length, 0)
        for (const payload of written) {
          const writing = sender.write(payload)
          await flush()
          if (a.drainPending) a.drain()
          await writing
        }
        await sender.close()
        const reads: FrameRead[] = []
        for (let read = await receiver.read(); ; read = await receiver.read()) {
          reads.push(read)
          if (read._tag !== "Frame") break
        }
        expect(reads).toEqual([...framesOf(written), { _tag: "End", partial: false }])
        expect(sender.bytesWritten).toBe(expected)
        expect(a.bytesSent).toBe(expected)
        expect(receiver.bytesRead).toBe(expected)
        expect(a.drainWaits).toBe(fullAt < written.length ? 1 : 0)
      }),
      { numRuns: 200 }
    )
  })

  test("bytesRead counts a non-minimal length prefix at its real length: 81 00 07 is 3 bytes", async () => {
    const { a, b } = duplex()
    const receiver = frameChannel(b, MAX)
    a.send(Uint8Array.of(0x81, 0x00, 0x07))
    expect(await receiver.read()).toEqual({ _tag: "Frame", bytes: Uint8Array.of(7), size: 3 })
    expect(receiver.bytesRead).toBe(3)
  })

  test("bytesRead is every byte of the whole frames read, whatever the prefix lengths", async () => {
    await fc.assert(
      fc.asyncProperty(paddedPayloads(payloads), async ([written, prefixes]) => {
        const { a, b } = duplex()
        const receiver = frameChannel(b, MAX)
        const framed = written.map((payload, index) => encodeFramePadded(payload, prefixes[index]!))
        for (const frame of framed) a.send(frame)
        await a.close()
        const sizes: number[] = []
        for (let read = await receiver.read(); read._tag === "Frame"; read = await receiver.read())
          sizes.push(read.size)
        expect(sizes).toEqual(framed.map((frame) => frame.length))
        expect(receiver.bytesRead).toBe(a.bytesSent)
      }),
      { numRuns: 200 }
    )
  })

  test("close and abort reach the stream", async () => {
    const { a } = duplex()
    const channel = frameChannel(a, MAX)
    await channel.close()
    expect(a.closed).toBe(true)
    const error = new Error("boom")
    channel.abort(error)
    expect(a.aborted).toBe(error)
  })

  test("verdicts other than frames pass through", async () => {
    const { a, b } = duplex()
    const receiver = frameChannel(b, 10)
    a.send(Uint8Array.of(11))
    expect(await receiver.read()).toEqual({ _tag: "TooLarge", length: 11 })
  })
})
