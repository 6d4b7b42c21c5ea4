// What a node reads of the chain: the phase and its tier, the kill switch, and approvals since a block.
import { killSwitchAbi } from "../../contracts/artifacts/KillSwitch.ts"
import { phaseRegistryAbi } from "../../contracts/artifacts/PhaseRegistry.ts"
import type { Address, Deployment } from "../deployment.ts"
import type { ActionHash, Tier } from "../state.ts"
import { type ChainClients, toChainError } from "./client.ts"
import { ChainError } from "./errors.ts"

export interface ChainSnapshot {
  /** The block every field was read at. */
  readonly block: number
  readonly phase: number
  readonly maxTier: Tier
  readonly halted: boolean
  readonly haltReason: string
  /** Halts so far; a halt message for halt n is current only while n = haltCount + 1 (or = haltCount while halted). */
  readonly haltCount: number
  readonly guardian: Address
}

export interface ApprovalChange {
  readonly action: ActionHash
  readonly approved: boolean
  readonly block: number
}

const asTier = (value: number): Tier => {
  if (value < 0 || value > 3) throw new ChainError({ message: `the phase registry reports tier ${value}` })
  return value as Tier
}

export const readSnapshot = async (clients: ChainClients, deployment: Deployment): Promise<ChainSnapshot> => {
  const { publicClient } = clients
  try {
    const blockNumber = await publicClient.getBlockNumber({ cacheTime: 0 })
    const [[phase, maxTier], [halted, haltReason, haltCount, guardian]] = await Promise.all([
      publicClient.readContract({
        address: deployment.contracts.phaseRegistry,
        abi: phaseRegistryAbi,
        functionName: "status",
        blockNumber
      }),
      publicClient.readContract({
        address: deployment.contracts.killSwitch,
        abi: killSwitchAbi,
        functionName: "status",
        blockNumber
      })
    ])
    return {
      block: Number(blockNumber),
      phase: Number(phase),
      maxTier: asTier(maxTier),
      halted,
      haltReason,
      haltCount: Number(haltCount),
      guardian: guardian.toLowerCase() as Address
    }
  } catch (cause) {
    throw toChainError("reading governance state", cause)
  }
}

/** ActionApproved / ActionRevoked events in [fromBlock, toBlock], in chain order. */
export const readApprovalChanges = async (
  clients: ChainClients,
  deployment: Deployment,
  fromBlock: number,
  toBlock: number
): Promise<ReadonlyArray<ApprovalChange>> => {
  if (toBlock < fromBlock) return []
  try {
    const logs = await clients.publicClient.getContractEvents({
      address: deployment.contracts.phaseRegistry,
      abi: phaseRegistryAbi,
      fromBlock: BigInt(fromBlock),
      toBlock: BigInt(toBlock)
    })
    const changes: ApprovalChange[] = []
    for (const log of logs) {
      if (log.eventName !== "ActionApproved" && log.eventName !== "ActionRevoked") continue
      const action = log.args.actionHash
      if (action === undefined) continue
      changes.push({
        action: action.toLowerCase() as ActionHash,
        approved: log.eventName === "ActionApproved",
        block: Number(log.blockNumber)
      })
    }
    return changes
  } catch (cause) {
    throw toChainError("reading action approvals", cause)
  }
}
