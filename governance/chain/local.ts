// The embedded chain's shortcuts: mine blocks and move time, so a proposal passes in milliseconds. For tests and the
// demo; refused on any chain that is not the local one.
import { createTestClient, http } from "viem"
import type { Deployment } from "../deployment.ts"
import { type Account, type ChainClients, toChainError } from "./client.ts"
import { ChainError } from "./errors.ts"
import {
  castVote,
  executeProposal,
  type Proposal,
  type ProposalCall,
  proposalStatus,
  propose,
  queueProposal
} from "./proposals.ts"

const testClient = (clients: ChainClients, deployment: Deployment) => {
  if (!deployment.local) {
    throw new ChainError({ message: "mining blocks and moving time work on the embedded chain only" })
  }
  return createTestClient({ chain: clients.chain, mode: "hardhat", transport: http(clients.rpcUrl, { retryCount: 0 }) })
}

export const mineBlocks = async (clients: ChainClients, deployment: Deployment, blocks: number): Promise<void> => {
  try {
    await testClient(clients, deployment).mine({ blocks })
  } catch (cause) {
    throw toChainError("mining blocks", cause)
  }
}

export const advanceTime = async (clients: ChainClients, deployment: Deployment, seconds: number): Promise<void> => {
  try {
    const client = testClient(clients, deployment)
    await client.increaseTime({ seconds })
    await client.mine({ blocks: 1 })
  } catch (cause) {
    throw toChainError("moving time", cause)
  }
}

/**
 * Drives a proposal from Pending to Executed on the local chain: mine to the vote, every voter votes for, mine past
 * the deadline, queue, move time past the timelock delay, execute. Fails with the state it stopped in.
 */
export const passProposal = async (
  clients: ChainClients,
  deployment: Deployment,
  proposalId: bigint,
  voters: ReadonlyArray<Account>
): Promise<void> => {
  const { settings } = deployment
  const proposed = await proposalStatus(clients, deployment, proposalId)
  const head = async () => Number(await clients.publicClient.getBlockNumber({ cacheTime: 0 }))
  const toBlock = async (block: number) => {
    const now = await head()
    if (block > now) await mineBlocks(clients, deployment, block - now)
  }
  // Votes open the block after the snapshot and close after the deadline.
  await toBlock(proposed.snapshot + 1)
  for (const voter of voters) await castVote(clients, deployment, voter, proposalId, "for")
  await toBlock(proposed.deadline + 1)
  const voted = await proposalStatus(clients, deployment, proposalId)
  if (voted.state !== "Succeeded") {
    throw new ChainError({ message: `proposal ${proposalId} is ${voted.state} after the vote, not Succeeded` })
  }
  await queueProposal(clients, deployment, voters[0]!, proposalId)
  await advanceTime(clients, deployment, settings.timelockDelaySeconds + 1)
  await executeProposal(clients, deployment, voters[0]!, proposalId)
}

/** Proposes and passes in one go (local chain only). */
export const enact = async (
  clients: ChainClients,
  deployment: Deployment,
  voters: ReadonlyArray<Account>,
  calls: ReadonlyArray<ProposalCall>,
  description: string
): Promise<Proposal> => {
  const proposal = await propose(clients, deployment, voters[0]!, calls, description)
  await passProposal(clients, deployment, proposal.id, voters)
  return proposal
}
