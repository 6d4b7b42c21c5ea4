// Announcement validation without a network: what a router accepts from the experts topic, and why it refuses the
// rest (every refusal names one of three counted reasons).
import fc from "fast-check"
import { beforeAll, describe, expect, test } from "vitest"
import {
  type AnnouncementCheck,
  checkAnnouncement,
  encodeHeartbeat,
  encodeManifestAnnouncement
} from "../../discovery/announcement.ts"
import { dialableAddresses } from "../../discovery/announcer.ts"
import { MAX_ANNOUNCEMENT_BYTES } from "../../discovery/topics.ts"
import { encodeManifest } from "../../proto/codec.ts"
import { Announcement, ManifestBody } from "../../proto/discovery.ts"
import type { ExpertManifest } from "../../proto/messages.ts"
import { newIdentity, type PeerIdentity, verifyPeerSignature } from "../../runtime/p2p/identity.ts"
import { syntheticManifest } from "../helpers/synthetic-manifest.ts"

const manifest: ExpertManifest = syntheticManifest({ modelName: "stories260K", contextSize: 512 })
const addresses = ["/ip4/127.0.0.1/tcp/4101", "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWRelay/p2p-circuit"]
const issuedAtMs = 1_700_000_000_123

// The domain prefix announcement.ts signs under; repeated here so a test can sign bodies the encoder would never make.
const DOMAIN = new TextEncoder().encode("mesh/expert-manifest/1")
const signBody = async (signer: PeerIdentity, body: Uint8Array) =>
  Uint8Array.from(await signer.sign(new Uint8Array([...DOMAIN, ...body])))
const signedAnnouncement = async (signer: PeerIdentity, body: Partial<ManifestBody>) => {
  const bytes = ManifestBody.encode({
    peerId: signer.peerId,
    manifest: encodeManifest(manifest),
    addresses,
    issuedAtMs: BigInt(issuedAtMs),
    ...body
  })
  return Announcement.encode({ manifest: { body: bytes, signature: await signBody(signer, bytes) } })
}

const check = (publisher: string, data: Uint8Array) => checkAnnouncement(publisher, data, verifyPeerSignature)
const reasonOf = (result: AnnouncementCheck) => (result.ok ? "ok" : result.reason)

let expert: PeerIdentity
let other: PeerIdentity
let valid: Uint8Array
beforeAll(async () => {
  expert = await newIdentity()
  other = await newIdentity()
  valid = await encodeManifestAnnouncement(expert, manifest, addresses, issuedAtMs)
})

describe("manifest announcements", () => {
  test("a manifest signed by its publisher is accepted and round-trips manifest, addresses and issuedAt", async () => {
    const result = await check(expert.peerId, valid)
    expect(result).toEqual({
      ok: true,
      announcement: { _tag: "Manifest", peerId: expert.peerId, manifest, addresses, issuedAtMs }
    })
    expect(valid.length).toBeLessThan(MAX_ANNOUNCEMENT_BYTES)
  })

  test("forged: published by another peer than the one it names", async () => {
    const result = await check(other.peerId, valid)
    expect(reasonOf(result)).toBe("forged")
  })

  test("forged: the body names the publisher but another key signed it", async () => {
    const body = ManifestBody.decode(Announcement.decode(valid).manifest!.body)
    const bytes = ManifestBody.encode(body)
    const resigned = Announcement.encode({ manifest: { body: bytes, signature: await signBody(other, bytes) } })
    // The same body signed by its own key passes: only the key differs.
    const own = Announcement.encode({ manifest: { body: bytes, signature: await signBody(expert, bytes) } })
    expect(reasonOf(await check(expert.peerId, own))).toBe("ok")
    const result = await check(expert.peerId, resigned)
    expect(reasonOf(result)).toBe("forged")
    expect(result.ok ? "" : result.detail).toContain("signature")
  })

  test("forged: one flipped byte in the signature or in a signed field of the body", async () => {
    const signed = Announcement.decode(valid).manifest!
    for (const index of [0, 31, signed.signature.length - 1]) {
      const signature = Uint8Array.from(signed.signature)
      signature[index]! ^= 0x01
      const result = await check(expert.peerId, Announcement.encode({ manifest: { body: signed.body, signature } }))
      expect(reasonOf(result), `signature byte ${index}`).toBe("forged")
    }
    // A byte inside the first address ("4101" -> "4100"): the body still decodes, so only the signature can tell.
    const port = Buffer.from(signed.body).indexOf("4101")
    expect(port).toBeGreaterThan(0)
    const body = Uint8Array.from(signed.body)
    body[port + 3]! ^= 0x01
    expect(ManifestBody.decode(body).addresses[0]).toBe("/ip4/127.0.0.1/tcp/4100")
    const result = await check(expert.peerId, Announcement.encode({ manifest: { body, signature: signed.signature } }))
    expect(reasonOf(result)).toBe("forged")
  })

  test("oversized: one byte over MAX_ANNOUNCEMENT_BYTES is refused unread; the limit itself is read", async () => {
    const padded = (size: number) => {
      // A valid announcement followed by an unknown field that pads it to `size` bytes: decodable, so the size alone
      // decides.
      const head = Announcement.encode({
        heartbeat: { seq: 1n, openSessions: 0, maxSessions: 1, queue: 0, intervalMs: 1 }
      })
      const filler = size - head.length - 3
      return new Uint8Array([...head, (15 << 3) | 2, 0x80 | (filler & 0x7f), filler >> 7, ...new Uint8Array(filler)])
    }
    expect(padded(MAX_ANNOUNCEMENT_BYTES).length).toBe(MAX_ANNOUNCEMENT_BYTES)
    expect(reasonOf(await check(expert.peerId, padded(MAX_ANNOUNCEMENT_BYTES)))).toBe("ok")
    expect(reasonOf(await check(expert.peerId, padded(MAX_ANNOUNCEMENT_BYTES + 1)))).toBe("oversized")
    expect(reasonOf(await check(expert.peerId, new Uint8Array(64 * 1024)))).toBe("oversized")
  })

  test("malformed: both fields, neither field, 17 addresses, an address without '/', a manifest without tokenizer hash", async () => {
    const signed = Announcement.decode(valid).manifest!
    const heartbeat = { seq: 5n, openSessions: 0, maxSessions: 4, queue: 0, intervalMs: 500 }
    expect(reasonOf(await check(expert.peerId, Announcement.encode({ manifest: signed, heartbeat })))).toBe("malformed")
    expect(reasonOf(await check(expert.peerId, Announcement.encode({})))).toBe("malformed")
    expect(reasonOf(await check(expert.peerId, new Uint8Array()))).toBe("malformed")

    // Properly signed, so nothing but the content can be at fault. 16 addresses are the most a body may carry.
    const many = (count: number) => Array.from({ length: count }, (_, i) => `/ip4/10.0.0.${i}/tcp/4001`)
    expect(reasonOf(await check(expert.peerId, await signedAnnouncement(expert, { addresses: many(16) })))).toBe("ok")
    expect(reasonOf(await check(expert.peerId, await signedAnnouncement(expert, { addresses: many(17) })))).toBe(
      "malformed"
    )
    const relative = await encodeManifestAnnouncement(expert, manifest, ["ip4/127.0.0.1/tcp/4101"], issuedAtMs)
    expect(reasonOf(await check(expert.peerId, relative))).toBe("malformed")
    const long = await encodeManifestAnnouncement(expert, manifest, [`/dns4/${"a".repeat(300)}/tcp/1`], issuedAtMs)
    expect(reasonOf(await check(expert.peerId, long))).toBe("malformed")
    const noTokenizer = await encodeManifestAnnouncement(expert, { ...manifest, tokenizerHash: "" }, [], issuedAtMs)
    const result = await check(expert.peerId, noTokenizer)
    expect(reasonOf(result)).toBe("malformed")
    expect(result.ok ? "" : result.detail).toContain("tokenizer hash")
  })

  test("random bytes never throw: each is accepted or refused with one of the three reasons", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2 * MAX_ANNOUNCEMENT_BYTES }), async (data) => {
        const result = await check(expert.peerId, data)
        expect(["ok", "oversized", "malformed", "forged"]).toContain(reasonOf(result))
        if (data.length > MAX_ANNOUNCEMENT_BYTES) expect(reasonOf(result)).toBe("oversized")
      }),
      { numRuns: 300 }
    )
  })

  test("a mutated valid announcement never throws, and never passes as another manifest", async () => {
    const mutation = fc.record({
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined })
    })
    await fc.assert(
      fc.asyncProperty(mutation, async ({ edits, cut }) => {
        const data = Uint8Array.from(valid)
        for (const [position, mask] of edits) data[position % data.length]! ^= mask
        const mutated = cut === undefined ? data : data.subarray(0, cut % data.length)
        const result = await check(expert.peerId, mutated)
        expect(["ok", "oversized", "malformed", "forged"]).toContain(reasonOf(result))
        // The signature covers every field that matters: whatever got through must be the original manifest (an
        // edit outside the signed body, in framing, can still decode) or a heartbeat read out of the framing.
        if (result.ok && result.announcement._tag === "Manifest") {
          expect(result.announcement).toEqual({
            _tag: "Manifest",
            peerId: expert.peerId,
            manifest,
            addresses,
            issuedAtMs
          })
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe("heartbeats", () => {
  const heartbeat = { seq: 1_700_000_000_042, openSessions: 2, maxSessions: 4, queue: 3, intervalMs: 500 }

  test("a heartbeat speaks for its publisher and round-trips its fields", async () => {
    const result = await check(other.peerId, encodeHeartbeat(heartbeat))
    expect(result).toEqual({ ok: true, announcement: { _tag: "Heartbeat", peerId: other.peerId, ...heartbeat } })
  })

  test("malformed: more open sessions than the maximum, a zero interval, a seq beyond 2^53", async () => {
    expect(reasonOf(await check(expert.peerId, encodeHeartbeat({ ...heartbeat, openSessions: 4 })))).toBe("ok")
    expect(reasonOf(await check(expert.peerId, encodeHeartbeat({ ...heartbeat, openSessions: 5 })))).toBe("malformed")
    expect(reasonOf(await check(expert.peerId, encodeHeartbeat({ ...heartbeat, intervalMs: 0 })))).toBe("malformed")
    const huge = Announcement.encode({ heartbeat: { ...heartbeat, seq: 2n ** 60n } })
    expect(reasonOf(await check(expert.peerId, huge))).toBe("malformed")
  })
})

describe("dialableAddresses", () => {
  const me = "12D3KooWMe"
  const relay = "12D3KooWRelay"

  test("strips only the trailing /p2p/ of the node's own id", () => {
    expect(
      dialableAddresses(
        [
          `/ip4/127.0.0.1/tcp/4101/p2p/${me}`,
          `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${me}`,
          `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`,
          "/ip4/127.0.0.1/tcp/4102",
          `/ip4/127.0.0.1/tcp/4103/p2p/${relay}`,
          `/ip4/127.0.0.1/tcp/4104/p2p/x${me}`
        ],
        me
      )
    ).toEqual([
      "/ip4/127.0.0.1/tcp/4101",
      `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`,
      `/ip4/10.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`,
      "/ip4/127.0.0.1/tcp/4102",
      `/ip4/127.0.0.1/tcp/4103/p2p/${relay}`,
      `/ip4/127.0.0.1/tcp/4104/p2p/x${me}`
    ])
  })
})
