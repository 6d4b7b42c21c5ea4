// `mesh gov halt`'s two paths from one call: a signed HaltMesh message for gossip (fast) and KillSwitch.halt on chain
// (authoritative). The message names the halt the transaction is about to record.
import type { Account } from "viem"
import type { Deployment } from "../deployment.ts"
import { encodeHaltMessage } from "../halt-message.ts"
import type { ChainClients } from "./client.ts"
import { signHalt } from "./halt-signature.ts"
import { readSnapshot } from "./read.ts"

/** Signs the message for the chain's next halt. `issuedAtMs`: the guardian's clock. */
export const createHaltMessage = async (
  clients: ChainClients,
  deployment: Deployment,
  guardian: Account,
  reason: string,
  issuedAtMs: number
): Promise<{ readonly bytes: Uint8Array; readonly haltNumber: number }> => {
  const snapshot = await readSnapshot(clients, deployment)
  const fields = {
    chainId: deployment.chainId,
    killSwitch: deployment.contracts.killSwitch,
    haltNumber: snapshot.haltCount + 1,
    issuedAtMs,
    reason
  }
  const signature = await signHalt(guardian, fields)
  return { bytes: encodeHaltMessage({ ...fields, signature }), haltNumber: fields.haltNumber }
}
