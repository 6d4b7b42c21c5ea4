// The gate: whether an action runs now. Its tier comes from its type alone; it runs when the tier is within what the
// current phase allows, or when an executed governance proposal approved exactly this action (its hash). A halt
// stops everything, tier 0 included. An operator may cap a task's tier lower still (`--max-tier`).
import { allows, type GovernanceState, type Tier } from "../governance/state.ts"
import { actionHash } from "./action-hash.ts"
import { type Action, tierOf } from "./catalog.ts"

export type Verdict =
  | { readonly _tag: "Run"; readonly tier: Tier; readonly approved: boolean }
  /** Never runs as asked: the mesh is halted, or the task's own cap is lower than the action's tier. */
  | { readonly _tag: "Refuse"; readonly tier: Tier; readonly reason: string }
  /** Runs only after a governance vote approves it: it becomes a proposal. */
  | { readonly _tag: "Propose"; readonly tier: Tier; readonly reason: string }

export const gate = (state: GovernanceState, action: Action, maxTier?: Tier): Verdict => {
  const tier = tierOf(action)
  if (state.halted)
    return { _tag: "Refuse", tier, reason: `the mesh is halted (${state.haltReason ?? "no reason given"})` }
  if (maxTier !== undefined && tier > maxTier) {
    return { _tag: "Refuse", tier, reason: `tier ${tier} is above this task's cap of tier ${maxTier}` }
  }
  const hash = actionHash(action)
  if (allows(state, tier, hash)) return { _tag: "Run", tier, approved: tier > state.maxTier }
  return {
    _tag: "Propose",
    tier,
    reason: `tier ${tier} is above phase ${state.phase}'s limit of tier ${state.maxTier}${state.chainReachable ? "" : " (no chain reachable: fail closed)"}`
  }
}
