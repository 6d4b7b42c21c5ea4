// Control frames round-trip, and what breaks a limit is refused with a reason rather than passed on.
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../control/codec.ts"
import type { ControlRequest, ControlResponse } from "../../control/messages.ts"
import { ACTION_TYPES } from "../../safety/catalog.ts"

const text = fc.string({ minLength: 1, maxLength: 200 }).filter((value) => value.trim().length > 0)
const request: fc.Arbitrary<ControlRequest> = fc.oneof(
  fc.constant<ControlRequest>({ _tag: "GetRouterStatus" }),
  fc.stringMatching(/^[A-Za-z0-9]{10,52}$/).map(
    (id): ControlRequest => ({
      _tag: "RegisterExpert",
      multiaddr: `/ip4/127.0.0.1/tcp/4001/p2p/${id}`
    })
  ),
  fc
    .record({
      text,
      maxTier: fc.option(fc.constantFrom(0, 1, 2, 3), { nil: undefined }),
      types: fc.option(fc.uniqueArray(fc.constantFrom(...ACTION_TYPES), { minLength: 1 }), { nil: undefined })
    })
    .map((fields): ControlRequest => ({ _tag: "SubmitSelfTask", ...fields })),
  text.map((reason): ControlRequest => ({ _tag: "HaltMesh", reason }))
)

const task = fc.record({
  id: fc.string(),
  source: fc.constantFrom("self", "operator", "governance"),
  decision: fc.constantFrom("ran", "refused", "proposed"),
  output: fc.string(),
  actionJson: fc.string(),
  tier: fc.option(fc.constantFrom(0, 1, 2, 3), { nil: undefined }),
  reason: fc.string(),
  resultJson: fc.string(),
  experts: fc.array(fc.string(), { maxLength: 3 }),
  startedAtMs: fc.nat(),
  finishedAtMs: fc.nat()
})
const response: fc.Arbitrary<ControlResponse> = fc.oneof(
  fc
    .record({ peerId: fc.string(), modelName: fc.string() })
    .map((fields) => ({ _tag: "ExpertRegistered" as const, ...fields })),
  task.map((value) => ({ _tag: "TaskResult" as const, task: value })),
  fc.string().map((reason) => ({ _tag: "Halted" as const, reason })),
  fc
    .record({ code: fc.constantFrom("UNAUTHENTICATED" as const, "HALTED" as const), message: fc.string() })
    .map((fields) => ({ _tag: "Error" as const, ...fields }))
)

describe("control frames", () => {
  test.prop([request])("requests round-trip", (value) => {
    const decoded = decodeRequest(encodeRequest(value))
    expect(decoded).toEqual({ ok: true, value })
  })

  test.prop([response])("responses round-trip", (value) => {
    expect(decodeResponse(encodeResponse(value))).toEqual({ ok: true, value })
  })

  test("out-of-bounds fields are refused with the reason", () => {
    const reason = (value: ControlRequest) => {
      const decoded = decodeRequest(encodeRequest(value))
      return decoded.ok ? "accepted" : decoded.reason
    }
    expect(reason({ _tag: "SubmitSelfTask", text: " ", maxTier: undefined, types: undefined })).toBe(
      "the task text is empty"
    )
    expect(reason({ _tag: "SubmitSelfTask", text: "x".repeat(3000), maxTier: undefined, types: undefined })).toContain(
      "longer than 2048 bytes"
    )
    expect(reason({ _tag: "RegisterExpert", multiaddr: "/ip4/127.0.0.1/tcp/1" })).toContain("/p2p/")
    expect(reason({ _tag: "HaltMesh", reason: "" })).toBe("a halt needs a reason")
    expect(reason({ _tag: "HaltMesh", reason: "x", guardianHalt: new Uint8Array(2000) })).toContain("longer than 1024")
    expect(decodeRequest(Uint8Array.from([0x0a, 0xff]))).toMatchObject({ ok: false })
  })
})
