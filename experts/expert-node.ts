// A running expert: one model, one libp2p node serving /mesh/expert/1.0.0, announcing itself to the swarm, until
// its scope closes.
import { Effect } from "effect"
import { dialableAddresses, startAnnouncer } from "../discovery/announcer.ts"
import type { GovernanceConfig, NodeGovernance } from "../governance/live.ts"
import { EXPERT_PROTOCOL, type ExpertManifest } from "../proto/messages.ts"
import { startNodeGovernance } from "../runtime/node-governance.ts"
import type { PeerIdentity } from "../runtime/p2p/identity.ts"
import { acquireP2PNode } from "../runtime/p2p/node.ts"
import { Inference } from "./inference/service.ts"
import { DEFAULT_MAX_TOP_K, manifestOf } from "./manifest.ts"
import { createExpertServer } from "./server.ts"

/** How long open sessions may stay after a halt before the expert closes them itself. */
export const HALT_GRACE_MS = 250

export interface ExpertNodeOptions {
  readonly modelPath: string
  readonly identity: PeerIdentity
  /** Multiaddrs to listen on; empty for an expert that only dials out (behind NAT: reached through a relay). */
  readonly listen?: ReadonlyArray<string>
  /** Addresses to advertise instead of the listening ones. */
  readonly announce?: ReadonlyArray<string>
  readonly bootstrap?: ReadonlyArray<string>
  readonly lan?: boolean
  readonly heartbeatIntervalMs?: number
  readonly threads?: number
  readonly contextSize?: number
  readonly maxSessions?: number
  /** One context with shared batches instead of a context per session (see ExpertModelOptions.batchSessions). */
  readonly batchSessions?: boolean
  readonly maxTopK?: number
  readonly idleTimeoutMs?: number
  /** On-chain governance: a halt refuses new steps and closes every session. Without it governance is off. */
  readonly governance?: GovernanceConfig
}

export interface ExpertNode {
  readonly peerId: string
  /** Advertised addresses, each with /p2p/<peer id>. */
  readonly multiaddrs: () => ReadonlyArray<string>
  readonly manifest: ExpertManifest
  readonly openSessions: () => number
  /** Since start: sessions opened and tokens evaluated. */
  readonly totals: () => { readonly sessions: number; readonly tokens: number }
  readonly governance: NodeGovernance | undefined
}

const defined = <A extends object>(value: A) =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as {
    [K in keyof A]: Exclude<A[K], undefined>
  }

export const startExpertNode = (options: ExpertNodeOptions) =>
  Effect.gen(function* () {
    const inference = yield* Inference
    const model = yield* inference.loadExpert(
      options.modelPath,
      defined({
        threads: options.threads,
        contextSize: options.contextSize,
        maxSessions: options.maxSessions,
        batchSessions: options.batchSessions
      })
    )
    const manifest = manifestOf(model, options.maxTopK ?? DEFAULT_MAX_TOP_K)
    let governance: NodeGovernance | undefined
    const halted = () => {
      const state = governance?.state()
      return state?.halted === true ? (state.haltReason ?? "halted by governance") : undefined
    }
    const server = createExpertServer(model, manifest, { ...defined({ idleTimeoutMs: options.idleTimeoutMs }), halted })
    const bootstrap = options.bootstrap ?? []
    const node = yield* acquireP2PNode({
      role: "expert",
      identity: options.identity,
      listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"],
      ...defined({ announce: options.announce, lan: options.lan }),
      bootstrap,
      // A relay address makes the expert reachable from behind NAT; with no bootstrap there is no relay to ask.
      relayReservation: bootstrap.length > 0
    })
    governance = yield* startNodeGovernance(options.governance, node)
    // New steps are refused at once (HALTED); open sessions close after a short grace, so that routers, which hear
    // the same halt, end them first as halted rather than as failed experts.
    let closing: NodeJS.Timeout | undefined
    const unsubscribe = governance?.onChange((state) => {
      if (!state.halted || closing !== undefined) return
      closing = setTimeout(() => {
        closing = undefined
        server.closeAll(`the mesh is halted: ${state.haltReason ?? "halted by governance"}`)
      }, HALT_GRACE_MS)
    })
    if (unsubscribe !== undefined) {
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          unsubscribe()
          clearTimeout(closing)
        })
      )
    }
    // Closed before the node stops (finalizers run in reverse), so sessions end with a reset, not a hang.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAll()))
    yield* Effect.promise(() =>
      node.handle(EXPERT_PROTOCOL, (stream) => server.handleStream(stream), {
        // Each session is one stream; a router may hold several sessions on one connection.
        maxInboundStreams: model.maxSessions * 2 + 8
      })
    )
    const announcer = startAnnouncer(
      node,
      options.identity,
      manifest,
      () => ({ openSessions: server.openSessions(), maxSessions: model.maxSessions, queue: server.pendingSteps() }),
      defined({ intervalMs: options.heartbeatIntervalMs })
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => announcer.stop()))
    const expert: ExpertNode = {
      peerId: node.peerId,
      multiaddrs: () =>
        dialableAddresses(node.multiaddrs(), node.peerId).map((address) => `${address}/p2p/${node.peerId}`),
      manifest,
      openSessions: server.openSessions,
      totals: server.totals,
      governance
    }
    return expert
  })
