// The chain-backed Governance: every node's live view, from polling the contracts (phase, tier, kill switch, action
// approvals from their events) and from guardian-signed halt messages on gossipsub. A chain not read successfully
// for `staleAfterMs` drops the node to tier 0 with no approvals (fail closed); a halt stays in force until the chain
// shows it resumed.
import { Clock, type Context, Effect, Layer, Runtime, Schedule, SubscriptionRef } from "effect"
import { type ChainClients, chainClients } from "./chain/client.ts"
import type { ChainError } from "./chain/errors.ts"
import { recoverHaltSigner } from "./chain/halt-signature.ts"
import { type ChainSnapshot, readApprovalChanges, readSnapshot } from "./chain/read.ts"
import type { Deployment } from "./deployment.ts"
import {
  checkHalt,
  DEFAULT_MAX_HALT_AGE_MS,
  decodeHaltMessage,
  HALT_TOPIC,
  type HaltRejection,
  type KillSwitchView
} from "./halt-message.ts"
import { Governance } from "./service.ts"
import type { ActionHash, GovernanceState } from "./state.ts"

export interface GovernanceConfig {
  readonly deployment: Deployment
  /** Use this JSON-RPC endpoint instead of the deployment's. */
  readonly rpcUrl?: string
  /** How often the chain is read. Default 1000 ms. */
  readonly pollIntervalMs?: number
  /** A chain not read successfully for this long counts as unreachable. Default max(3 polls, 5000 ms). */
  readonly staleAfterMs?: number
  /** Halt messages older than this are refused. Default 10 minutes. */
  readonly maxHaltAgeMs?: number
}

export const DEFAULT_POLL_INTERVAL_MS = 1000

/** What governance needs of a libp2p node: the halt topic. */
export interface HaltGossip {
  readonly publish: (topic: string, data: Uint8Array) => Promise<void>
  readonly subscribe: (
    topic: string,
    validate: (publisher: string, data: Uint8Array) => Promise<"accept" | "reject" | "ignore">,
    deliver: (publisher: string, data: Uint8Array) => void
  ) => void
}

export interface NodeGovernance {
  readonly state: () => GovernanceState
  /** Called with every new state; returns the unsubscribe. */
  readonly onChange: (listener: (state: GovernanceState) => void) => () => void
  /** The Governance service over this view (for `safety/` and other Effect readers). */
  readonly service: Context.Tag.Service<Governance>
  readonly haltRejections: () => Readonly<Partial<Record<HaltRejection, number>>>
  /** The last chain read's failure, if the last read failed. */
  readonly lastChainError: () => string | undefined
  /** Checks and obeys a halt message, then publishes it (when a gossip node is attached). */
  readonly publishHalt: (data: Uint8Array) => Promise<{ readonly ok: boolean; readonly detail: string }>
  /** Reads the chain now. */
  readonly refresh: Effect.Effect<void>
}

const sameState = (a: GovernanceState, b: GovernanceState): boolean =>
  a.phase === b.phase &&
  a.maxTier === b.maxTier &&
  a.halted === b.halted &&
  a.haltReason === b.haltReason &&
  a.chainReachable === b.chainReachable &&
  a.approvedActions.size === b.approvedActions.size &&
  [...a.approvedActions].every((action) => b.approvedActions.has(action))

export const startGovernance = (config: GovernanceConfig, gossip?: HaltGossip) =>
  Effect.gen(function* () {
    const { deployment } = config
    const rpcUrl = config.rpcUrl ?? deployment.rpcUrl
    const pollIntervalMs = config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS
    const staleAfterMs = config.staleAfterMs ?? Math.max(3 * pollIntervalMs, 5000)
    const maxHaltAgeMs = config.maxHaltAgeMs ?? DEFAULT_MAX_HALT_AGE_MS
    const runtime = yield* Effect.runtime<never>()
    const now = () => Runtime.runSync(runtime)(Clock.currentTimeMillis)

    let clients: ChainClients | undefined
    let snapshot: ChainSnapshot | undefined
    let lastReadMs: number | undefined
    let lastError: string | undefined
    let scannedTo = deployment.deployBlock - 1
    const approvals = new Set<ActionHash>()
    let gossipHalt: { readonly haltNumber: number; readonly reason: string } | undefined
    let lastAccepted = 0
    const rejections: Partial<Record<HaltRejection, number>> = {}

    const derive = (): GovernanceState => {
      const reachable = lastReadMs !== undefined && now() - lastReadMs <= staleAfterMs
      const chainHalted = snapshot?.halted === true
      // A message's halt the chain has not recorded yet; once recorded, the chain says whether it still holds.
      const pending = gossipHalt !== undefined && gossipHalt.haltNumber > (snapshot?.haltCount ?? 0)
      return Object.freeze({
        phase: snapshot?.phase ?? 0,
        maxTier: reachable && snapshot !== undefined ? snapshot.maxTier : 0,
        halted: chainHalted || pending,
        haltReason: chainHalted ? snapshot!.haltReason : pending ? gossipHalt!.reason : undefined,
        chainReachable: reachable,
        approvedActions: reachable ? new Set(approvals) : new Set<ActionHash>()
      })
    }

    let current = derive()
    const ref = yield* SubscriptionRef.make(current)
    const listeners = new Set<(state: GovernanceState) => void>()
    const update = () => {
      const next = derive()
      if (sameState(current, next)) return
      current = next
      Runtime.runSync(runtime)(SubscriptionRef.set(ref, next))
      for (const listener of listeners) listener(next)
    }

    const read = Effect.tryPromise({
      try: async () => {
        clients ??= await chainClients(rpcUrl, Math.min(5000, staleAfterMs))
        if (clients.chain.id !== deployment.chainId) {
          const found = clients.chain.id
          clients = undefined
          throw new Error(`the chain at ${rpcUrl} has id ${found}, the deployment says ${deployment.chainId}`)
        }
        const next = await readSnapshot(clients, deployment)
        for (const change of await readApprovalChanges(clients, deployment, scannedTo + 1, next.block)) {
          if (change.approved) approvals.add(change.action)
          else approvals.delete(change.action)
        }
        scannedTo = Math.max(scannedTo, next.block)
        return next
      },
      catch: (cause) => cause as ChainError | Error
    }).pipe(
      Effect.flatMap((next) =>
        Effect.map(Clock.currentTimeMillis, (readAt) => {
          snapshot = next
          lastReadMs = readAt
          lastError = undefined
        })
      ),
      Effect.catchAll((error) =>
        Effect.sync(() => {
          lastError = error.message
        })
      ),
      Effect.zipRight(Effect.sync(update))
    )

    const view = (): KillSwitchView => ({
      chainId: deployment.chainId,
      killSwitch: deployment.contracts.killSwitch,
      guardian: snapshot?.guardian ?? deployment.guardian,
      haltCount: snapshot?.haltCount ?? 0,
      halted: snapshot?.halted ?? false,
      lastAccepted
    })

    /** Checks a message; obeys it when it passes. */
    const admit = async (data: Uint8Array): Promise<{ ok: boolean; reason?: HaltRejection; detail: string }> => {
      const refuse = (reason: HaltRejection, detail: string) => {
        rejections[reason] = (rejections[reason] ?? 0) + 1
        return { ok: false, reason, detail }
      }
      const decoded = decodeHaltMessage(data)
      if (!decoded.ok) return refuse(decoded.reason, decoded.detail)
      const signer = await recoverHaltSigner(decoded.claim, decoded.claim.signature)
      const verdict = checkHalt(decoded.claim, signer, view(), now(), maxHaltAgeMs)
      if (!verdict.ok) return refuse(verdict.reason, verdict.detail)
      lastAccepted = Math.max(lastAccepted, decoded.claim.haltNumber)
      gossipHalt = { haltNumber: decoded.claim.haltNumber, reason: decoded.claim.reason }
      update()
      return { ok: true, detail: `halt ${decoded.claim.haltNumber}: ${decoded.claim.reason}` }
    }

    if (gossip !== undefined) {
      gossip.subscribe(
        HALT_TOPIC,
        async (_publisher, data) => {
          const outcome = await admit(data)
          if (outcome.ok) return "accept"
          // A copy of a halt already obeyed is nobody's fault: dropped without a penalty.
          return outcome.reason === "duplicate" ? "ignore" : "reject"
        },
        () => undefined
      )
    }

    yield* read
    yield* Effect.forkScoped(Effect.repeat(read, Schedule.spaced(`${pollIntervalMs} millis`)))

    const governance: NodeGovernance = {
      state: () => current,
      onChange: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      service: { current: SubscriptionRef.get(ref), changes: ref.changes },
      haltRejections: () => ({ ...rejections }),
      lastChainError: () => lastError,
      publishHalt: async (data) => {
        const outcome = await admit(data)
        if (outcome.ok && gossip !== undefined) await gossip.publish(HALT_TOPIC, data)
        return { ok: outcome.ok, detail: outcome.detail }
      },
      refresh: read
    }
    return governance
  })

/** The Governance service from the chain alone (no gossip): for processes that read governance without a node. */
export const layerChain = (config: GovernanceConfig): Layer.Layer<Governance> =>
  Layer.scoped(
    Governance,
    Effect.map(startGovernance(config), (governance) => governance.service)
  )

/** The Governance service over a node's running view. */
export const layerNode = (governance: NodeGovernance): Layer.Layer<Governance> =>
  Layer.succeed(Governance, governance.service)
