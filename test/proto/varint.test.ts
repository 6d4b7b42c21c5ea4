import fc from "fast-check"
import { describe, expect, test } from "vitest"
import {
  MAX_VARINT_BYTES,
  packVarints,
  readVarint,
  unpackVarints,
  varintLength,
  writeVarint
} from "../../proto/varint.ts"

const UINT32_MAX = 2 ** 32 - 1
/** Every byte-count boundary of the encoding, from both sides. */
const EDGES = [0, 1, 127, 128, 2 ** 14 - 1, 2 ** 14, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, UINT32_MAX]
const uint32 = fc.oneof(fc.constantFrom(...EDGES), fc.nat({ max: UINT32_MAX }))

const encode = (value: number): Uint8Array => {
  const bytes = new Uint8Array(MAX_VARINT_BYTES)
  return bytes.subarray(0, writeVarint(value, bytes, 0))
}

describe("writeVarint / readVarint", () => {
  test("each byte-count edge value reads back in exactly varintLength bytes", () => {
    for (const value of EDGES) {
      expect(readVarint(encode(value), 0)).toEqual({ _tag: "Value", value, next: varintLength(value) })
    }
  })

  test("round-trip every uint32 at any offset, and varintLength is the number of bytes written", () => {
    fc.assert(
      fc.property(uint32, fc.nat({ max: 8 }), (value, offset) => {
        const target = new Uint8Array(offset + MAX_VARINT_BYTES + 3).fill(0xee)
        const next = writeVarint(value, target, offset)
        expect(next - offset).toBe(varintLength(value))
        // Bytes around the varint are untouched.
        expect([...target.subarray(0, offset), ...target.subarray(next)].every((byte) => byte === 0xee)).toBe(true)
        expect(readVarint(target, offset)).toEqual({ _tag: "Value", value, next })
      }),
      { numRuns: 1000 }
    )
  })

  test("the encoding is minimal LEB128: continuation bits on all bytes but the last, which is non-zero unless 0", () => {
    fc.assert(
      fc.property(uint32, (value) => {
        const bytes = [...encode(value)]
        const last = bytes.at(-1)!
        expect(bytes.slice(0, -1).every((byte) => byte >= 0x80)).toBe(true)
        expect(last < 0x80).toBe(true)
        if (bytes.length > 1) expect(last).not.toBe(0)
      })
    )
  })

  test("known encodings", () => {
    expect([...encode(0)]).toEqual([0x00])
    expect([...encode(127)]).toEqual([0x7f])
    expect([...encode(128)]).toEqual([0x80, 0x01])
    expect([...encode(300)]).toEqual([0xac, 0x02])
    expect([...encode(2 ** 14)]).toEqual([0x80, 0x80, 0x01])
    expect([...encode(2 ** 28)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x01])
    expect([...encode(UINT32_MAX)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f])
  })

  test("every strict prefix of an encoding is Incomplete", () => {
    fc.assert(
      fc.property(uint32, (value) => {
        const bytes = encode(value)
        for (let length = 0; length < bytes.length; length++) {
          expect(readVarint(bytes.subarray(0, length), 0)).toEqual({ _tag: "Incomplete" })
        }
      })
    )
    // An offset at or past the end is Incomplete too, not a crash.
    expect(readVarint(Uint8Array.of(1, 2), 2)).toEqual({ _tag: "Incomplete" })
  })

  test("a 5th byte above 0x0f is Invalid (the value would not fit in 32 bits)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0x10, max: 0xff }),
        (head, fifth) => {
          expect(readVarint(Uint8Array.from([...head, fifth]), 0)).toEqual({ _tag: "Invalid" })
          // Invalid is decided on the 5th byte, whatever follows.
          expect(readVarint(Uint8Array.from([...head, fifth, 0x00]), 0)).toEqual({ _tag: "Invalid" })
        }
      )
    )
  })

  test("a 5th byte up to 0x0f is accepted, and the value is the little-endian base-128 sum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 0x0f }),
        (head, fifth) => {
          const expected = head.reduce((sum, byte, index) => sum + (byte & 0x7f) * 2 ** (7 * index), fifth * 2 ** 28)
          const read = readVarint(Uint8Array.from([...head, fifth]), 0)
          expect(read).toEqual({ _tag: "Value", value: expected, next: 5 })
          expect(expected).toBeLessThanOrEqual(UINT32_MAX)
        }
      )
    )
  })

  test("6-byte varints are Invalid", () => {
    expect(readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toEqual({ _tag: "Invalid" })
    expect(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 0)).toEqual({ _tag: "Invalid" })
    expect(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0)).toEqual({ _tag: "Invalid" })
  })

  test("non-minimal encodings are read (LEB128 allows them)", () => {
    expect(readVarint(Uint8Array.of(0x80, 0x00), 0)).toEqual({ _tag: "Value", value: 0, next: 2 })
    expect(readVarint(Uint8Array.of(0x81, 0x80, 0x00), 0)).toEqual({ _tag: "Value", value: 1, next: 3 })
  })
})

describe("packVarints / unpackVarints", () => {
  const lists = fc.array(uint32, { maxLength: 64 })

  test("round-trip, with the packed size the sum of varintLength", () => {
    fc.assert(
      fc.property(lists, (values) => {
        const packed = packVarints(values)
        expect(packed.length).toBe(values.reduce((sum, value) => sum + varintLength(value), 0))
        expect(unpackVarints(packed, values.length)).toEqual(values)
        expect(unpackVarints(packed, values.length + 10)).toEqual(values)
      })
    )
  })

  test("more values than the limit is refused; exactly the limit is accepted", () => {
    fc.assert(
      fc.property(fc.array(uint32, { minLength: 1, maxLength: 64 }), (values) => {
        const packed = packVarints(values)
        expect(unpackVarints(packed, values.length - 1)).toBeUndefined()
        expect(unpackVarints(packed, values.length)).toEqual(values)
      })
    )
    expect(unpackVarints(new Uint8Array(0), 0)).toEqual([])
    expect(unpackVarints(Uint8Array.of(0), 0)).toBeUndefined()
  })

  test("a cut on a varint boundary is the shorter list; a cut inside a varint is refused", () => {
    fc.assert(
      fc.property(lists, (values) => {
        const packed = packVarints(values)
        const boundaries = new Map<number, number>()
        let offset = 0
        boundaries.set(0, 0)
        values.forEach((value, index) => {
          offset += varintLength(value)
          boundaries.set(offset, index + 1)
        })
        for (let cut = 0; cut <= packed.length; cut++) {
          const count = boundaries.get(cut)
          const unpacked = unpackVarints(packed.subarray(0, cut), values.length)
          if (count === undefined) expect(unpacked).toBeUndefined()
          else expect(unpacked).toEqual(values.slice(0, count))
        }
      })
    )
  })

  test("values that are not integers in 0..2^32-1 throw a RangeError instead of being packed wrongly", () => {
    for (const value of [-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5]) {
      expect(() => packVarints([value])).toThrow(RangeError)
      // Wherever the bad value sits in the list.
      expect(() => packVarints([1, 2, value, 3])).toThrow(RangeError)
    }
    // The bounds themselves, and -0 (an integer equal to 0), pack.
    expect(unpackVarints(packVarints([0, UINT32_MAX, -0]), 3)).toEqual([0, UINT32_MAX, 0])
  })

  test("an invalid varint anywhere in the list is refused", () => {
    fc.assert(
      fc.property(lists, lists, (before, after) => {
        const bad = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x10)
        const packed = Uint8Array.from([...packVarints(before), ...bad, ...packVarints(after)])
        expect(unpackVarints(packed, 1000)).toBeUndefined()
      })
    )
  })
})
