// Control frames <-> domain messages. Requests are decoded with limits and validated at once; responses are decoded
// by clients with the same care (a node is not trusted to send sane frames either).

import type { Tier } from "../governance/state.ts"
import * as wire from "../proto/control.ts"
import { ACTION_TYPES, type ActionType } from "../safety/catalog.ts"
import {
  CONTROL_ERROR_CODES,
  CONTROL_LIMITS,
  type ControlRequest,
  type ControlResponse,
  type RouterStatus,
  type TaskResult
} from "./messages.ts"

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reason: string }

const fail = (reason: string): Decoded<never> => ({ ok: false, reason })
const succeed = <A>(value: A): Decoded<A> => ({ ok: true, value })

const tooLong = (label: string, text: string, limit: number) =>
  Buffer.byteLength(text) > limit ? `${label} is longer than ${limit} bytes` : undefined

/** Checks an operator task's fields; shared with the admin API. */
export const checkTask = (
  text: string,
  maxTier: number | undefined,
  types: ReadonlyArray<string>
): Decoded<{ text: string; maxTier: Tier | undefined; types: ReadonlyArray<ActionType> | undefined }> => {
  if (text.trim().length === 0) return fail("the task text is empty")
  const long = tooLong("the task text", text, CONTROL_LIMITS.maxTextBytes)
  if (long !== undefined) return fail(long)
  if (maxTier !== undefined && !(Number.isInteger(maxTier) && maxTier >= 0 && maxTier <= 3)) {
    return fail(`max tier ${maxTier} is not a tier (0..3)`)
  }
  const unknown = types.find((type) => !(ACTION_TYPES as ReadonlyArray<string>).includes(type))
  if (unknown !== undefined) return fail(`unknown action type "${unknown}" (known: ${ACTION_TYPES.join(", ")})`)
  return succeed({
    text,
    maxTier: maxTier as Tier | undefined,
    types: types.length === 0 ? undefined : ([...new Set(types)] as ActionType[])
  })
}

export const encodeRequest = (request: ControlRequest): Uint8Array => {
  switch (request._tag) {
    case "RegisterExpert":
      return wire.ControlRequest.encode({ registerExpert: { multiaddr: request.multiaddr } })
    case "GetRouterStatus":
      return wire.ControlRequest.encode({ getRouterStatus: {} })
    case "SubmitSelfTask":
      return wire.ControlRequest.encode({
        submitSelfTask: {
          text: request.text,
          ...(request.maxTier === undefined ? {} : { maxTier: request.maxTier }),
          types: [...(request.types ?? [])]
        }
      })
    case "HaltMesh":
      return wire.ControlRequest.encode({
        haltMesh: { reason: request.reason, guardianHalt: Uint8Array.from(request.guardianHalt ?? []) }
      })
  }
}

export const decodeRequest = (bytes: Uint8Array): Decoded<ControlRequest> => {
  let frame: wire.ControlRequest
  try {
    frame = wire.ControlRequest.decode(bytes, { limits: { submitSelfTask: { types: ACTION_TYPES.length } } })
  } catch (cause) {
    return fail(`not a valid control request: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const present = Object.values(frame).filter((field) => field !== undefined).length
  if (present !== 1) return fail(`a request holds exactly one message, this one holds ${present}`)
  if (frame.registerExpert !== undefined) {
    const { multiaddr } = frame.registerExpert
    const long = tooLong("the multiaddr", multiaddr, CONTROL_LIMITS.maxAddressBytes)
    if (long !== undefined) return fail(long)
    if (!/^\/.+\/p2p\/[A-Za-z0-9]+$/.test(multiaddr)) return fail("the multiaddr must end in /p2p/<peer id>")
    return succeed({ _tag: "RegisterExpert", multiaddr })
  }
  if (frame.getRouterStatus !== undefined) return succeed({ _tag: "GetRouterStatus" })
  if (frame.submitSelfTask !== undefined) {
    const { text, maxTier, types } = frame.submitSelfTask
    const checked = checkTask(text, maxTier, types)
    return checked.ok ? succeed({ _tag: "SubmitSelfTask", ...checked.value }) : checked
  }
  const { reason, guardianHalt } = frame.haltMesh!
  if (guardianHalt.length > CONTROL_LIMITS.maxGuardianHaltBytes) {
    return fail(`a guardian halt is longer than ${CONTROL_LIMITS.maxGuardianHaltBytes} bytes`)
  }
  if (reason.trim().length === 0 && guardianHalt.length === 0) return fail("a halt needs a reason")
  const long = tooLong("the reason", reason, CONTROL_LIMITS.maxReasonBytes)
  if (long !== undefined) return fail(long)
  return succeed({ _tag: "HaltMesh", reason, ...(guardianHalt.length === 0 ? {} : { guardianHalt }) })
}

const taskToWire = (task: TaskResult): wire.TaskResult => ({
  ...task,
  experts: [...task.experts],
  startedAtMs: BigInt(task.startedAtMs),
  finishedAtMs: BigInt(task.finishedAtMs)
})

const taskFromWire = (task: wire.TaskResult): TaskResult => ({
  ...task,
  tier: task.tier,
  startedAtMs: Number(task.startedAtMs),
  finishedAtMs: Number(task.finishedAtMs)
})

const statusToWire = (status: RouterStatus): wire.RouterStatus => ({
  ...status,
  experts: status.experts.map((expert) => ({
    peerId: expert.peerId,
    modelName: expert.modelName,
    quantization: expert.quantization,
    tokenizerHash: expert.tokenizerHash,
    banned: expert.banned,
    weight: expert.weight,
    ...(expert.pingMs === undefined ? {} : { pingMs: expert.pingMs }),
    ...(expert.stepMs === undefined ? {} : { stepMs: expert.stepMs })
  })),
  loops: status.loops.map((loop) => ({ ...loop, experts: [...loop.experts] })),
  recent: status.recent.map(taskToWire)
})

export const encodeResponse = (response: ControlResponse): Uint8Array => {
  switch (response._tag) {
    case "ExpertRegistered":
      return wire.ControlResponse.encode({
        expertRegistered: { peerId: response.peerId, modelName: response.modelName }
      })
    case "RouterStatus":
      return wire.ControlResponse.encode({ routerStatus: statusToWire(response.status) })
    case "TaskResult":
      return wire.ControlResponse.encode({ taskResult: taskToWire(response.task) })
    case "Halted":
      return wire.ControlResponse.encode({ halted: { reason: response.reason } })
    case "Error":
      return wire.ControlResponse.encode({
        error: { code: CONTROL_ERROR_CODES.indexOf(response.code), message: response.message }
      })
  }
}

export const decodeResponse = (bytes: Uint8Array): Decoded<ControlResponse> => {
  let frame: wire.ControlResponse
  try {
    frame = wire.ControlResponse.decode(bytes)
  } catch (cause) {
    return fail(`not a valid control response: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const present = Object.values(frame).filter((field) => field !== undefined).length
  if (present !== 1) return fail(`a response holds exactly one message, this one holds ${present}`)
  if (frame.expertRegistered !== undefined) return succeed({ _tag: "ExpertRegistered", ...frame.expertRegistered })
  if (frame.routerStatus !== undefined) {
    const status = frame.routerStatus
    return succeed({
      _tag: "RouterStatus",
      status: {
        ...status,
        experts: status.experts.map((expert) => ({ ...expert, pingMs: expert.pingMs, stepMs: expert.stepMs })),
        recent: status.recent.map(taskFromWire)
      }
    })
  }
  if (frame.taskResult !== undefined) return succeed({ _tag: "TaskResult", task: taskFromWire(frame.taskResult) })
  if (frame.halted !== undefined) return succeed({ _tag: "Halted", reason: frame.halted.reason })
  const error = frame.error!
  return succeed({ _tag: "Error", code: CONTROL_ERROR_CODES[error.code] ?? "INTERNAL", message: error.message })
}
