// What the control protocol and the admin API do, once a request is authenticated and decoded: one function per
// request, shared by both doors.
import { Effect } from "effect"
import { asPeerId } from "../router/registry/events.ts"
import { getExpert } from "../router/registry/state.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import { canonicalJson } from "../safety/catalog.ts"
import type { SafetyController } from "../safety/controller.ts"
import type { TaskRecord } from "../safety/records.ts"
import type { ControlErrorCode, ControlRequest, ControlResponse, RouterStatus, TaskResult } from "./messages.ts"

export const taskResult = (record: TaskRecord): TaskResult => ({
  id: record.id,
  source: record.source,
  decision: record.decision,
  output: record.output,
  actionJson: record.action === undefined ? "" : canonicalJson(record.action),
  tier: record.tier,
  reason: record.reason ?? "",
  resultJson: record.result === undefined ? "" : JSON.stringify(record.result),
  experts: record.experts,
  startedAtMs: record.startedAt,
  finishedAtMs: record.finishedAt
})

const failure = (code: ControlErrorCode, message: string): ControlResponse => ({ _tag: "Error", code, message })

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

export interface ControlService {
  readonly handle: (request: ControlRequest) => Promise<ControlResponse>
  readonly status: () => Promise<RouterStatus>
}

export const createControlService = (router: RouterNode, safety: SafetyController): ControlService => {
  const status = async (): Promise<RouterStatus> => {
    const current = await Effect.runPromise(safety.status)
    const weights = router.controls.weights()
    return {
      peerId: router.peerId,
      k: safety.targets.k(),
      phase: current.governance.phase,
      maxTier: current.governance.maxTier,
      halted: current.halted,
      haltReason: current.haltReason ?? "",
      experts: safety.targets.experts().map((expert) => ({
        peerId: expert.peerId,
        modelName: expert.model,
        quantization: expert.quantization,
        tokenizerHash: expert.family,
        pingMs: expert.pingMs,
        stepMs: expert.stepMs,
        banned: router.bans.isBanned(expert.peerId),
        weight: weights.get(expert.peerId) ?? 1
      })),
      loops: current.loops.map((loop) => ({
        subset: loop.subset,
        experts: loop.experts,
        cycles: loop.cycles,
        running: loop.running,
        stopped: loop.stopped ?? "",
        lastTask: loop.lastTask ?? ""
      })),
      recent: current.recent.map(taskResult)
    }
  }

  const handle = async (request: ControlRequest): Promise<ControlResponse> => {
    switch (request._tag) {
      case "RegisterExpert": {
        const peerId = /\/p2p\/([^/]+)$/.exec(request.multiaddr)?.[1]
        if (peerId === undefined) return failure("INVALID_REQUEST", "the multiaddr must end in /p2p/<peer id>")
        try {
          await router.watcher.addDirect(request.multiaddr)
        } catch (cause) {
          return failure("UNAVAILABLE", `cannot register ${request.multiaddr}: ${describe(cause)}`)
        }
        const expert = getExpert(router.watcher.state(), asPeerId(peerId))
        return { _tag: "ExpertRegistered", peerId, modelName: expert?.manifest.modelName ?? "" }
      }
      case "GetRouterStatus":
        return { _tag: "RouterStatus", status: await status() }
      case "SubmitSelfTask": {
        const outcome = await Effect.runPromise(
          Effect.either(
            safety.runTask({
              source: "operator",
              text: request.text,
              ...(request.maxTier === undefined ? {} : { maxTier: request.maxTier }),
              ...(request.types === undefined ? {} : { types: request.types })
            })
          )
        )
        if (outcome._tag === "Right") return { _tag: "TaskResult", task: taskResult(outcome.right) }
        const error = outcome.left
        return failure(error._tag === "HaltedError" ? "HALTED" : "UNAVAILABLE", error.message)
      }
      case "HaltMesh": {
        if (request.guardianHalt !== undefined) {
          if (router.governance === undefined) {
            return failure("UNAVAILABLE", "this node runs without a chain: it cannot check a guardian's halt")
          }
          const outcome = await router.governance.publishHalt(request.guardianHalt)
          if (!outcome.ok) return failure("INVALID_REQUEST", `the guardian halt was refused: ${outcome.detail}`)
          const reason = router.governance.state().haltReason ?? request.reason
          await Effect.runPromise(safety.halt(reason))
          return { _tag: "Halted", reason }
        }
        await Effect.runPromise(safety.halt(request.reason))
        return { _tag: "Halted", reason: request.reason }
      }
    }
  }
  return { handle, status }
}
