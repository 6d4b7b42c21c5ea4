import { readFileSync } from "node:fs"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import type { SparseDistribution } from "../../aggregator/distribution.ts"
import type { Decoded } from "../../proto/codec.ts"
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  LOGPROB_SCALE,
  newSessionId,
  quantizeLogprobs,
  sessionIdToBytes
} from "../../proto/codec.ts"
import { Frame } from "../../proto/expert.ts"
import { encodeFrame } from "../../proto/frames.ts"
import type { ErrorCode, ExpertManifest, ExpertRequest, ExpertResponse, SessionId } from "../../proto/messages.ts"
import { ERROR_CODES, WIRE_LIMITS } from "../../proto/messages.ts"
import { packVarints, readVarint } from "../../proto/varint.ts"

const STEP = 1 / LOGPROB_SCALE
/** Where the wire caps log-probabilities: e^-4096 is zero for every purpose. */
const FLOOR = -4096

const hexChar = fc.constantFrom(..."0123456789abcdef")
const hex = (minLength: number, maxLength: number) => fc.string({ unit: hexChar, minLength, maxLength })
const sessionIdArb: fc.Arbitrary<SessionId> = fc.oneof(
  hex(32, 32).map((id) => id as SessionId),
  fc.constant(null).map(() => newSessionId())
)
const UINT32_MAX = 2 ** 32 - 1
/** Token lists are packed varints of any uint32: every varint length from 1 to 5 bytes. */
const tokenId = fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: UINT32_MAX }), fc.constantFrom(0, 127, 128, UINT32_MAX))
const tokenizerHash = fc.oneof(hex(64, 64), hex(0, 64))

const openSessionArb = fc.record({
  _tag: fc.constant("OpenSession" as const),
  sessionId: sessionIdArb,
  prompt: fc.array(tokenId, { minLength: 1, maxLength: 1000 }),
  topK: fc.integer({ min: 1, max: WIRE_LIMITS.maxTopK }),
  tokenizerHash
})
const stepArb = fc.record({
  _tag: fc.constant("Step" as const),
  sessionId: sessionIdArb,
  tokens: fc.array(tokenId, { minLength: 1, maxLength: 64 }),
  allowedTokens: fc.option(fc.array(tokenId, { minLength: 1, maxLength: 200 }), { nil: undefined })
})
const closeArb = fc.record({ _tag: fc.constant("CloseSession" as const), sessionId: sessionIdArb })
const parkArb = fc.record({ _tag: fc.constant("ParkSession" as const), sessionId: sessionIdArb })
const requestArb: fc.Arbitrary<ExpertRequest> = fc.oneof(
  fc.constant({ _tag: "ManifestRequest" as const }),
  openSessionArb,
  stepArb,
  closeArb,
  parkArb
)

const uint32 = fc.nat({ max: UINT32_MAX })
const text = fc.string({ unit: "grapheme", maxLength: 40 })
const manifestArb: fc.Arbitrary<ExpertManifest> = fc.record({
  modelName: text,
  fileSha256: hex(64, 64),
  tokenizerHash: hex(1, 64),
  architecture: text,
  parameters: fc.maxSafeNat(),
  quantization: text,
  contextSize: uint32,
  vocabSize: fc.integer({ min: 1, max: UINT32_MAX }), // a manifest without a vocabulary is refused
  maxSessions: uint32,
  maxTopK: uint32,
  addBos: fc.boolean(),
  bosToken: uint32,
  eosToken: uint32
})

/** The wire numbers of the error codes, pinned: a code's number is its index here, and numbers never move. */
const WIRE_ERROR_CODES: ReadonlyArray<ErrorCode> = [
  "INTERNAL",
  "MALFORMED_FRAME",
  "FRAME_TOO_LARGE",
  "UNEXPECTED_FRAME",
  "TOKENIZER_MISMATCH",
  "UNKNOWN_SESSION",
  "SESSION_LIMIT",
  "CONTEXT_FULL",
  "INVALID_TOKEN",
  "INVALID_REQUEST",
  "HALTED"
]

/**
 * A distribution in rank order whose log-probabilities often sit within a quantization step of each other, so that the
 * ordering properties meet near-ties, exact ties and wide gaps.
 */
const distributionArb: fc.Arbitrary<SparseDistribution> = fc
  .record({
    top: fc.double({ min: -20, max: 0, noNaN: true }),
    entries: fc.uniqueArray(
      fc.tuple(
        uint32,
        fc.oneof(
          fc.constant(0),
          fc.double({ min: 0, max: 3 * STEP, noNaN: true }),
          fc.double({ min: 0, max: 30, noNaN: true })
        )
      ),
      { selector: ([token]) => token, maxLength: 64 }
    ),
    residual: fc.double({ min: 0, max: 1, noNaN: true })
  })
  .map(({ top, entries, residual }) => {
    let logprob = top
    const logprobs = entries.map(([, gap], rank) => {
      if (rank > 0) logprob -= gap
      return logprob
    })
    // + 0 turns a -0 residual into 0, which is what the wire carries for it.
    return { tokens: entries.map(([token]) => token), logprobs, residual: residual + 0 }
  })

const stepResultOf = (distribution: SparseDistribution) => ({ _tag: "StepResult", distribution }) as const

/** The top-level fields of protobuf bytes, read by hand (varint, 32-bit and length-delimited wire types only). */
const fieldsOf = (bytes: Uint8Array): Array<{ field: number; wireType: number; body: Uint8Array }> => {
  const fields: Array<{ field: number; wireType: number; body: Uint8Array }> = []
  let offset = 0
  const varint = (): number => {
    const read = readVarint(bytes, offset)
    if (read._tag !== "Value") throw new Error(`no varint at ${offset}`)
    offset = read.next
    return read.value
  }
  while (offset < bytes.length) {
    const tag = varint()
    const wireType = tag & 7
    let start = offset
    if (wireType === 0) varint()
    else if (wireType === 5) offset += 4
    else if (wireType === 2) {
      const length = varint()
      start = offset
      offset += length
    } else throw new Error(`wire type ${wireType}`)
    fields.push({ field: tag >>> 3, wireType, body: bytes.subarray(start, offset) })
  }
  return fields
}

const decodeStepResult = (bytes: Uint8Array): SparseDistribution => {
  const decoded = decodeResponse(bytes)
  if (!decoded.ok) throw new Error(`refused: ${decoded.reason}`)
  if (decoded.value._tag !== "StepResult") throw new Error(`not a StepResult: ${decoded.value._tag}`)
  return decoded.value.distribution
}

const expectRefused = (decoded: Decoded<unknown>, reason: RegExp): void => {
  expect(decoded).toEqual({ ok: false, reason: expect.stringMatching(reason) })
}

describe("requests round-trip", () => {
  test("ManifestRequest", () => {
    expect(decodeRequest(encodeRequest({ _tag: "ManifestRequest" }))).toEqual({
      ok: true,
      value: { _tag: "ManifestRequest" }
    })
  })

  test("OpenSession", () => {
    fc.assert(
      fc.property(openSessionArb, (request) => {
        expect(decodeRequest(encodeRequest(request))).toEqual({ ok: true, value: request })
      }),
      { numRuns: 200 }
    )
  })

  test("Step, with and without allowedTokens", () => {
    fc.assert(
      fc.property(stepArb, (request) => {
        expect(decodeRequest(encodeRequest(request))).toEqual({ ok: true, value: request })
      }),
      { numRuns: 300 }
    )
  })

  test("CloseSession", () => {
    fc.assert(
      fc.property(closeArb, (request) => {
        expect(decodeRequest(encodeRequest(request))).toEqual({ ok: true, value: request })
      })
    )
  })

  test("newSessionId gives 32 lowercase hex characters, 16 bytes on the wire, fresh each time", () => {
    const ids = Array.from({ length: 100 }, () => newSessionId())
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/)
      expect(sessionIdToBytes(id).length).toBe(16)
    }
    expect(new Set(ids).size).toBe(ids.length)
  })
})

describe("responses round-trip", () => {
  test("Manifest, every field", () => {
    fc.assert(
      fc.property(manifestArb, (manifest) => {
        expect(decodeResponse(encodeResponse({ _tag: "Manifest", manifest }))).toEqual({
          ok: true,
          value: { _tag: "Manifest", manifest }
        })
      }),
      { numRuns: 200 }
    )
  })

  test("ERROR_CODES numbers the codes as pinned here and as listed in expert.proto", () => {
    expect(ERROR_CODES).toEqual(WIRE_ERROR_CODES)
    // The comment above `message Error` lists "0 INTERNAL, 1 MALFORMED_FRAME, ...".
    const schema = readFileSync(new URL("../../proto/expert.proto", import.meta.url), "utf8")
    const listed = [...schema.matchAll(/\b(\d+) ([A-Z_]{4,})\b/g)].map(([, number, name]) => [Number(number), name])
    expect(listed).toEqual(WIRE_ERROR_CODES.map((code, number) => [number, code]))
  })

  test.each(WIRE_ERROR_CODES.map((code, number) => [code, number] as const))(
    "Error %s is %i on the wire",
    (code, number) => {
      for (const message of ["", "session 0123 is unknown", "ünïcödé ✓"]) {
        const response: ExpertResponse = { _tag: "Error", code, message }
        const bytes = encodeResponse(response)
        // Absent when 0, as proto3 sends a default; protons reads that back as 0 too.
        expect(Frame.decode(bytes).error).toEqual({ code: number, message })
        expect(decodeResponse(bytes)).toEqual({ ok: true, value: response })
      }
    }
  )

  test("an Error with a code this version does not know decodes as INTERNAL, keeping its message", () => {
    for (const code of [42, WIRE_ERROR_CODES.length, 1000, UINT32_MAX]) {
      const future = Frame.encode({ error: { code, message: "from a newer expert" } })
      expect(decodeResponse(future)).toEqual({
        ok: true,
        value: { _tag: "Error", code: "INTERNAL", message: "from a newer expert" }
      })
    }
    // The same frame built by hand: Error{code: 42, message: ""}.
    expect(decodeResponse(Uint8Array.of(0x3a, 0x04, 0x08, 0x2a, 0x12, 0x00))).toEqual({
      ok: true,
      value: { _tag: "Error", code: "INTERNAL", message: "" }
    })
  })

  test("an Error message is cut to maxTextBytes", () => {
    const decoded = decodeResponse(encodeResponse({ _tag: "Error", code: "INTERNAL", message: "x".repeat(5000) }))
    expect(decoded).toEqual({
      ok: true,
      value: { _tag: "Error", code: "INTERNAL", message: "x".repeat(WIRE_LIMITS.maxTextBytes) }
    })
  })

  test("StepResult: same tokens, log-probabilities within half a step, residual as float32", () => {
    fc.assert(
      fc.property(distributionArb, (distribution) => {
        const { tokens, logprobs, residual } = decodeStepResult(encodeResponse(stepResultOf(distribution)))
        expect(tokens).toEqual(distribution.tokens)
        expect(logprobs.length).toBe(distribution.logprobs.length)
        logprobs.forEach((logprob, rank) => {
          expect(Math.abs(logprob - distribution.logprobs[rank]!)).toBeLessThanOrEqual(STEP / 2)
          // On the grid: a whole number of steps.
          expect(Number.isInteger(logprob * LOGPROB_SCALE)).toBe(true)
        })
        expect(residual).toBe(Math.fround(distribution.residual))
        expect(Math.abs(residual - distribution.residual)).toBeLessThanOrEqual(
          // Relative float32 rounding, or half the smallest float32 subnormal for tinier values.
          distribution.residual * 2 ** -24 + 2 ** -150
        )
      }),
      { numRuns: 500 }
    )
  })

  test("StepResult: entries more than one step apart keep their order, equal entries stay equal", () => {
    fc.assert(
      fc.property(distributionArb, (distribution) => {
        const sent = distribution.logprobs
        const { logprobs } = decodeStepResult(encodeResponse(stepResultOf(distribution)))
        for (let higher = 0; higher < sent.length; higher++) {
          for (let lower = higher + 1; lower < sent.length; lower++) {
            const gap = sent[higher]! - sent[lower]!
            // Rank order survives quantization: never an inversion.
            expect(logprobs[higher]!).toBeGreaterThanOrEqual(logprobs[lower]!)
            if (gap > STEP) expect(logprobs[higher]!).toBeGreaterThan(logprobs[lower]!)
            if (gap === 0) expect(logprobs[higher]!).toBe(logprobs[lower]!)
          }
        }
      }),
      { numRuns: 500 }
    )
  })

  test("StepResult names no session: it decodes to its distribution alone, and has no field 1 on the wire", () => {
    fc.assert(
      fc.property(distributionArb, (distribution) => {
        const bytes = encodeResponse(stepResultOf(distribution))
        const decoded = decodeResponse(bytes)
        expect(decoded.ok && Object.keys(decoded.value).sort()).toEqual(["_tag", "distribution"])
        // Frame field 5 holds the StepResult, whose own fields are among 2, 3 and 4: never 1, the session id.
        const [outer] = fieldsOf(bytes)
        expect(outer).toMatchObject({ field: 5, wireType: 2 })
        expect(fieldsOf(outer!.body).every(({ field }) => field >= 2 && field <= 4)).toBe(true)
      }),
      { numRuns: 200 }
    )
  })

  test("a StepResult that still carries a field 1 (the reserved session id) is read, the field skipped", () => {
    const distribution = { tokens: [5, 9], logprobs: [-0.25, -1], residual: 0.5 }
    const current = Frame.decode(encodeResponse(stepResultOf(distribution))).stepResult!
    const legacyBody = Uint8Array.from([
      0x0a,
      0x10,
      ...new Uint8Array(16).fill(0xab),
      0x12,
      current.tokens.length,
      ...current.tokens,
      0x1a,
      current.logprobDeltas.length,
      ...current.logprobDeltas,
      0x25,
      ...new Uint8Array(Float32Array.of(current.residual).buffer)
    ])
    const legacy = Uint8Array.from([0x2a, legacyBody.length, ...legacyBody])
    expect(decodeResponse(legacy)).toEqual({ ok: true, value: stepResultOf(distribution) })
  })

  test("StepResult edge values: zero probability and below the floor are the floor, float noise above 0 is 0", () => {
    const distribution = {
      tokens: [7, 8, 9, 10, 11],
      logprobs: [1e-12, -0.5, -4095.5, -5000, Number.NEGATIVE_INFINITY],
      residual: 0
    }
    const decoded = decodeStepResult(encodeResponse(stepResultOf(distribution)))
    expect(decoded.logprobs.map((logprob) => logprob + 0)).toEqual([0, -0.5, -4095.5, FLOOR, FLOOR])
    expect(decoded.residual).toBe(0)
    const empty = decodeStepResult(encodeResponse(stepResultOf({ tokens: [], logprobs: [], residual: 1 })))
    expect(empty).toEqual({ tokens: [], logprobs: [], residual: 1 })
  })

  test("quantizeLogprobs: deltas are non-negative integers even for input out of rank order", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5000, max: 1, noNaN: true }), { maxLength: 32 }), (logprobs) => {
        const deltas = quantizeLogprobs(logprobs)
        expect(deltas.length).toBe(logprobs.length)
        expect(deltas.every((delta) => Number.isInteger(delta) && delta >= 0)).toBe(true)
        expect(deltas.reduce((sum, delta) => sum + delta, 0)).toBeLessThanOrEqual(-FLOOR * LOGPROB_SCALE)
      })
    )
    // An entry above its predecessor is pulled down to it (ties then break by rank order).
    expect(quantizeLogprobs([-2, -1, -3])).toEqual([2 * LOGPROB_SCALE, 0, LOGPROB_SCALE])
  })
})

describe("refusals", () => {
  const id = sessionIdToBytes(newSessionId())
  /** `prompt` is the raw field: packed varints, or any bytes. */
  const openSession = (
    fields: Partial<{ sessionId: Uint8Array<ArrayBuffer>; prompt: Uint8Array<ArrayBuffer>; topK: number; hash: string }>
  ) =>
    Frame.encode({
      openSession: {
        sessionId: fields.sessionId ?? id,
        prompt: fields.prompt ?? packVarints([1, 2, 3]),
        topK: fields.topK ?? 8,
        tokenizerHash: fields.hash ?? "ab"
      }
    })
  /** `tokens` and `allowed` are the raw fields. */
  const step = (
    fields: Partial<{
      sessionId: Uint8Array<ArrayBuffer>
      tokens: Uint8Array<ArrayBuffer>
      allowed: Uint8Array<ArrayBuffer>
    }>
  ) =>
    Frame.encode({
      step: {
        sessionId: fields.sessionId ?? id,
        tokens: fields.tokens ?? packVarints([1]),
        allowedTokens: fields.allowed ?? new Uint8Array(0)
      }
    })
  const stepResult = (
    fields: Partial<{
      tokens: Uint8Array<ArrayBuffer>
      deltas: Uint8Array<ArrayBuffer>
      residual: number
    }>
  ) =>
    Frame.encode({
      stepResult: {
        tokens: fields.tokens ?? packVarints([1, 2]),
        logprobDeltas: fields.deltas ?? packVarints([10, 20]),
        residual: fields.residual ?? 0.25
      }
    })

  test("the builders above make frames that are accepted, so each refusal below is due to its one change", () => {
    expect(decodeRequest(openSession({})).ok).toBe(true)
    expect(decodeRequest(step({})).ok).toBe(true)
    expect(decodeRequest(step({ allowed: packVarints([5]) })).ok).toBe(true)
    expect(decodeResponse(stepResult({})).ok).toBe(true)
  })

  test("bytes that are not protobuf", () => {
    for (const bytes of [
      Uint8Array.of(0xff, 0xff, 0xff),
      Uint8Array.of(0x1a, 0x50, 0x01), // an OpenSession announcing 80 bytes with 1 present
      Uint8Array.of(0x0f), // wire type 7 does not exist
      new TextEncoder().encode("GET / HTTP/1.1\r\n")
    ]) {
      expectRefused(decodeRequest(bytes), /^not a valid frame: /)
      expectRefused(decodeResponse(bytes), /^not a valid frame: /)
    }
  })

  test("arbitrary or corrupted bytes never throw: the answer is a value or a reason", () => {
    const valid = fc.oneof(
      requestArb.map(encodeRequest),
      distributionArb.map((d) => encodeResponse(stepResultOf(d)))
    )
    const corrupted = fc.tuple(valid, fc.nat(), fc.nat({ max: 255 })).map(([bytes, at, value]) => {
      const copy = Uint8Array.from(bytes)
      if (copy.length > 0) copy[at % copy.length] = value
      return copy
    })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), corrupted), (bytes) => {
        for (const decoded of [decodeRequest(bytes), decodeResponse(bytes)]) {
          if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 2000 }
    )
  })

  test("a Frame with two messages", () => {
    const two = Frame.encode({ manifestRequest: {}, closeSession: { sessionId: id } })
    expectRefused(decodeRequest(two), /exactly one message, this one holds 2/)
    const mixed = Frame.encode({
      step: { sessionId: id, tokens: packVarints([1]), allowedTokens: new Uint8Array(0) },
      error: { code: 0, message: "" }
    })
    expectRefused(decodeResponse(mixed), /exactly one message, this one holds 2/)
  })

  test("an empty Frame", () => {
    expectRefused(decodeRequest(new Uint8Array(0)), /exactly one message, this one holds 0/)
    expectRefused(decodeResponse(new Uint8Array(0)), /exactly one message, this one holds 0/)
    // Only an unknown field: still no message.
    expectRefused(decodeRequest(Uint8Array.of(0x78, 0x01)), /this one holds 0/) // field 15, a varint
  })

  test("a session id of the wrong length, in every message that carries one", () => {
    for (const length of [0, 15, 17, 32]) {
      const sessionId = new Uint8Array(length).fill(0xab)
      const reason = /a session id is 16 bytes/
      expectRefused(decodeRequest(openSession({ sessionId })), reason)
      expectRefused(decodeRequest(step({ sessionId })), reason)
      expectRefused(decodeRequest(Frame.encode({ closeSession: { sessionId } })), reason)
      expectRefused(decodeRequest(Frame.encode({ parkSession: { sessionId } })), reason)
    }
  })

  test("OpenSession with an empty prompt, top_k 0 or 257, or an oversized tokenizer hash", () => {
    expectRefused(decodeRequest(openSession({ prompt: new Uint8Array(0) })), /the prompt is empty/)
    expectRefused(decodeRequest(openSession({ topK: 0 })), /top_k must be within 1\.\.256/)
    expectRefused(decodeRequest(openSession({ topK: 257 })), /top_k must be within 1\.\.256/)
    expect(decodeRequest(openSession({ topK: 256 })).ok).toBe(true)
    expectRefused(decodeRequest(openSession({ hash: "a".repeat(4097) })), /tokenizer_hash is longer than 4096 bytes/)
  })

  test("a Step with no tokens", () => {
    expectRefused(
      decodeRequest(step({ tokens: new Uint8Array(0), allowed: packVarints([5]) })),
      /a step appends at least one token/
    )
  })

  test("a token list that is not whole varints (cut inside a varint, or a varint over 32 bits) is refused", () => {
    const broken = [
      Uint8Array.of(0x01, 0x80), // 1, then a varint cut after its first byte
      Uint8Array.of(0xff), // only a continuation byte
      Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0x10), // a 5th byte above 0x0f
      Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00) // six bytes
    ]
    for (const bytes of broken) {
      expectRefused(
        decodeRequest(openSession({ prompt: bytes })),
        /^the prompt is not a list of at most 131072 varints$/
      )
      expectRefused(decodeRequest(step({ tokens: bytes })), /^step tokens are not a list of at most 4096 varints$/)
      expectRefused(decodeRequest(step({ allowed: bytes })), /^allowed tokens are not a list of at most 65536 varints$/)
    }
    // A whole packed list cut short anywhere inside its last varint.
    const packed = packVarints([3, 300, UINT32_MAX])
    for (let cut = packed.length - 4; cut < packed.length; cut++) {
      expectRefused(decodeRequest(step({ tokens: packed.subarray(0, cut) })), /^step tokens are not a list/)
    }
  })

  test("encodeRequest throws on a token that is not a uint32 rather than sending a wrong list", () => {
    const sessionId = newSessionId()
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() =>
        encodeRequest({ _tag: "OpenSession", sessionId, prompt: [1, bad], topK: 4, tokenizerHash: "ab" })
      ).toThrow(RangeError)
      expect(() => encodeRequest({ _tag: "Step", sessionId, tokens: [bad], allowedTokens: undefined })).toThrow(
        RangeError
      )
      expect(() => encodeRequest({ _tag: "Step", sessionId, tokens: [1], allowedTokens: [2, bad] })).toThrow(RangeError)
    }
  })

  test("a request where a response is expected, and a response where a request is expected", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        expectRefused(decodeResponse(encodeRequest(request)), /the router expects Manifest, StepResult or Error/)
      })
    )
    const responses: ExpertResponse[] = [
      stepResultOf({ tokens: [1], logprobs: [-0.1], residual: 0.1 }),
      { _tag: "Error", code: "UNKNOWN_SESSION", message: "gone" },
      { _tag: "Error", code: "INTERNAL", message: "" },
      {
        _tag: "Manifest",
        manifest: {
          modelName: "m",
          fileSha256: "00",
          tokenizerHash: "ab",
          architecture: "llama",
          parameters: 1,
          quantization: "F32",
          contextSize: 1,
          vocabSize: 1,
          maxSessions: 1,
          maxTopK: 1,
          addBos: false,
          bosToken: 0,
          eosToken: 0
        }
      }
    ]
    for (const response of responses) {
      expectRefused(
        decodeRequest(encodeResponse(response)),
        /the expert expects ManifestRequest, OpenSession, Step, CloseSession or ParkSession/
      )
    }
  })

  test("a Manifest without a tokenizer hash, or with a text field over maxTextBytes (counted in UTF-8 bytes)", () => {
    const manifest = fc.sample(manifestArb, { numRuns: 1, seed: 1 })[0]!
    expectRefused(
      decodeResponse(encodeResponse({ _tag: "Manifest", manifest: { ...manifest, tokenizerHash: "" } })),
      /the manifest has no tokenizer hash/
    )
    // 2049 characters, 4098 bytes.
    const long = "é".repeat(2049)
    expectRefused(
      decodeResponse(encodeResponse({ _tag: "Manifest", manifest: { ...manifest, modelName: long } })),
      /model_name is longer than 4096 bytes/
    )
  })

  test("StepResult lists of different lengths, unpacked varints, or log-probabilities past the floor", () => {
    expectRefused(decodeResponse(stepResult({ deltas: packVarints([10]) })), /step result lists differ in length/)
    expectRefused(decodeResponse(stepResult({ tokens: new Uint8Array(0) })), /step result lists differ in length/)
    expectRefused(decodeResponse(stepResult({ tokens: Uint8Array.of(0x01, 0x80) })), /not packed varints/)
    expectRefused(
      decodeResponse(stepResult({ deltas: Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0x7f) })),
      /not packed varints/
    )
    const atFloor = packVarints([-FLOOR * LOGPROB_SCALE, 0])
    expect(decodeStepResult(stepResult({ deltas: atFloor })).logprobs).toEqual([FLOOR, FLOOR])
    expectRefused(
      decodeResponse(stepResult({ deltas: packVarints([-FLOOR * LOGPROB_SCALE, 1]) })),
      /log-probabilities out of range/
    )
  })

  test("StepResult with more entries than maxAllowedTokens", () => {
    const count = WIRE_LIMITS.maxAllowedTokens + 1
    const zeros = new Uint8Array(count)
    expectRefused(decodeResponse(stepResult({ tokens: zeros, deltas: zeros })), /not packed varints/)
    const atLimit = zeros.subarray(1)
    expect(decodeStepResult(stepResult({ tokens: atLimit, deltas: atLimit })).tokens.length).toBe(count - 1)
  })

  test("StepResult with residual 1.5, below 0 or NaN", () => {
    for (const residual of [1.5, -0.25, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectRefused(decodeResponse(stepResult({ residual })), /step result residual is outside \[0, 1\]/)
    }
  })

  test("a prompt of maxPromptTokens + 1 is refused; exactly maxPromptTokens is accepted", () => {
    const prompt = Array.from({ length: WIRE_LIMITS.maxPromptTokens + 1 }, (_, index) => index & 0xffff)
    const sessionId = newSessionId()
    const request = (length: number): ExpertRequest => ({
      _tag: "OpenSession",
      sessionId,
      prompt: prompt.slice(0, length),
      topK: 4,
      tokenizerHash: "ab"
    })
    expectRefused(
      decodeRequest(encodeRequest(request(prompt.length))),
      /^the prompt is not a list of at most 131072 varints$/
    )
    const atLimit = decodeRequest(encodeRequest(request(WIRE_LIMITS.maxPromptTokens)))
    expect(atLimit).toEqual({ ok: true, value: request(WIRE_LIMITS.maxPromptTokens) })
  })

  test("Step tokens over maxStepTokens and allowed tokens over maxAllowedTokens are refused; the limits pass", () => {
    const sessionId = newSessionId()
    const list = (length: number) => Array.from({ length }, (_, index) => index)
    const request = (tokens: number[], allowedTokens: number[] | undefined): ExpertRequest => ({
      _tag: "Step",
      sessionId,
      tokens,
      allowedTokens
    })
    expectRefused(
      decodeRequest(encodeRequest(request(list(WIRE_LIMITS.maxStepTokens + 1), undefined))),
      /^step tokens are not a list of at most 4096 varints$/
    )
    expectRefused(
      decodeRequest(encodeRequest(request([1], list(WIRE_LIMITS.maxAllowedTokens + 1)))),
      /^allowed tokens are not a list of at most 65536 varints$/
    )
    const atLimits = request(list(WIRE_LIMITS.maxStepTokens), list(WIRE_LIMITS.maxAllowedTokens))
    expect(decodeRequest(encodeRequest(atLimits))).toEqual({ ok: true, value: atLimits })
  })
})

describe("interoperability", () => {
  const id = sessionIdToBytes(newSessionId())

  test("a Step built by hand from raw protobuf bytes, tokens packed the proto3 way, decodes as tokens [24, 7]", () => {
    // Step{session_id (field 1, 16 bytes), tokens (field 2, wire type 2): 18 07}, inside Frame field 4.
    const body = [0x0a, 0x10, ...id, 0x12, 0x02, 0x18, 0x07]
    const decoded = decodeRequest(Uint8Array.from([0x22, body.length, ...body]))
    expect(decoded).toEqual({
      ok: true,
      value: { _tag: "Step", sessionId: Buffer.from(id).toString("hex"), tokens: [24, 7], allowedTokens: undefined }
    })
    // And encodeRequest writes exactly those bytes.
    expect([...encodeRequest(decoded.ok ? decoded.value : { _tag: "ManifestRequest" })]).toEqual([
      0x22,
      body.length,
      ...body
    ])
  })

  test("an OpenSession built by hand: the prompt is one length-delimited field of packed varints", () => {
    // prompt [1, 300, 151000] = 01 ac02 d89b09; top_k 8; tokenizer_hash "ab".
    const body = [0x0a, 0x10, ...id, 0x12, 0x06, 0x01, 0xac, 0x02, 0xd8, 0x9b, 0x09, 0x18, 0x08, 0x22, 0x02, 0x61, 0x62]
    const request: ExpertRequest = {
      _tag: "OpenSession",
      sessionId: Buffer.from(id).toString("hex") as SessionId,
      prompt: [1, 300, 151_000],
      topK: 8,
      tokenizerHash: "ab"
    }
    expect(decodeRequest(Uint8Array.from([0x1a, body.length, ...body]))).toEqual({ ok: true, value: request })
    expect([...encodeRequest(request)]).toEqual([0x1a, body.length, ...body])
  })
})

describe("frame sizes", () => {
  test("a typical StepResult (16 tokens < 512, a real model's spread) is under 110 bytes with its length prefix", () => {
    const logprobs = [
      -0.05, -3.5, -8.1, -8.6, -9, -9.3, -9.6, -9.9, -10.2, -10.5, -10.8, -11.1, -11.3, -11.5, -11.8, -12
    ]
    const tokens = [279, 264, 311, 323, 358, 389, 304, 369, 449, 430, 505, 315, 374, 483, 499, 330]
    // Clamped as the expert does; here about 0.018 stays outside the list, so the float is on the wire.
    const residual = Math.max(0, 1 - logprobs.reduce((sum, logprob) => sum + Math.exp(logprob), 0))
    expect(residual).toBeGreaterThan(0)
    const framed = encodeFrame(encodeResponse(stepResultOf({ tokens, logprobs, residual })))
    console.log(`typical StepResult frame: ${framed.length} bytes (16 entries, length prefix included)`)
    expect(framed.length).toBeLessThan(110)
    // The round trip of the measured frame is still exact on tokens.
    expect(decodeStepResult(framed.subarray(1)).tokens).toEqual(tokens)
  })

  test("a Step with one token is under 30 bytes with its length prefix", () => {
    const framed = encodeFrame(
      encodeRequest({ _tag: "Step", sessionId: newSessionId(), tokens: [151_000], allowedTokens: undefined })
    )
    console.log(`one-token Step frame: ${framed.length} bytes (length prefix included)`)
    expect(framed.length).toBeLessThan(30)
  })
})
