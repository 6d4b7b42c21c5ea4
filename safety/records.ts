// What the level store keeps of every task: one record per task under `task/<id>`, ids sorting by start time.
import type { Tier } from "../governance/state.ts"
import type { Action } from "./catalog.ts"

export type Decision =
  /** The gate let it through and it ran (see `result`). */
  | "ran"
  /** The gate refused it: halted, or above the task's cap. */
  | "refused"
  /** Above the phase's tier: it became a governance proposal. */
  | "proposed"
  /** Parsed, but its arguments do not hold now (an unknown peer, K beyond the experts there are). */
  | "rejected"
  /** A halt stopped it while it was being written or run. */
  | "halted"
  /** Writing or running it failed (an expert went away). */
  | "failed"

export interface TaskRecord {
  readonly id: string
  /** Who asked: a self-prompt loop, an operator, or governance (an approved proposal, run once the vote passed). */
  readonly source: "self" | "operator" | "governance"
  /** The subset of experts that wrote it (self tasks). */
  readonly subset: number | undefined
  /** The operator's text (operator tasks); for governance tasks, the task whose proposal was approved. */
  readonly request: string | undefined
  readonly maxTier: Tier | undefined
  readonly prompt: string
  /** Peer ids of the experts that wrote it. */
  readonly experts: ReadonlyArray<string>
  /** What the experts wrote: compact JSON that the grammar allows. */
  readonly output: string
  readonly action: Action | undefined
  readonly actionHash: string | undefined
  readonly tier: Tier | undefined
  readonly decision: Decision
  readonly reason: string | undefined
  readonly result: unknown
  /** Governance as the gate saw it. */
  readonly governance: { readonly phase: number; readonly maxTier: Tier; readonly halted: boolean }
  readonly startedAt: number
  readonly finishedAt: number
  readonly figures: {
    /** Round trips to the experts while writing (forced tokens need none). */
    readonly steps: number
    readonly tokens: number
    readonly openMs: number
    readonly writeMs: number
    readonly maskMsTotal: number
    readonly maskMsMax: number
    /** Steps that started after the halt was seen (a halt stops the write before its next step). */
    readonly stepsAfterHalt: number
  }
}

export const TASK_PREFIX = "task/"
export const PROPOSAL_PREFIX = "proposal/"

/** A gated action waiting for its vote (`proposal/<hash>`). */
export interface ProposalRecord {
  readonly hash: string
  readonly action: Action
  readonly task: string
  readonly proposal: string
  readonly reason: string
  readonly status: "pending" | "ran"
}

/** Ids sort by start time, then by a per-process counter (several subsets may start in one millisecond). */
export const taskId = (startedAt: number, sequence: number): string =>
  `${String(startedAt).padStart(14, "0")}-${String(sequence).padStart(6, "0")}`
