// The Governance service: every node's live view of phase, tiers, halt and approvals (see state.ts).
// The chain-backed layer lives beside it; `layerMemory` serves tests of the readers (gate, halt handling) and
// nodes started without any chain configured.
import { Context, Effect, Layer, type Stream, SubscriptionRef } from "effect"
import { type GovernanceState, initialGovernanceState } from "./state.ts"

export class Governance extends Context.Tag("mesh/Governance")<
  Governance,
  {
    /** The state now. */
    readonly current: Effect.Effect<GovernanceState>
    /** The current state, then every change. */
    readonly changes: Stream.Stream<GovernanceState>
  }
>() {}

/** An in-memory governance whose state the caller sets: for tests of readers and for nodes without a chain. */
export class GovernanceMemory extends Context.Tag("mesh/GovernanceMemory")<
  GovernanceMemory,
  { readonly set: (update: (state: GovernanceState) => GovernanceState) => Effect.Effect<void> }
>() {}

export const layerMemory = (
  initial: GovernanceState = initialGovernanceState
): Layer.Layer<Governance | GovernanceMemory> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const ref = yield* SubscriptionRef.make(initial)
      return Context.make(Governance, { current: SubscriptionRef.get(ref), changes: ref.changes }).pipe(
        Context.add(GovernanceMemory, { set: (update) => SubscriptionRef.update(ref, update) })
      )
    })
  )
