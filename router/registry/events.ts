// What the router learns about the swarm, as facts with a time: the registry's state is a fold over these.
import type { ExpertManifest } from "../../proto/messages.ts"

/** A libp2p peer id in its string form; branded so it cannot be mixed up with a multiaddr or a model hash. */
export type PeerId = string & { readonly _brand: "PeerId" }

export const asPeerId = (text: string): PeerId => text as PeerId

/** Where a manifest came from: a gossipsub announcement, a DHT record, or the expert's own answer on a stream. */
export type ManifestSource = "gossip" | "dht" | "direct"

export type LatencyKind = "ping" | "step"

/**
 * Every `at` is the router's own clock in ms, read by whoever records the event: `apply` never reads a clock, so
 * replaying a log gives the same state.
 */
export type RegistryEvent =
  | {
      readonly _tag: "ManifestSeen"
      readonly at: number
      readonly peerId: PeerId
      readonly manifest: ExpertManifest
      readonly addresses: ReadonlyArray<string>
      readonly source: ManifestSource
    }
  | {
      readonly _tag: "Heartbeat"
      readonly at: number
      readonly peerId: PeerId
      /** The expert's own counter: it orders heartbeats that the network delivered out of order. */
      readonly seq: number
      readonly openSessions: number
      readonly maxSessions: number
      /** Requests waiting for a free session. */
      readonly queue: number
    }
  | {
      readonly _tag: "LatencyMeasured"
      readonly at: number
      readonly peerId: PeerId
      readonly kind: LatencyKind
      readonly ms: number
    }
  /** A dial or a step failed: the peer is evicted now, and comes back with its next manifest. */
  | { readonly _tag: "PeerFailed"; readonly at: number; readonly peerId: PeerId; readonly reason: string }
  /** Time passed: peers silent for too long are evicted. */
  | { readonly _tag: "Tick"; readonly at: number }
