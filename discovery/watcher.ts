// A router's view of the swarm: gossip announcements, DHT lookups, direct manifests and pings become registry events,
// folded into the registry state by the pure `apply`.
import { type Dial, fetchManifest } from "../router/expert-client.ts"
import { apply } from "../router/registry/apply.ts"
import { asPeerId, type RegistryEvent } from "../router/registry/events.ts"
import { emptyRegistry, getExpert, type RegistryState } from "../router/registry/state.ts"
import type { RejectionReason, Verifier } from "./announcement.ts"
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from "./announcer.ts"
import { readSnapshot, SWARM_SNAPSHOT_PROTOCOL } from "./snapshot.ts"
import { type SubscribingNode, watchAnnouncements } from "./subscription.ts"
import { familyKey } from "./topics.ts"

/** What the watcher needs of a libp2p node. */
export interface WatchingNode extends SubscribingNode {
  readonly dial: Dial
  readonly addAddresses: (peerId: string, addresses: ReadonlyArray<string>) => Promise<void>
  readonly addressesOf: (peerId: string) => Promise<ReadonlyArray<string>>
  readonly findProviders: (
    key: string,
    signal?: AbortSignal
  ) => AsyncIterable<{ readonly peerId: string; readonly addresses: ReadonlyArray<string> }>
  readonly ping: (peerId: string, signal?: AbortSignal) => Promise<number>
}

export interface WatcherOptions {
  /** The experts' heartbeat period; a peer silent for 3 of them is evicted. Default 2000 ms. */
  readonly heartbeatIntervalMs?: number
  /** How often every known expert is pinged (latency, and liveness for experts without gossip). Default 5000 ms. */
  readonly pingIntervalMs?: number
  readonly now?: () => number
}

export interface SwarmWatcher {
  readonly state: () => RegistryState
  /** Feeds an event measured elsewhere (a step's latency, a failed expert). */
  readonly record: (event: RegistryEvent) => void
  readonly rejected: () => Readonly<Record<RejectionReason, number>>
  /** Adds an expert by address: its manifest is asked for directly. */
  readonly addDirect: (address: string) => Promise<void>
  /** Asks a bootstrap peer for the manifests it holds; returns how many passed the checks. */
  readonly loadSnapshot: (bootstrapAddress: string, signal?: AbortSignal) => Promise<number>
  /** Asks the DHT for a family's providers and their manifests; returns how many answered. */
  readonly lookupFamily: (tokenizerHash: string, signal?: AbortSignal) => Promise<number>
  /** Resolves true once `ready(state)` holds, false after `timeoutMs`. */
  readonly until: (ready: (state: RegistryState) => boolean, timeoutMs: number) => Promise<boolean>
  readonly stop: () => void
}

const peerOf = (address: string): string | undefined => /\/p2p\/([^/]+)$/.exec(address)?.[1]

export const startSwarmWatcher = (node: WatchingNode, verify: Verifier, options: WatcherOptions = {}): SwarmWatcher => {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS
  const pingIntervalMs = options.pingIntervalMs ?? 5000
  const now = options.now ?? Date.now
  let state = emptyRegistry({ heartbeatIntervalMs })
  const waiters = new Set<() => void>()

  const record = (event: RegistryEvent) => {
    state = apply(state, event)
    for (const wake of waiters) wake()
  }

  const announcements = watchAnnouncements(node, verify, (announcement) => {
    const peerId = asPeerId(announcement.peerId)
    if (announcement._tag === "Manifest") {
      node.addAddresses(peerId, announcement.addresses).catch(() => undefined)
      record({
        _tag: "ManifestSeen",
        at: now(),
        peerId,
        manifest: announcement.manifest,
        addresses: announcement.addresses,
        source: "gossip"
      })
      return
    }
    // A heartbeat from an expert whose manifest this router has not seen yet (it joined after the last one was
    // published): ask the expert for it rather than wait for the next.
    if (getExpert(state, peerId) === undefined) fetchUnknown(peerId)
    const { seq, openSessions, maxSessions, queue } = announcement
    record({ _tag: "Heartbeat", at: now(), peerId, seq, openSessions, maxSessions, queue })
  })

  const addKnown = async (peerId: string, addresses: ReadonlyArray<string>, source: "dht" | "direct") => {
    await node.addAddresses(peerId, addresses).catch(() => undefined)
    const manifest = await fetchManifest(node.dial, peerId)
    // Dialled by peer id alone (a heartbeat's sender): the addresses are whatever the dial learned.
    const known = addresses.length > 0 ? addresses : await node.addressesOf(peerId)
    record({ _tag: "ManifestSeen", at: now(), peerId: asPeerId(peerId), manifest, addresses: known, source })
  }

  const fetching = new Set<string>()
  const fetchUnknown = (peerId: string) => {
    if (fetching.has(peerId)) return
    fetching.add(peerId)
    addKnown(peerId, [], "direct")
      .catch(() => undefined)
      .finally(() => fetching.delete(peerId))
  }

  const pingAll = async () => {
    await Promise.all(
      [...state.experts].map(async ([peerId]) => {
        const signal = AbortSignal.timeout(pingIntervalMs)
        const ms = await node.ping(peerId, signal).catch(() => undefined)
        if (ms !== undefined) record({ _tag: "LatencyMeasured", at: now(), peerId, kind: "ping", ms })
      })
    )
  }

  const tickTimer = setInterval(() => record({ _tag: "Tick", at: now() }), Math.max(50, heartbeatIntervalMs / 2))
  const pingTimer = setInterval(() => void pingAll(), pingIntervalMs)

  return {
    state: () => state,
    record,
    rejected: announcements.rejected,
    addDirect: async (address) => {
      const peerId = peerOf(address)
      if (peerId === undefined) throw new Error(`an expert address needs its /p2p/ id: ${address}`)
      await addKnown(peerId, [address.slice(0, -`/p2p/${peerId}`.length)], "direct")
    },
    loadSnapshot: async (bootstrapAddress, signal) => {
      const manifests = await readSnapshot(await node.dial(bootstrapAddress, SWARM_SNAPSHOT_PROTOCOL, signal), verify)
      for (const manifest of manifests) {
        await node.addAddresses(manifest.peerId, manifest.addresses).catch(() => undefined)
        record({
          _tag: "ManifestSeen",
          at: now(),
          peerId: asPeerId(manifest.peerId),
          manifest: manifest.manifest,
          addresses: manifest.addresses,
          source: "gossip"
        })
      }
      return manifests.length
    },
    lookupFamily: async (tokenizerHash, signal) => {
      let answered = 0
      const lookups: Promise<void>[] = []
      for await (const provider of node.findProviders(familyKey(tokenizerHash), signal)) {
        lookups.push(
          addKnown(provider.peerId, provider.addresses, "dht").then(
            () => {
              answered++
            },
            () => undefined
          )
        )
      }
      await Promise.all(lookups)
      return answered
    },
    until: (ready, timeoutMs) =>
      new Promise((resolve) => {
        if (ready(state)) return resolve(true)
        const timer = setTimeout(() => {
          waiters.delete(check)
          resolve(false)
        }, timeoutMs)
        const check = () => {
          if (!ready(state)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(true)
        }
        waiters.add(check)
      }),
    stop: () => {
      clearInterval(tickTimer)
      clearInterval(pingTimer)
      for (const wake of waiters) waiters.delete(wake)
    }
  }
}
