// Unsigned LEB128 varints for numbers up to 2^32 - 1: frame length prefixes and the packed token lists.

export const MAX_VARINT_BYTES = 5

export const varintLength = (value: number): number =>
  value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5

/** Writes `value` at `offset`; returns the offset after it. */
export const writeVarint = (value: number, target: Uint8Array, offset: number): number => {
  let rest = value >>> 0
  while (rest >= 0x80) {
    target[offset++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  target[offset++] = rest
  return offset
}

export type VarintRead =
  | { readonly _tag: "Value"; readonly value: number; readonly next: number }
  | { readonly _tag: "Incomplete" }
  | { readonly _tag: "Invalid" }

/** Reads one varint from `bytes` at `offset` without throwing: the caller decides what a short or bad input means. */
export const readVarint = (bytes: Uint8Array, offset: number): VarintRead => {
  let value = 0
  for (let index = 0; index < MAX_VARINT_BYTES; index++) {
    const position = offset + index
    if (position >= bytes.length) return { _tag: "Incomplete" }
    const byte = bytes[position]!
    if (index === MAX_VARINT_BYTES - 1 && byte > 0x0f) return { _tag: "Invalid" }
    value += (byte & 0x7f) * 2 ** (7 * index)
    if (byte < 0x80) return { _tag: "Value", value, next: position + 1 }
  }
  return { _tag: "Invalid" }
}

/** Packs uint32 values; anything else is a caller's bug and throws rather than corrupting the list. */
export const packVarints = (values: ReadonlyArray<number>): Uint8Array<ArrayBuffer> => {
  let size = 0
  for (const value of values) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`cannot pack ${value}: packed lists hold integers in 0..2^32-1`)
    }
    size += varintLength(value)
  }
  const packed = new Uint8Array(size)
  let offset = 0
  for (const value of values) offset = writeVarint(value, packed, offset)
  return packed
}

/** Unpacks at most `limit` values; undefined when the bytes are not a whole list of varints or exceed the limit. */
export const unpackVarints = (packed: Uint8Array, limit: number): number[] | undefined => {
  const values: number[] = []
  let offset = 0
  while (offset < packed.length) {
    if (values.length === limit) return undefined
    const read = readVarint(packed, offset)
    if (read._tag !== "Value") return undefined
    values.push(read.value)
    offset = read.next
  }
  return values
}
