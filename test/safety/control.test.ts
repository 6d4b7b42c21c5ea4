// The control protocol over real libp2p and the admin API over real HTTP, in front of a node with real experts:
// operators get answers; strangers, malformed and oversized calls get clear refusals.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { callControl } from "../../control/client.ts"
import { decodeResponse } from "../../control/codec.ts"
import { startControlNode } from "../../control/control-node.ts"
import { CONTROL_PROTOCOL, type ControlRequest } from "../../control/messages.ts"
import type { ExpertNode } from "../../experts/expert-node.ts"
import { InferenceLive } from "../../experts/inference/service.ts"
import { GovernanceMemory, layerMemory } from "../../governance/service.ts"
import { frameChannel } from "../../proto/channel.ts"
import { ControlRequest as WireRequest } from "../../proto/control.ts"
import { encodeFrame } from "../../proto/frames.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { type P2PNode, startP2PNode } from "../../runtime/p2p/node.ts"
import { layerLevel } from "../../store/store.ts"
import { startTestExpert } from "../helpers/runtime.ts"

const TOKEN = "test-admin-token-0123456789"
const dataDir = mkdtempSync(join(tmpdir(), "mesh-control-"))
const runtime = ManagedRuntime.make(Layer.mergeAll(InferenceLive, layerMemory(), layerLevel(join(dataDir, "store"))))
let scope: Scope.CloseableScope
let nodeAddress: string
let url: string
let operator: P2PNode
let stranger: P2PNode
let spare: ExpertNode
let node: Effect.Effect.Success<ReturnType<typeof startControlNode>>

beforeAll(async () => {
  scope = await runtime.runPromise(Scope.make())
  const operatorIdentity = await newIdentity()
  operator = await startP2PNode({ role: "router", identity: operatorIdentity, listen: [] })
  stranger = await startP2PNode({ role: "router", identity: await newIdentity(), listen: [] })
  const started = await runtime.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const experts = yield* Effect.forEach(["stories260K.gguf", "stories260K-q8_0.gguf"], (name) =>
          startTestExpert({ modelPath: modelPath(name) })
        )
        const spare = yield* startTestExpert({ modelPath: modelPath("stories260K-q4_0.gguf") })
        const node = yield* startControlNode({
          modelsDir: resolveModelsDir(),
          experts: experts.map((expert) => expert.multiaddrs()[0]!),
          listen: ["/ip4/127.0.0.1/tcp/0"],
          operators: [operatorIdentity.peerId],
          safety: { sampling: { temperature: 1, seed: 5 } },
          gateway: { port: 0, host: "127.0.0.1", adminToken: TOKEN }
        })
        return { node, spare }
      }),
      scope
    )
  )
  node = started.node
  spare = started.spare
  nodeAddress = node.router.node.multiaddrs()[0]!
  url = node.url!
}, 60_000)

afterAll(async () => {
  await operator?.stop()
  await stranger?.stop()
  await runtime.runPromise(Scope.close(scope, Exit.void))
  await runtime.dispose()
  rmSync(dataDir, { recursive: true, force: true })
})

const call = (request: ControlRequest, from: P2PNode = operator) => callControl(from.dial, nodeAddress, request)
const refusal = (request: ControlRequest, from?: P2PNode) =>
  call(request, from).then(
    () => undefined,
    (error) => error as { code: string; message: string }
  )

/** Sends raw bytes on a control stream and reads the one answer. */
const rawCall = async (bytes: Uint8Array) => {
  const stream = await operator.dial(nodeAddress, CONTROL_PROTOCOL)
  const channel = frameChannel(stream, 1024 * 1024)
  if (!stream.send(bytes)) await stream.onDrain()
  const read = await channel.read()
  await stream.close().catch(() => undefined)
  if (read._tag !== "Frame") throw new Error(`no answer: ${read._tag}`)
  const decoded = decodeResponse(read.bytes)
  if (!decoded.ok) throw new Error(decoded.reason)
  return decoded.value
}

describe("the control protocol /mesh/control/1.0.0", () => {
  test("an operator reads the router's status: experts, K, governance, loops", async () => {
    const answer = await call({ _tag: "GetRouterStatus" })
    expect(answer._tag).toBe("RouterStatus")
    if (answer._tag !== "RouterStatus") return
    expect(answer.status.peerId).toBe(node.router.peerId)
    expect(answer.status.experts).toHaveLength(2)
    expect(answer.status).toMatchObject({ k: 2, phase: 0, maxTier: 0, halted: false })
  })

  test("a peer that is not an operator is refused UNAUTHENTICATED", async () => {
    const error = await refusal({ _tag: "GetRouterStatus" }, stranger)
    expect(error?.code).toBe("UNAUTHENTICATED")
    expect(error?.message).toContain(stranger.peerId)
    const halt = await refusal({ _tag: "HaltMesh", reason: "not mine to pull" }, stranger)
    expect(halt?.code).toBe("UNAUTHENTICATED")
    expect((await call({ _tag: "GetRouterStatus" }))._tag).toBe("RouterStatus")
  })

  test("malformed and oversized frames get MALFORMED_FRAME and FRAME_TOO_LARGE", async () => {
    const garbage = await rawCall(encodeFrame(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])))
    expect(garbage).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME" })
    const two = await rawCall(
      encodeFrame(
        WireRequest.encode({ getRouterStatus: {}, haltMesh: { reason: "x", guardianHalt: new Uint8Array() } })
      )
    )
    expect(two).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME", message: expect.stringContaining("holds 2") })
    const empty = await rawCall(encodeFrame(new Uint8Array()))
    expect(empty).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME" })
    const tier = await rawCall(
      encodeFrame(WireRequest.encode({ submitSelfTask: { text: "go", maxTier: 7, types: [] } }))
    )
    expect(tier).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME", message: "max tier 7 is not a tier (0..3)" })
    const type = await rawCall(
      encodeFrame(WireRequest.encode({ submitSelfTask: { text: "go", types: ["launch_missiles"] } }))
    )
    expect(type).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME" })
    const huge = await rawCall(encodeFrame(new Uint8Array(64 * 1024)))
    expect(huge).toMatchObject({ _tag: "Error", code: "FRAME_TOO_LARGE" })
    // A bad prefix: ten continuation bytes are no varint.
    const prefix = await rawCall(new Uint8Array(11).fill(0x80))
    expect(prefix).toMatchObject({ _tag: "Error", code: "MALFORMED_FRAME" })
  })

  test("SubmitSelfTask: the experts write an action under the grammar and the gate decides", async () => {
    const answer = await call({ _tag: "SubmitSelfTask", text: "Tell a story.", maxTier: undefined, types: ["answer"] })
    expect(answer._tag).toBe("TaskResult")
    if (answer._tag !== "TaskResult") return
    expect(answer.task.decision).toBe("ran")
    expect(JSON.parse(answer.task.actionJson).type).toBe("answer")
    expect(typeof JSON.parse(answer.task.resultJson).text).toBe("string")
    const gated = await call({ _tag: "SubmitSelfTask", text: "Use one expert.", maxTier: undefined, types: ["set_k"] })
    expect(gated._tag === "TaskResult" && gated.task.decision).toBe("proposed")
    const status = await call({ _tag: "GetRouterStatus" })
    expect(status._tag === "RouterStatus" && status.status.recent.map((task) => task.id)).toContain(answer.task.id)
  })

  test("RegisterExpert adds an expert by address", async () => {
    const answer = await call({ _tag: "RegisterExpert", multiaddr: spare.multiaddrs()[0]! })
    expect(answer).toEqual({ _tag: "ExpertRegistered", peerId: spare.peerId, modelName: "stories260K" })
    const status = await call({ _tag: "GetRouterStatus" })
    expect(status._tag === "RouterStatus" && status.status.experts).toHaveLength(3)
  })
})

const admin = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers)
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? TOKEN}`)
  if (init.body !== undefined) headers.set("content-type", "application/json")
  return fetch(`${url}${path}`, { ...init, headers })
}

describe("the admin API", () => {
  test("refuses a missing or wrong token with 401, before reading the body", async () => {
    const missing = await admin("/admin/status", { token: null })
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("unauthenticated")
    const wrong = await admin("/admin/halt", { method: "POST", token: "not-the-token-at-all", body: '{"reason":"x"}' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer")
    expect((await admin("/admin/status")).status).toBe(200)
  })

  test("refuses bad JSON, invalid requests and oversized bodies with 400 and 413", async () => {
    const json = await admin("/admin/tasks", { method: "POST", body: "{not json" })
    expect(json.status).toBe(400)
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("invalid_json")
    const shape = await admin("/admin/tasks", { method: "POST", body: JSON.stringify({ text: 3 }) })
    expect(shape.status).toBe(400)
    expect(((await shape.json()) as { error: { code: string } }).error.code).toBe("invalid_request")
    const extra = await admin("/admin/tasks", { method: "POST", body: JSON.stringify({ text: "go", sudo: true }) })
    expect(extra.status).toBe(400)
    const tier = await admin("/admin/tasks", { method: "POST", body: JSON.stringify({ text: "go", max_tier: 9 }) })
    expect(tier.status).toBe(400)
    expect(((await tier.json()) as { error: { message: string } }).error.message).toBe(
      "max tier 9 is not a tier (0..3)"
    )
    const big = await admin("/admin/tasks", { method: "POST", body: JSON.stringify({ text: "x".repeat(40_000) }) })
    expect(big.status).toBe(413)
    const limit = await admin("/admin/tasks?limit=0")
    expect(limit.status).toBe(400)
    expect((await admin("/admin/tasks/not-an-id")).status).toBe(400)
    expect((await admin("/admin/tasks/00000000000001-000001")).status).toBe(404)
  })

  test("a submitted task is listed and shown from the store", async () => {
    const response = await admin("/admin/tasks", {
      method: "POST",
      body: JSON.stringify({ text: "How is the mesh?", types: ["report_status"], max_tier: 0 })
    })
    expect(response.status).toBe(200)
    const task = (await response.json()) as { id: string; decision: string; resultJson: string }
    expect(task.decision).toBe("ran")
    expect(JSON.parse(task.resultJson).experts).toHaveLength(3)
    const list = (await (await admin("/admin/tasks?limit=10")).json()) as { tasks: Array<{ id: string }> }
    expect(list.tasks[0]?.id).toBe(task.id)
    const shown = (await (await admin(`/admin/tasks/${task.id}`)).json()) as { record: { prompt: string } }
    expect(shown.record.prompt).toContain("How is the mesh?")
  })

  test("a tier-2 rate limit runs once the phase allows it, and changes the gateway's fair use", async () => {
    await runtime.runPromise(
      Effect.flatMap(GovernanceMemory, (memory) => memory.set((state) => ({ ...state, phase: 2, maxTier: 2 })))
    )
    const response = await admin("/admin/tasks", {
      method: "POST",
      body: JSON.stringify({ text: "Slow everyone down.", types: ["set_rate_limit"] })
    })
    const task = (await response.json()) as { decision: string; actionJson: string }
    expect(task.decision).toBe("ran")
    const limit = JSON.parse(task.actionJson).requests_per_minute as number
    expect(node.gateway!.fairUse.config.requestsPerMinute).toBe(limit)
    await runtime.runPromise(
      Effect.flatMap(GovernanceMemory, (memory) => memory.set((state) => ({ ...state, phase: 0, maxTier: 0 })))
    )
  })

  test("HaltMesh from an operator halts; afterwards tasks are refused (HALTED over RPC, 409 over HTTP)", async () => {
    const halted = await call({ _tag: "HaltMesh", reason: "operator drill" })
    expect(halted).toEqual({ _tag: "Halted", reason: "operator drill" })
    const status = await call({ _tag: "GetRouterStatus" })
    expect(status._tag === "RouterStatus" && status.status).toMatchObject({
      halted: true,
      haltReason: "operator drill"
    })
    const refused = await refusal({ _tag: "SubmitSelfTask", text: "go", maxTier: undefined, types: undefined })
    expect(refused?.code).toBe("HALTED")
    const http = await admin("/admin/tasks", { method: "POST", body: JSON.stringify({ text: "go" }) })
    expect(http.status).toBe(409)
  })
})
