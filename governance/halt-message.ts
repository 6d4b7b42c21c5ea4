// The kill switch's fast path: a guardian-signed HaltMesh on gossipsub. Decoding with caps, and the checks every
// node runs before it halts and forwards the message (see docs/governance.md, "Halt messages").
import { HaltMesh } from "../proto/governance.ts"
import type { Address } from "./deployment.ts"

export const HALT_TOPIC = "mesh/halt/1"
export const MAX_HALT_MESSAGE_BYTES = 1024
export const MAX_HALT_REASON_CHARS = 280
/** A halt message older than this is refused: the chain has long had time to show the halt itself. */
export const DEFAULT_MAX_HALT_AGE_MS = 10 * 60 * 1000
/** How far ahead of this node's clock a message may claim to be issued. */
export const MAX_CLOCK_SKEW_MS = 60 * 1000

export interface HaltClaim {
  readonly chainId: number
  readonly killSwitch: Address
  readonly haltNumber: number
  readonly issuedAtMs: number
  readonly reason: string
  readonly signature: Uint8Array
}

export type HaltRejection =
  | "oversized"
  | "malformed"
  | "other-deployment"
  | "not-guardian"
  | "replayed"
  | "future-halt"
  | "stale"
  | "duplicate"

export type HaltDecode =
  | { readonly ok: true; readonly claim: HaltClaim }
  | { readonly ok: false; readonly reason: HaltRejection; readonly detail: string }

export const encodeHaltMessage = (claim: HaltClaim): Uint8Array =>
  HaltMesh.encode({
    chainId: BigInt(claim.chainId),
    killSwitch: Uint8Array.from(Buffer.from(claim.killSwitch.slice(2), "hex")),
    haltNumber: BigInt(claim.haltNumber),
    issuedAtMs: BigInt(claim.issuedAtMs),
    reason: claim.reason,
    signature: Uint8Array.from(claim.signature)
  })

export const decodeHaltMessage = (data: Uint8Array): HaltDecode => {
  if (data.length > MAX_HALT_MESSAGE_BYTES) {
    return { ok: false, reason: "oversized", detail: `${data.length} bytes; at most ${MAX_HALT_MESSAGE_BYTES}` }
  }
  let message: HaltMesh
  try {
    message = HaltMesh.decode(data)
  } catch (cause) {
    return { ok: false, reason: "malformed", detail: cause instanceof Error ? cause.message : String(cause) }
  }
  const numbers = [message.chainId, message.haltNumber, message.issuedAtMs].map(Number)
  if (numbers.some((value) => !Number.isSafeInteger(value)) || message.haltNumber === 0n) {
    return { ok: false, reason: "malformed", detail: "chain id, halt number or time out of range" }
  }
  if (message.killSwitch.length !== 20 || message.signature.length !== 65) {
    return { ok: false, reason: "malformed", detail: "the kill switch address or the signature has the wrong length" }
  }
  if ([...message.reason].length > MAX_HALT_REASON_CHARS) {
    return { ok: false, reason: "malformed", detail: `the reason exceeds ${MAX_HALT_REASON_CHARS} characters` }
  }
  return {
    ok: true,
    claim: {
      chainId: Number(message.chainId),
      killSwitch: `0x${Buffer.from(message.killSwitch).toString("hex")}` as Address,
      haltNumber: Number(message.haltNumber),
      issuedAtMs: Number(message.issuedAtMs),
      reason: message.reason,
      signature: message.signature
    }
  }
}

/** What a node knows of the kill switch when a message arrives. */
export interface KillSwitchView {
  readonly chainId: number
  readonly killSwitch: Address
  /** The guardian as last read from the chain (the deployment's until the chain has been read). */
  readonly guardian: Address
  /** Halts the chain has recorded so far, and whether the latest is still in force. */
  readonly haltCount: number
  readonly halted: boolean
  /** The highest halt number this node already acted on from a message. */
  readonly lastAccepted: number
}

export type HaltVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: HaltRejection; readonly detail: string }

/**
 * The checks, given the signer recovered from the signature. A message must be for this chain and kill switch,
 * signed by the guardian, name the next halt (haltCount + 1; or the current one while the chain shows it, which the
 * node already obeys), and be recent. A message of a halt that a vote has since resumed names a number at most
 * haltCount while the chain is not halted: it is refused, so a replay never halts the mesh again.
 */
export const checkHalt = (
  claim: HaltClaim,
  signer: Address | undefined,
  view: KillSwitchView,
  nowMs: number,
  maxAgeMs: number = DEFAULT_MAX_HALT_AGE_MS
): HaltVerdict => {
  const reject = (reason: HaltRejection, detail: string): HaltVerdict => ({ ok: false, reason, detail })
  if (claim.chainId !== view.chainId || claim.killSwitch.toLowerCase() !== view.killSwitch.toLowerCase()) {
    return reject("other-deployment", `for kill switch ${claim.killSwitch} on chain ${claim.chainId}`)
  }
  if (signer === undefined || signer.toLowerCase() !== view.guardian.toLowerCase()) {
    return reject("not-guardian", `signed by ${signer ?? "nobody"}, the guardian is ${view.guardian}`)
  }
  if (claim.haltNumber <= view.lastAccepted) return reject("duplicate", `halt ${claim.haltNumber} already obeyed`)
  if (claim.haltNumber < view.haltCount || (claim.haltNumber === view.haltCount && !view.halted)) {
    return reject("replayed", `halt ${claim.haltNumber} was resumed by governance`)
  }
  if (claim.haltNumber > view.haltCount + 1) {
    return reject("future-halt", `names halt ${claim.haltNumber}; the chain has recorded ${view.haltCount}`)
  }
  if (claim.issuedAtMs > nowMs + MAX_CLOCK_SKEW_MS) return reject("stale", "issued in the future")
  if (nowMs - claim.issuedAtMs > maxAgeMs) return reject("stale", `issued ${nowMs - claim.issuedAtMs} ms ago`)
  return { ok: true }
}
