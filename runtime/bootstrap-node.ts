// A bootstrap peer: the swarm's meeting point. DHT server, circuit relay for experts behind NAT, WebSocket listener for
// browsers, and a gossipsub member of the experts topic so announcements flow through it (checked on the way).
import { Effect } from "effect"
import type { RejectionReason } from "../discovery/announcement.ts"
import { createSnapshotKeeper, SWARM_SNAPSHOT_PROTOCOL } from "../discovery/snapshot.ts"
import { watchAnnouncements } from "../discovery/subscription.ts"
import type { GovernanceConfig, NodeGovernance } from "../governance/live.ts"
import { startNodeGovernance } from "./node-governance.ts"
import { type PeerIdentity, verifyPeerSignature } from "./p2p/identity.ts"
import { acquireP2PNode } from "./p2p/node.ts"

export interface BootstrapNodeOptions {
  readonly identity: PeerIdentity
  readonly listen: ReadonlyArray<string>
  readonly announce?: ReadonlyArray<string>
  /** Other bootstrap peers to peer with. */
  readonly bootstrap?: ReadonlyArray<string>
  /** On-chain governance: the bootstrap checks and forwards guardian halt messages (without it, it drops them). */
  readonly governance?: GovernanceConfig
}

export interface BootstrapNode {
  readonly peerId: string
  readonly multiaddrs: () => ReadonlyArray<string>
  readonly connectedPeers: () => number
  readonly rejected: () => Readonly<Record<RejectionReason, number>>
  /** Experts in the snapshot it serves to joining routers. */
  readonly knownExperts: () => number
  readonly governance: NodeGovernance | undefined
}

export const DEFAULT_BOOTSTRAP_LISTEN = ["/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/tcp/4002/ws"]

export const startBootstrapNode = (options: BootstrapNodeOptions) =>
  Effect.gen(function* () {
    const node = yield* acquireP2PNode({
      role: "bootstrap",
      identity: options.identity,
      listen: options.listen,
      ...(options.announce === undefined ? {} : { announce: options.announce }),
      bootstrap: options.bootstrap ?? []
    })
    const governance = yield* startNodeGovernance(options.governance, node)
    const snapshot = createSnapshotKeeper()
    const announcements = watchAnnouncements(node, verifyPeerSignature, (announcement, data) => {
      if (announcement._tag === "Manifest") snapshot.manifest(announcement.peerId, data)
      else snapshot.heartbeat(announcement.peerId, announcement.intervalMs)
    })
    yield* Effect.promise(() =>
      node.handle(SWARM_SNAPSHOT_PROTOCOL, (stream) => snapshot.serve(stream), { maxInboundStreams: 8 })
    )
    const bootstrap: BootstrapNode = {
      peerId: node.peerId,
      multiaddrs: node.multiaddrs,
      connectedPeers: () => node.connectedPeers().length,
      rejected: announcements.rejected,
      knownExperts: snapshot.size,
      governance
    }
    return bootstrap
  })
