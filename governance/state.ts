/**
 * What every node knows about governance at a moment: the rollout phase, the highest action tier that phase
 * allows, the kill switch, and which exact actions an executed proposal approved.
 *
 * This is the contract between `governance/` (which keeps it current from the chain and from guardian-signed
 * halt messages) and its readers: experts, routers and the gateway (halt), and `safety/` (tiers and approvals).
 */

/** An action's tier: 0 answer and observe, 1 tune routing, 2 act on peers and limits, 3 change governance itself. */
export type Tier = 0 | 1 | 2 | 3

export const MAX_TIER: Tier = 3

/** A 0x-prefixed, lower-case 32-byte hex string (keccak256 of an action's canonical encoding). */
export type ActionHash = `0x${string}`

export interface GovernanceState {
  /** The current rollout phase as the PhaseRegistry reports it. */
  readonly phase: number
  /**
   * The highest tier that runs without a proposal. Falls to 0 when the chain cannot be reached (fail closed:
   * plain answering goes on, everything above it stops).
   */
  readonly maxTier: Tier
  readonly halted: boolean
  /** Why the mesh is halted, as given by the guardian; undefined when running. */
  readonly haltReason: string | undefined
  /** Whether the last read of the chain succeeded recently enough to trust `phase` and `maxTier`. */
  readonly chainReachable: boolean
  /** Actions that an executed governance proposal approved one by one, whatever their tier. */
  readonly approvedActions: ReadonlySet<ActionHash>
}

/** The state before anything was read: fail closed at tier 0, not halted. */
export const initialGovernanceState: GovernanceState = Object.freeze({
  phase: 0,
  maxTier: 0,
  halted: false,
  haltReason: undefined,
  chainReachable: false,
  approvedActions: new Set<ActionHash>()
})

/** Whether an action of `tier` (or with hash `action`) may run now. A halt stops everything, tier 0 included. */
export const allows = (state: GovernanceState, tier: Tier, action?: ActionHash): boolean =>
  !state.halted && (tier <= state.maxTier || (action !== undefined && state.approvedActions.has(action)))
