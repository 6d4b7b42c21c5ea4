// Expert announcements: encoding, signing, and the validation that every received one passes before it can touch a
// router's registry. Rejections carry a reason so they can be counted.
import { decodeManifest, encodeManifest } from "../proto/codec.ts"
import { Announcement, ManifestBody } from "../proto/discovery.ts"
import type { ExpertManifest } from "../proto/messages.ts"
import { MAX_ANNOUNCEMENT_BYTES } from "./topics.ts"

const MANIFEST_DOMAIN = new TextEncoder().encode("mesh/expert-manifest/1")
const MAX_ADDRESSES = 16
const MAX_ADDRESS_BYTES = 256

export interface ManifestAnnouncement {
  readonly _tag: "Manifest"
  readonly peerId: string
  readonly manifest: ExpertManifest
  readonly addresses: ReadonlyArray<string>
  readonly issuedAtMs: number
}

export interface HeartbeatAnnouncement {
  readonly _tag: "Heartbeat"
  readonly peerId: string
  readonly seq: number
  readonly openSessions: number
  readonly maxSessions: number
  readonly queue: number
  readonly intervalMs: number
}

export type ValidAnnouncement = ManifestAnnouncement | HeartbeatAnnouncement

export type RejectionReason = "oversized" | "malformed" | "forged"

export type AnnouncementCheck =
  | { readonly ok: true; readonly announcement: ValidAnnouncement }
  | { readonly ok: false; readonly reason: RejectionReason; readonly detail: string }

/** The signing half of a peer identity. */
export type Signer = { readonly peerId: string; sign(data: Uint8Array): Promise<Uint8Array> }
/** Checks a signature against the key behind a peer id. */
export type Verifier = (peerId: string, data: Uint8Array, signature: Uint8Array) => Promise<boolean>

const signedBytes = (body: Uint8Array): Uint8Array => {
  const bytes = new Uint8Array(MANIFEST_DOMAIN.length + body.length)
  bytes.set(MANIFEST_DOMAIN)
  bytes.set(body, MANIFEST_DOMAIN.length)
  return bytes
}

export const encodeManifestAnnouncement = async (
  signer: Signer,
  manifest: ExpertManifest,
  addresses: ReadonlyArray<string>,
  issuedAtMs: number
): Promise<Uint8Array> => {
  const body = ManifestBody.encode({
    peerId: signer.peerId,
    manifest: encodeManifest(manifest),
    addresses: addresses.slice(0, MAX_ADDRESSES),
    issuedAtMs: BigInt(issuedAtMs)
  })
  const signature = Uint8Array.from(await signer.sign(signedBytes(body)))
  return Announcement.encode({ manifest: { body, signature } })
}

export const encodeHeartbeat = (heartbeat: Omit<HeartbeatAnnouncement, "_tag" | "peerId">): Uint8Array =>
  Announcement.encode({ heartbeat: { ...heartbeat, seq: BigInt(heartbeat.seq) } })

const reject = (reason: RejectionReason, detail: string): AnnouncementCheck => ({ ok: false, reason, detail })

/**
 * Validates one received announcement. `publisher` is the peer gossipsub authenticated as the message's signer:
 * a manifest must be signed by the key of the peer it names, and that peer must be the publisher (no one announces
 * for someone else); a heartbeat speaks for its publisher.
 */
export const checkAnnouncement = async (
  publisher: string,
  data: Uint8Array,
  verify: Verifier
): Promise<AnnouncementCheck> => {
  if (data.length > MAX_ANNOUNCEMENT_BYTES) {
    return reject("oversized", `${data.length} bytes; at most ${MAX_ANNOUNCEMENT_BYTES}`)
  }
  let announcement: Announcement
  try {
    announcement = Announcement.decode(data)
  } catch (cause) {
    return reject("malformed", `not an announcement: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const { manifest: signed, heartbeat } = announcement
  if ((signed === undefined) === (heartbeat === undefined)) {
    return reject("malformed", "an announcement holds exactly one of manifest and heartbeat")
  }
  if (heartbeat !== undefined) {
    const seq = Number(heartbeat.seq)
    if (!Number.isSafeInteger(seq) || heartbeat.intervalMs === 0 || heartbeat.openSessions > heartbeat.maxSessions) {
      return reject("malformed", "heartbeat fields out of range")
    }
    return {
      ok: true,
      announcement: {
        _tag: "Heartbeat",
        peerId: publisher,
        seq,
        openSessions: heartbeat.openSessions,
        maxSessions: heartbeat.maxSessions,
        queue: heartbeat.queue,
        intervalMs: heartbeat.intervalMs
      }
    }
  }
  let body: ManifestBody
  try {
    body = ManifestBody.decode(signed!.body, { limits: { addresses: MAX_ADDRESSES } })
  } catch (cause) {
    return reject("malformed", `not a manifest body: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  if (body.peerId !== publisher) return reject("forged", `a manifest for ${body.peerId} published by ${publisher}`)
  if (!(await verify(body.peerId, signedBytes(signed!.body), signed!.signature))) {
    return reject("forged", `the manifest signature does not match ${body.peerId}`)
  }
  const manifest = decodeManifest(body.manifest)
  if (!manifest.ok) return reject("malformed", manifest.reason)
  if (body.addresses.some((address) => Buffer.byteLength(address) > MAX_ADDRESS_BYTES || !address.startsWith("/"))) {
    return reject("malformed", "an address is not a multiaddr")
  }
  return {
    ok: true,
    announcement: {
      _tag: "Manifest",
      peerId: body.peerId,
      manifest: manifest.value,
      addresses: body.addresses,
      issuedAtMs: Number(body.issuedAtMs)
    }
  }
}

/** The peer a manifest announcement names, without checking anything else; undefined for anything else. */
export const manifestPeerId = (data: Uint8Array): string | undefined => {
  try {
    const signed = Announcement.decode(data).manifest
    return signed === undefined
      ? undefined
      : ManifestBody.decode(signed.body, { limits: { addresses: MAX_ADDRESSES } }).peerId
  } catch {
    return undefined
  }
}
