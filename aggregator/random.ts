import { getRandomValues } from "node:crypto"

/** Uniform floats in [0, 1). */
export type RandomSource = () => number

const UINT64_MASK = (1n << 64n) - 1n

/**
 * xoshiro128** seeded through splitmix64, as its authors recommend. Only 32-bit integer arithmetic (`Math.imul`,
 * shifts) runs per draw, so a seed gives the same sequence on every platform and Node version. Without a seed the
 * state comes from the OS CSPRNG. `seed` is any safe integer (OpenAI's `seed` parameter).
 */
export const createRandom = (seed?: number): RandomSource => {
  const state = seed === undefined ? getRandomValues(new Uint32Array(4)) : seedState(seed)
  // The one state xoshiro cannot leave; splitmix64 never produces it in practice, but be total.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1
  let s0 = state[0]!
  let s1 = state[1]!
  let s2 = state[2]!
  let s3 = state[3]!

  const nextUint32 = (): number => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0
    const shifted = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= shifted
    s3 = rotateLeft(s3, 11)
    return result
  }

  // 53 random bits (27 + 26) fill a double's mantissa, so every representable step of 2^-53 is reachable.
  return () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992
}

const rotateLeft = (value: number, bits: number): number => (value << bits) | (value >>> (32 - bits))

const seedState = (seed: number): Uint32Array => {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`random seed is ${seed}; it must be a safe integer`)
  // BigInt is fine here: it runs once per sampler, never per token.
  let x = BigInt.asUintN(64, BigInt(seed))
  const state = new Uint32Array(4)
  for (let word = 0; word < 4; word += 2) {
    x = (x + 0x9e3779b97f4a7c15n) & UINT64_MASK
    let z = x
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & UINT64_MASK
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & UINT64_MASK
    z ^= z >> 31n
    state[word] = Number(z & 0xffffffffn)
    state[word + 1] = Number(z >> 32n)
  }
  return state
}
