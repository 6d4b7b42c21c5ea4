// The swarm at a glance: a bootstrap keeps the latest signed manifest of every expert it hears from, and hands them
// to a router that joins, so the router need not wait for each expert's next manifest on gossip. The signatures
// travel with them: the router checks each one as if it had come by gossip, and a bootstrap cannot forge any.
import type { ByteStream } from "../proto/channel.ts"
import { frameChannel } from "../proto/channel.ts"
import { checkAnnouncement, type ManifestAnnouncement, manifestPeerId, type Verifier } from "./announcement.ts"
import { MAX_ANNOUNCEMENT_BYTES } from "./topics.ts"

export const SWARM_SNAPSHOT_PROTOCOL = "/mesh/swarm/1.0.0"

/** Manifests in one snapshot, at most. */
export const MAX_SNAPSHOT_ENTRIES = 10_000

interface Entry {
  readonly announcement: Uint8Array
  lastSeen: number
  intervalMs: number
}

/** The bootstrap's side: remembers accepted announcements and serves the live ones. */
export const createSnapshotKeeper = (now: () => number = Date.now, missedHeartbeats = 3) => {
  const entries = new Map<string, Entry>()
  const live = (entry: Entry) => now() - entry.lastSeen <= missedHeartbeats * entry.intervalMs
  return {
    manifest: (peerId: string, announcement: Uint8Array) => {
      const entry = entries.get(peerId)
      entries.set(peerId, { announcement, lastSeen: now(), intervalMs: entry?.intervalMs ?? 10_000 })
      if (entries.size > MAX_SNAPSHOT_ENTRIES) {
        for (const [key, value] of entries) if (!live(value)) entries.delete(key)
      }
    },
    heartbeat: (peerId: string, intervalMs: number) => {
      const entry = entries.get(peerId)
      if (entry === undefined) return
      entry.lastSeen = now()
      entry.intervalMs = intervalMs
    },
    serve: async (stream: ByteStream) => {
      const channel = frameChannel(stream, MAX_ANNOUNCEMENT_BYTES)
      let sent = 0
      for (const [peerId, entry] of entries) {
        if (!live(entry)) {
          entries.delete(peerId)
          continue
        }
        if (sent++ === MAX_SNAPSHOT_ENTRIES) break
        await channel.write(entry.announcement)
      }
      await channel.close()
    },
    size: () => entries.size
  }
}

/** The router's side: every manifest in the snapshot that passes the same checks as a gossiped one. */
export const readSnapshot = async (stream: ByteStream, verify: Verifier): Promise<ManifestAnnouncement[]> => {
  const channel = frameChannel(stream, MAX_ANNOUNCEMENT_BYTES)
  const manifests: ManifestAnnouncement[] = []
  try {
    for (let index = 0; index < MAX_SNAPSHOT_ENTRIES; index++) {
      const read = await channel.read()
      if (read._tag !== "Frame") break
      // The signature names the expert; whoever relays the bytes does not matter.
      const peerId = manifestPeerId(read.bytes)
      if (peerId === undefined) continue
      const check = await checkAnnouncement(peerId, read.bytes, verify)
      if (check.ok && check.announcement._tag === "Manifest") manifests.push(check.announcement)
    }
  } finally {
    await channel.close().catch(() => undefined)
  }
  return manifests
}
