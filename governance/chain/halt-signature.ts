// The guardian's halt message signature: EIP-712 typed data bound to one chain and one KillSwitch, so a message
// signed for another deployment never verifies here.
import { type Account, type Hex, recoverTypedDataAddress } from "viem"
import type { Address } from "../deployment.ts"
import { ChainError } from "./errors.ts"

export interface HaltFields {
  readonly chainId: number
  readonly killSwitch: Address
  readonly haltNumber: number
  readonly issuedAtMs: number
  readonly reason: string
}

const types = {
  HaltMesh: [
    { name: "haltNumber", type: "uint64" },
    { name: "issuedAtMs", type: "uint64" },
    { name: "reason", type: "string" }
  ]
} as const

const typedData = (fields: HaltFields) =>
  ({
    domain: { name: "mesh KillSwitch", version: "1", chainId: fields.chainId, verifyingContract: fields.killSwitch },
    types,
    primaryType: "HaltMesh",
    message: { haltNumber: BigInt(fields.haltNumber), issuedAtMs: BigInt(fields.issuedAtMs), reason: fields.reason }
  }) as const

export const signHalt = async (account: Account, fields: HaltFields): Promise<Uint8Array> => {
  if (account.signTypedData === undefined) throw new ChainError({ message: "this account cannot sign typed data" })
  const signature: Hex = await account.signTypedData(typedData(fields))
  return Uint8Array.from(Buffer.from(signature.slice(2), "hex"))
}

/** The address that signed; undefined when the signature is not a valid secp256k1 signature at all. */
export const recoverHaltSigner = async (fields: HaltFields, signature: Uint8Array): Promise<Address | undefined> => {
  if (signature.length !== 65) return undefined
  try {
    const signer = await recoverTypedDataAddress({
      ...typedData(fields),
      signature: `0x${Buffer.from(signature).toString("hex")}`
    })
    return signer.toLowerCase() as Address
  } catch {
    return undefined
  }
}
