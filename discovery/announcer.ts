// An expert's side of discovery: its signed manifest and heartbeats on gossipsub, and a DHT provider record for its
// tokenizer family.
import type { ExpertManifest } from "../proto/messages.ts"
import { encodeHeartbeat, encodeManifestAnnouncement, type Signer } from "./announcement.ts"
import { EXPERTS_TOPIC, familyKey } from "./topics.ts"

/** What the announcer needs of a libp2p node. */
export interface AnnouncingNode {
  readonly multiaddrs: () => ReadonlyArray<string>
  readonly publish: (topic: string, data: Uint8Array) => Promise<void>
  readonly provide: (key: string) => Promise<void>
}

export interface ExpertLoad {
  readonly openSessions: number
  readonly maxSessions: number
  readonly queue: number
}

export interface AnnouncerOptions {
  /** Heartbeat period. Default 2000 ms; routers evict an expert after 3 missed heartbeats. */
  readonly intervalMs?: number
  /** Re-publish the manifest every N heartbeats, for routers that joined since. Default 5. */
  readonly manifestEvery?: number
  readonly now?: () => number
}

export interface Announcer {
  /** Heartbeats sent so far. */
  readonly sent: () => number
  readonly stop: () => void
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2000

/** A node's advertised addresses without their trailing /p2p/<own id>: the manifest names the peer once. */
export const dialableAddresses = (multiaddrs: ReadonlyArray<string>, peerId: string): string[] =>
  multiaddrs.map((address) =>
    address.endsWith(`/p2p/${peerId}`) ? address.slice(0, -`/p2p/${peerId}`.length) : address
  )

export const startAnnouncer = (
  node: AnnouncingNode,
  signer: Signer,
  manifest: ExpertManifest,
  load: () => ExpertLoad,
  options: AnnouncerOptions = {}
): Announcer => {
  const intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS
  const manifestEvery = options.manifestEvery ?? 5
  const now = options.now ?? Date.now
  // Sequence numbers start at the clock, so a restarted expert's heartbeats are never mistaken for stale ones.
  let seq = Math.floor(now())
  const firstSeq = seq
  let stopped = false
  let announcedAddresses = ""

  // Publishing fails only when the node is stopping; a lost announcement is repeated by the next tick anyway.
  const publish = (data: Uint8Array) => node.publish(EXPERTS_TOPIC, data).catch(() => undefined)

  const announceManifest = async () => {
    const addresses = dialableAddresses(node.multiaddrs(), signer.peerId)
    announcedAddresses = addresses.join(" ")
    await publish(await encodeManifestAnnouncement(signer, manifest, addresses, now()))
  }

  const tick = async () => {
    seq++
    const addressesChanged = dialableAddresses(node.multiaddrs(), signer.peerId).join(" ") !== announcedAddresses
    if (addressesChanged || (seq - firstSeq) % manifestEvery === 0) await announceManifest()
    await publish(encodeHeartbeat({ seq, intervalMs, ...load() }))
  }

  // The DHT needs peers before a provider record can be stored: retry with backoff until it is, then kad-dht
  // re-provides on its own.
  const provide = async (delayMs: number) => {
    if (stopped) return
    const stored = await node.provide(familyKey(manifest.tokenizerHash)).then(
      () => true,
      () => false
    )
    if (!stored && !stopped) providerTimer = setTimeout(() => provide(Math.min(delayMs * 2, 60_000)), delayMs)
  }

  let providerTimer: NodeJS.Timeout | undefined = setTimeout(() => provide(1000), 0)
  void announceManifest()
  const timer = setInterval(() => void tick(), intervalMs)
  return {
    sent: () => seq - firstSeq,
    stop: () => {
      stopped = true
      clearInterval(timer)
      clearTimeout(providerTimer)
    }
  }
}
