// Governance for a running node: started beside its libp2p node when a chain is configured, and the router's halt
// hook, which ends a generation with MeshHaltedError the moment the mesh halts.
import { Effect } from "effect"
import { type GovernanceConfig, type NodeGovernance, startGovernance } from "../governance/live.ts"
import { ExpertError, MeshHaltedError } from "../router/errors.ts"
import type { P2PNode } from "./p2p/node.ts"

/** The node's governance view, or undefined (governance off) when no chain is configured. */
export const startNodeGovernance = (config: GovernanceConfig | undefined, node: P2PNode) =>
  config === undefined ? Effect.succeed(undefined) : startGovernance(config, node)

const haltedError = (reason: string | undefined) =>
  new MeshHaltedError({
    reason: reason ?? "halted by governance",
    message: `the mesh is halted by governance: ${reason ?? "no reason given"}`
  })

/** The halt reason when the mesh is halted now. */
const haltNow = (governance: NodeGovernance | undefined): MeshHaltedError | undefined => {
  const state = governance?.state()
  return state?.halted === true ? haltedError(state.haltReason) : undefined
}

/**
 * Runs a generation under governance: refused while halted, aborted (sessions closed) when a halt arrives, and any
 * failure caused by the halt (an expert's HALTED frame, the abort itself) reported as MeshHaltedError.
 */
export async function* governGeneration<R extends { readonly signal?: AbortSignal }, E>(
  governance: NodeGovernance | undefined,
  request: R,
  run: (request: R) => AsyncGenerator<E>
): AsyncGenerator<E> {
  if (governance === undefined) {
    yield* run(request)
    return
  }
  const refused = haltNow(governance)
  if (refused !== undefined) throw refused
  const halt = new AbortController()
  const unsubscribe = governance.onChange((state) => {
    if (state.halted) halt.abort(haltedError(state.haltReason))
  })
  const signal = request.signal === undefined ? halt.signal : AbortSignal.any([request.signal, halt.signal])
  try {
    for await (const event of run({ ...request, signal })) {
      const halted = haltNow(governance)
      if (halted !== undefined) throw halted
      yield event
    }
  } catch (cause) {
    const halted = haltNow(governance)
    if (halted !== undefined) throw halted
    if (cause instanceof ExpertError && cause.code === "HALTED") throw haltedError(cause.message)
    throw cause
  } finally {
    unsubscribe()
  }
}
