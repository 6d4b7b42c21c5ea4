// Domain types of the control protocol /mesh/control/1.0.0 and the admin API that mirrors it.
import type { Tier } from "../governance/state.ts"
import type { ActionType } from "../safety/catalog.ts"

export const CONTROL_PROTOCOL = "/mesh/control/1.0.0"

export const CONTROL_LIMITS = {
  /** Largest request frame (and admin API body). */
  maxRequestBytes: 16 * 1024,
  /** Largest response frame a client reads (a status with its recent tasks). */
  maxResponseBytes: 1024 * 1024,
  maxTextBytes: 2048,
  maxReasonBytes: 512,
  maxAddressBytes: 1024,
  maxGuardianHaltBytes: 1024
} as const

export const CONTROL_ERROR_CODES = [
  "INTERNAL",
  "MALFORMED_FRAME",
  "FRAME_TOO_LARGE",
  "UNAUTHENTICATED",
  "INVALID_REQUEST",
  "HALTED",
  "UNAVAILABLE"
] as const

export type ControlErrorCode = (typeof CONTROL_ERROR_CODES)[number]

export type ControlRequest =
  | { readonly _tag: "RegisterExpert"; readonly multiaddr: string }
  | { readonly _tag: "GetRouterStatus" }
  | {
      readonly _tag: "SubmitSelfTask"
      readonly text: string
      readonly maxTier: Tier | undefined
      readonly types: ReadonlyArray<ActionType> | undefined
    }
  | {
      readonly _tag: "HaltMesh"
      readonly reason: string
      /** A guardian-signed governance HaltMesh to check, obey and forward to the whole mesh. */
      readonly guardianHalt?: Uint8Array
    }

export interface ExpertStatus {
  readonly peerId: string
  readonly modelName: string
  readonly quantization: string
  readonly tokenizerHash: string
  readonly pingMs: number | undefined
  readonly stepMs: number | undefined
  readonly banned: boolean
  readonly weight: number
}

export interface TaskResult {
  readonly id: string
  readonly source: string
  readonly decision: string
  readonly output: string
  /** Canonical JSON of the parsed action; "" when none. */
  readonly actionJson: string
  readonly tier: number | undefined
  readonly reason: string
  /** JSON of what running it returned; "" when it did not run. */
  readonly resultJson: string
  readonly experts: ReadonlyArray<string>
  readonly startedAtMs: number
  readonly finishedAtMs: number
}

export interface LoopStatusView {
  readonly subset: number
  readonly experts: ReadonlyArray<string>
  readonly cycles: number
  readonly running: boolean
  readonly stopped: string
  readonly lastTask: string
}

export interface RouterStatus {
  readonly peerId: string
  readonly k: number
  readonly phase: number
  readonly maxTier: number
  readonly halted: boolean
  readonly haltReason: string
  readonly experts: ReadonlyArray<ExpertStatus>
  readonly loops: ReadonlyArray<LoopStatusView>
  readonly recent: ReadonlyArray<TaskResult>
}

export type ControlResponse =
  | { readonly _tag: "ExpertRegistered"; readonly peerId: string; readonly modelName: string }
  | { readonly _tag: "RouterStatus"; readonly status: RouterStatus }
  | { readonly _tag: "TaskResult"; readonly task: TaskResult }
  | { readonly _tag: "Halted"; readonly reason: string }
  | { readonly _tag: "Error"; readonly code: ControlErrorCode; readonly message: string }
