// A bootstrap's snapshot of the swarm: only live experts are served, and a router keeps only entries whose signature
// holds, whoever relayed them.
import { expect, test } from "vitest"
import { encodeManifestAnnouncement } from "../../discovery/announcement.ts"
import { createSnapshotKeeper, readSnapshot } from "../../discovery/snapshot.ts"
import type { ByteStream } from "../../proto/channel.ts"
import { encodeFrame } from "../../proto/frames.ts"
import { newIdentity, verifyPeerSignature } from "../../runtime/p2p/identity.ts"
import { syntheticManifest } from "../helpers/synthetic-manifest.ts"

/** A stream that delivers `incoming` and records what is sent. */
const streamOf = (incoming: ReadonlyArray<Uint8Array>) => {
  const sent: Uint8Array[] = []
  const stream: ByteStream = {
    async *[Symbol.asyncIterator]() {
      yield* incoming
    },
    send: (data) => {
      sent.push(data)
      return true
    },
    onDrain: async () => undefined,
    close: async () => undefined,
    abort: () => undefined
  }
  return { stream, sent }
}

test("the keeper serves live experts only, and the reader keeps only verified manifests", async () => {
  let clock = 1_000_000
  const keeper = createSnapshotKeeper(() => clock)
  const [alive, silent, victim] = await Promise.all([newIdentity(), newIdentity(), newIdentity()])
  const announce = (identity: typeof alive) =>
    encodeManifestAnnouncement(
      identity,
      syntheticManifest({ modelName: identity.peerId }),
      ["/ip4/10.0.0.1/tcp/1"],
      clock
    )

  keeper.manifest(alive.peerId, await announce(alive))
  keeper.heartbeat(alive.peerId, 500)
  keeper.manifest(silent.peerId, await announce(silent))
  keeper.heartbeat(silent.peerId, 500)
  clock += 1000
  keeper.heartbeat(alive.peerId, 500)
  clock += 1000 // silent: 2000 ms without a heartbeat, more than 3 x 500

  const served = streamOf([])
  await keeper.serve(served.stream)
  expect(served.sent).toHaveLength(1)
  expect(keeper.size()).toBe(1)

  // A relay that tampers: a flipped signature byte, and garbage, next to the honest entry.
  const tampered = await announce(victim)
  tampered[tampered.length - 1]! ^= 0xff
  const incoming = [...served.sent, encodeFrame(tampered), encodeFrame(Uint8Array.from([1, 2, 3]))]
  const manifests = await readSnapshot(streamOf(incoming).stream, verifyPeerSignature)
  expect(manifests.map((entry) => entry.peerId)).toEqual([alive.peerId])
  expect(manifests[0]!.manifest.modelName).toBe(alive.peerId)
})
