// The P2P service: the one door to libp2p. Everything else sees peers as multiaddr strings and streams as ByteStreams.
import { identify } from "@libp2p/identify"
import { noise } from "@libp2p/noise"
import { ping } from "@libp2p/ping"
import { tcp } from "@libp2p/tcp"
import { yamux } from "@libp2p/yamux"
import { multiaddr } from "@multiformats/multiaddr"
import { Context, Data, Effect, Layer } from "effect"
import { createLibp2p, type Libp2p } from "libp2p"
import type { ByteStream } from "../../proto/channel.ts"

export class P2PError extends Data.TaggedError("P2PError")<{ readonly message: string; readonly cause?: unknown }> {}

export interface P2PConfig {
  /** Multiaddrs to listen on; none for a dial-only node (a router). */
  readonly listen: ReadonlyArray<string>
}

export interface StreamOrigin {
  readonly peerId: string
  readonly address: string
}

export interface HandleOptions {
  /** Concurrent inbound streams per connection (libp2p's default is 32). */
  readonly maxInboundStreams: number
}

export interface P2PNode {
  readonly peerId: string
  /** Listening addresses with the peer id appended: what other nodes dial. */
  readonly multiaddrs: () => ReadonlyArray<string>
  readonly handle: (
    protocol: string,
    handler: (stream: ByteStream, origin: StreamOrigin) => Promise<void>,
    options: HandleOptions
  ) => Promise<void>
  readonly dial: (address: string, protocol: string, signal?: AbortSignal) => Promise<ByteStream>
  readonly stop: () => Promise<void>
}

export class P2P extends Context.Tag("mesh/P2P")<P2P, P2PNode>() {}

export const startP2PNode = async (config: P2PConfig): Promise<P2PNode> => {
  const node: Libp2p = await createLibp2p({
    addresses: { listen: [...config.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() }
  })
  return {
    peerId: node.peerId.toString(),
    multiaddrs: () => node.getMultiaddrs().map((address) => address.toString()),
    handle: (protocol, handler, options) =>
      node.handle(
        protocol,
        (stream, connection) =>
          handler(stream, { peerId: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }),
        { maxInboundStreams: options.maxInboundStreams }
      ),
    dial: async (address, protocol, signal) => {
      let target: ReturnType<typeof multiaddr>
      try {
        target = multiaddr(address)
      } catch (cause) {
        throw new P2PError({ message: `not a multiaddr: ${address}`, cause })
      }
      try {
        return await node.dialProtocol(target, protocol, signal === undefined ? {} : { signal })
      } catch (cause) {
        throw new P2PError({
          message: `cannot reach ${address}: ${cause instanceof Error ? cause.message : cause}`,
          cause
        })
      }
    },
    stop: async () => {
      await node.stop()
    }
  }
}

/** A node that lives as long as the scope. */
export const acquireP2PNode = (config: P2PConfig) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startP2PNode(config),
      catch: (cause) => new P2PError({ message: `libp2p failed to start: ${String(cause)}`, cause })
    }),
    (node) => Effect.promise(() => node.stop())
  )

export const P2PLive = (config: P2PConfig) => Layer.scoped(P2P, acquireP2PNode(config))
