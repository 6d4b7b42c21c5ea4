// The P2P service: the one door to libp2p. Everything else sees peers as strings, streams as ByteStreams and pubsub
// messages as bytes.
import type { GossipSub } from "@libp2p/gossipsub"
import { TopicValidatorResult } from "@libp2p/gossipsub"
import type { KadDHT } from "@libp2p/kad-dht"
import { peerIdFromString } from "@libp2p/peer-id"
import type { Ping } from "@libp2p/ping"
import { multiaddr } from "@multiformats/multiaddr"
import { Data, Effect } from "effect"
import { createLibp2p, type Libp2p } from "libp2p"
import { CID } from "multiformats/cid"
import { sha256 } from "multiformats/hashes/sha2"
import type { ByteStream } from "../../proto/channel.ts"
import { libp2pOptions, type P2PConfig } from "./config.ts"

export type { NodeRole, P2PConfig } from "./config.ts"

export class P2PError extends Data.TaggedError("P2PError")<{ readonly message: string; readonly cause?: unknown }> {}

export interface StreamOrigin {
  readonly peerId: string
  readonly address: string
}

export interface HandleOptions {
  /** Concurrent inbound streams per connection (libp2p's default is 32). */
  readonly maxInboundStreams: number
}

export type Verdict = "accept" | "reject" | "ignore"

export interface Provider {
  readonly peerId: string
  readonly addresses: ReadonlyArray<string>
}

export interface P2PNode {
  readonly peerId: string
  /** Advertised addresses with the peer id appended: what other nodes dial. */
  readonly multiaddrs: () => ReadonlyArray<string>
  readonly handle: (
    protocol: string,
    handler: (stream: ByteStream, origin: StreamOrigin) => Promise<void>,
    options: HandleOptions
  ) => Promise<void>
  /** Opens a protocol stream to a multiaddr (with /p2p/) or to a peer id whose addresses are known. */
  readonly dial: (target: string, protocol: string, signal?: AbortSignal) => Promise<ByteStream>
  /** Remembers addresses for a peer, so `dial(peerId)` can use them. */
  readonly addAddresses: (peerId: string, addresses: ReadonlyArray<string>) => Promise<void>
  /** The addresses this node knows for a peer (from identify, the DHT, announcements), without /p2p/ suffixes. */
  readonly addressesOf: (peerId: string) => Promise<ReadonlyArray<string>>
  readonly publish: (topic: string, data: Uint8Array) => Promise<void>
  /**
   * Subscribes to a topic. `validate` runs first for every message (gossipsub forwards only accepted ones and
   * penalises the senders of rejected ones); `deliver` sees accepted messages, with the signing publisher.
   */
  readonly subscribe: (
    topic: string,
    validate: (publisher: string, data: Uint8Array) => Verdict | Promise<Verdict>,
    deliver: (publisher: string, data: Uint8Array) => void
  ) => void
  /** Announces in the DHT that this node provides `key` (hashed into a CID). */
  readonly provide: (key: string) => Promise<void>
  readonly findProviders: (key: string, signal?: AbortSignal) => AsyncIterable<Provider>
  /** Round-trip time to a connected or dialable peer, ms. */
  readonly ping: (peerId: string, signal?: AbortSignal) => Promise<number>
  readonly connectedPeers: () => ReadonlyArray<string>
  /** Peers known to subscribe to a gossipsub topic (a publish reaches them directly). */
  readonly topicPeers: (topic: string) => number
  readonly stop: () => Promise<void>
}

const keyToCid = async (key: string): Promise<CID> =>
  CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(key)))

/** A node dials the peers mDNS finds until it holds this many connections. */
const LAN_DIAL_LIMIT = 64

/** How often a node checks that it is still connected to its bootstrap peers. */
const REJOIN_INTERVAL_MS = 5000

/**
 * libp2p dials the bootstrap list once at start; a bootstrap that was down then, or a connection lost later, is not
 * retried. A donor's node must find its way back on its own, so every few seconds each unconnected bootstrap peer is
 * dialled again.
 */
const keepBootstrapsConnected = (node: Libp2p<Record<string, unknown>>, bootstrap: ReadonlyArray<string>) =>
  setInterval(() => {
    for (const address of bootstrap) {
      const peer = /\/p2p\/([^/]+)$/.exec(address)?.[1]
      if (peer === undefined || node.getConnections(peerIdFromString(peer)).length > 0) continue
      node.dial(multiaddr(address)).catch(() => undefined)
    }
  }, REJOIN_INTERVAL_MS)

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const toTarget = (target: string) => {
  try {
    return target.startsWith("/") ? multiaddr(target) : peerIdFromString(target)
  } catch (cause) {
    throw new P2PError({ message: `not a multiaddr or peer id: ${target}`, cause })
  }
}

export const startP2PNode = async (config: P2PConfig): Promise<P2PNode> => {
  let node: Libp2p<Record<string, unknown>>
  try {
    node = await createLibp2p(libp2pOptions(config))
  } catch (cause) {
    throw new P2PError({ message: `libp2p failed to start: ${describe(cause)}`, cause })
  }
  const rejoin = keepBootstrapsConnected(node, config.bootstrap ?? [])
  if (config.lan === true) {
    // libp2p records peers found by mDNS but does not dial them; on a LAN they are the swarm.
    node.addEventListener("peer:discovery", (event) => {
      if (node.getConnections(event.detail.id).length > 0) return
      if (node.getConnections().length >= LAN_DIAL_LIMIT) return
      node.dial(event.detail.id).catch(() => undefined)
    })
  }
  const pubsub = node.services.pubsub as GossipSub
  const dht = node.services.dht as KadDHT
  const pinger = node.services.ping as Ping
  const subscribers = new Map<string, (publisher: string, data: Uint8Array) => void>()
  pubsub.addEventListener("message", (event) => {
    const message = event.detail
    if (message.type !== "signed") return
    subscribers.get(message.topic)?.(message.from.toString(), message.data)
  })
  return {
    peerId: node.peerId.toString(),
    multiaddrs: () => node.getMultiaddrs().map((address) => address.toString()),
    handle: (protocol, handler, options) =>
      node.handle(
        protocol,
        (stream, connection) =>
          handler(stream, { peerId: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }),
        // Relayed connections count as "limited"; the relays here are configured not to cut sessions short.
        { maxInboundStreams: options.maxInboundStreams, runOnLimitedConnection: true }
      ),
    dial: async (target, protocol, signal) => {
      const resolved = toTarget(target)
      try {
        return await node.dialProtocol(resolved, protocol, {
          runOnLimitedConnection: true,
          ...(signal === undefined ? {} : { signal })
        })
      } catch (cause) {
        throw new P2PError({ message: `cannot reach ${target}: ${describe(cause)}`, cause })
      }
    },
    addAddresses: async (peerId, addresses) => {
      const parsed = addresses.flatMap((address) => {
        try {
          return [multiaddr(address)]
        } catch {
          return []
        }
      })
      await node.peerStore.merge(peerIdFromString(peerId), { multiaddrs: parsed })
    },
    addressesOf: async (peerId) => {
      try {
        const peer = await node.peerStore.get(peerIdFromString(peerId))
        return peer.addresses.map((entry) => entry.multiaddr.toString())
      } catch {
        return []
      }
    },
    publish: async (topic, data) => {
      await pubsub.publish(topic, data)
    },
    subscribe: (topic, validate, deliver) => {
      pubsub.topicValidators.set(topic, async (_propagator, message) => {
        if (message.type !== "signed") return TopicValidatorResult.Reject
        const verdict = await validate(message.from.toString(), message.data)
        return verdict === "accept"
          ? TopicValidatorResult.Accept
          : verdict === "reject"
            ? TopicValidatorResult.Reject
            : TopicValidatorResult.Ignore
      })
      subscribers.set(topic, deliver)
      pubsub.subscribe(topic)
    },
    provide: async (key) => {
      // kad-dht's provide is a generator of query events: the record is stored only as it is consumed.
      for await (const _event of dht.provide(await keyToCid(key))) {
        // the events themselves are not needed
      }
    },
    findProviders: async function* (key, signal) {
      const cid = await keyToCid(key)
      for await (const event of dht.findProviders(cid, signal === undefined ? {} : { signal })) {
        if (event.name !== "PROVIDER") continue
        for (const provider of event.providers) {
          yield { peerId: provider.id.toString(), addresses: provider.multiaddrs.map((address) => address.toString()) }
        }
      }
    },
    ping: async (peerId, signal) => pinger.ping(toTarget(peerId), signal === undefined ? {} : { signal }),
    connectedPeers: () => node.getPeers().map((peer) => peer.toString()),
    topicPeers: (topic) => pubsub.getSubscribers(topic).length,
    stop: async () => {
      clearInterval(rejoin)
      await node.stop()
    }
  }
}

/** A node that lives as long as the scope. */
export const acquireP2PNode = (config: P2PConfig) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startP2PNode(config),
      catch: (cause) => (cause instanceof P2PError ? cause : new P2PError({ message: describe(cause), cause }))
    }),
    (node) => Effect.promise(() => node.stop())
  )
