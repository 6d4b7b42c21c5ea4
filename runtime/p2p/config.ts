// The one libp2p configuration every role shares; roles differ only in the flags below. Limits are documented in
// docs/discovery.md.
import { autoNAT } from "@libp2p/autonat"
import { bootstrap } from "@libp2p/bootstrap"
import { circuitRelayServer, circuitRelayTransport } from "@libp2p/circuit-relay-v2"
import { dcutr } from "@libp2p/dcutr"
import { gossipsub } from "@libp2p/gossipsub"
import { identify, identifyPush } from "@libp2p/identify"
import { kadDHT, passthroughMapper } from "@libp2p/kad-dht"
import { mdns } from "@libp2p/mdns"
import { noise } from "@libp2p/noise"
import { ping } from "@libp2p/ping"
import { tcp } from "@libp2p/tcp"
import { webSockets } from "@libp2p/websockets"
import { yamux } from "@libp2p/yamux"
import type { Libp2pOptions } from "libp2p"
import type { PeerIdentity } from "./identity.ts"

export type NodeRole = "bootstrap" | "expert" | "router"

export interface P2PConfig {
  readonly role: NodeRole
  readonly identity: PeerIdentity
  /** Multiaddrs to listen on; none for a node that only dials out (a router, or an expert behind NAT). */
  readonly listen: ReadonlyArray<string>
  /** Addresses to advertise instead of the listening ones (port forwarding, a proxy in front). */
  readonly announce?: ReadonlyArray<string>
  /** Well-known peers to join through: multiaddrs with /p2p/ ids. */
  readonly bootstrap?: ReadonlyArray<string>
  /** Reserve a slot on a relay and advertise the /p2p-circuit address (every expert does; NAT'd ones depend on it). */
  readonly relayReservation?: boolean
  /** Find peers on the local network by mDNS. */
  readonly lan?: boolean
}

export const MESH_DHT_PROTOCOL = "/mesh/kad/1.0.0"

export const LIMITS = {
  /** Connections a node keeps before pruning (a bootstrap serves many more). */
  maxConnections: 256,
  bootstrapMaxConnections: 2048,
  /** Inbound connections still in their handshake. */
  maxIncomingPendingConnections: 32,
  /**
   * New inbound connections accepted per second from one IP address. libp2p's default (5) refuses the sixth donor
   * behind one NAT, or the sixth node of a swarm on one machine, and the refused ones do not come back on their own.
   */
  inboundConnectionsPerHostPerSecond: 100,
  /** Largest gossipsub RPC accepted; announcements themselves are capped far lower (8 KiB) by their decoder. */
  maxPubsubRpcBytes: 256 * 1024,
  /** Relayed connections a bootstrap carries: generous, so a long answer through the relay is never cut. */
  relayReservations: 512,
  relayDurationLimitMs: 60 * 60 * 1000,
  relayDataLimitBytes: 1024n * 1024n * 1024n
} as const

export const libp2pOptions = (config: P2PConfig): Libp2pOptions<Record<string, unknown>> => {
  const isBootstrap = config.role === "bootstrap"
  const listen = [...config.listen]
  if (config.relayReservation === true) listen.push("/p2p-circuit")
  const peerDiscovery = []
  if ((config.bootstrap ?? []).length > 0) peerDiscovery.push(bootstrap({ list: [...(config.bootstrap ?? [])] }))
  if (config.lan === true) peerDiscovery.push(mdns())
  const services: Record<string, unknown> = {
    identify: identify({ runOnLimitedConnection: true }),
    identifyPush: identifyPush({ runOnLimitedConnection: true }),
    ping: ping({ runOnLimitedConnection: true }),
    dht: kadDHT({
      protocol: MESH_DHT_PROTOCOL,
      // Bootstrap peers hold the DHT; experts and routers only query it. Every expert a DHT server made each join
      // cost O(swarm) routing-table pings and random walks: 48 nodes in one process never settled, 48 clients did.
      clientMode: !isBootstrap,
      // LAN and test swarms use private addresses; this DHT is mesh's own, not the public one.
      peerInfoMapper: passthroughMapper
    }),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      maxInboundDataLength: LIMITS.maxPubsubRpcBytes,
      runOnLimitedConnection: true,
      // gossipsub's default score punishes more than 10 peers behind one IP address, which silences a swarm on one
      // machine, or donors behind one NAT; mesh checks each announcement's signature instead.
      scoreParams: { IPColocationFactorWeight: 0 }
    }),
    autonat: autoNAT(),
    dcutr: dcutr()
  }

  if (isBootstrap) {
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: LIMITS.relayReservations,
        defaultDurationLimit: LIMITS.relayDurationLimitMs,
        defaultDataLimit: LIMITS.relayDataLimitBytes
      }
    })
  }
  return {
    privateKey: config.identity.privateKey,
    addresses: {
      listen,
      ...(config.announce === undefined || config.announce.length === 0 ? {} : { announce: [...config.announce] })
    },
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: isBootstrap ? LIMITS.bootstrapMaxConnections : LIMITS.maxConnections,
      maxIncomingPendingConnections: LIMITS.maxIncomingPendingConnections,
      inboundConnectionThreshold: LIMITS.inboundConnectionsPerHostPerSecond
    },
    peerDiscovery: peerDiscovery as NonNullable<Libp2pOptions["peerDiscovery"]>,
    services: services as Libp2pOptions<Record<string, unknown>>["services"]
  }
}
