// A node's identity: an Ed25519 key pair, kept in a file so a donor keeps its peer id (and, later, its reputation)
// across restarts. Signing and verifying for mesh's own signed records goes through here too.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys"
import type { PrivateKey } from "@libp2p/interface"
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id"
import { Data } from "effect"

export class IdentityError extends Data.TaggedError("IdentityError")<{ readonly message: string }> {}

export interface PeerIdentity {
  readonly peerId: string
  /** Handed to libp2p; nothing else reads it. */
  readonly privateKey: PrivateKey
  sign(data: Uint8Array): Promise<Uint8Array>
}

const fromKey = (privateKey: PrivateKey): PeerIdentity => ({
  peerId: peerIdFromPrivateKey(privateKey).toString(),
  privateKey,
  sign: async (data) => privateKey.sign(data)
})

export const newIdentity = async (): Promise<PeerIdentity> => fromKey(await generateKeyPair("Ed25519"))

/** Reads the key in `path`, or creates one there (mode 0600) when the file does not exist. */
export const loadOrCreateIdentity = async (path: string): Promise<PeerIdentity> => {
  const existing = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined
    throw new IdentityError({ message: `cannot read identity file ${path}: ${error.message}` })
  })
  if (existing !== undefined) {
    try {
      return fromKey(privateKeyFromProtobuf(existing))
    } catch (cause) {
      throw new IdentityError({ message: `${path} does not hold a libp2p private key: ${String(cause)}` })
    }
  }
  const identity = await newIdentity()
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, privateKeyToProtobuf(identity.privateKey), { mode: 0o600, flag: "wx" })
  await chmod(path, 0o600)
  return identity
}

/** Whether `signature` over `data` was made by the key behind `peerId`; false for anything malformed. */
export const verifyPeerSignature = async (
  peerId: string,
  data: Uint8Array,
  signature: Uint8Array
): Promise<boolean> => {
  try {
    const publicKey = peerIdFromString(peerId).publicKey
    if (publicKey === undefined) return false
    return await publicKey.verify(data, signature)
  } catch {
    return false
  }
}
