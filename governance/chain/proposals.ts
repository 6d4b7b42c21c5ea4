// Governor actions: what a proposal does (phase, tiers, approvals, resume, guardian), and propose, vote, queue,
// execute, plus the guardian's halt and cancel on the kill switch.
import { type Account, encodeFunctionData, type Hex, keccak256, toBytes, toHex } from "viem"
import { killSwitchAbi } from "../../contracts/artifacts/KillSwitch.ts"
import { meshGovernorAbi } from "../../contracts/artifacts/MeshGovernor.ts"
import { meshTimelockAbi } from "../../contracts/artifacts/MeshTimelock.ts"
import { meshVotesAbi } from "../../contracts/artifacts/MeshVotes.ts"
import { phaseRegistryAbi } from "../../contracts/artifacts/PhaseRegistry.ts"
import type { Address, Deployment } from "../deployment.ts"
import type { ActionHash, Tier } from "../state.ts"
import { type ChainClients, toChainError, walletClient } from "./client.ts"
import { ChainError } from "./errors.ts"

/** One call a proposal makes through the timelock. */
export interface ProposalCall {
  readonly target: Address
  readonly value: bigint
  readonly calldata: Hex
}

/** What a proposal asks for, as the command line and the demo name it. */
export type ProposalIntent =
  | { readonly _tag: "SetPhase"; readonly phase: number }
  | { readonly _tag: "SetPhaseMaxTier"; readonly phase: number; readonly tier: Tier }
  | { readonly _tag: "ApproveAction"; readonly action: ActionHash }
  | { readonly _tag: "RevokeAction"; readonly action: ActionHash }
  | { readonly _tag: "Resume"; readonly reason: string }
  | { readonly _tag: "SetGuardian"; readonly guardian: Address }

export const intentCall = (deployment: Deployment, intent: ProposalIntent): ProposalCall => {
  const registry = deployment.contracts.phaseRegistry
  const killSwitch = deployment.contracts.killSwitch
  const call = (target: Address, calldata: Hex): ProposalCall => ({ target, value: 0n, calldata })
  switch (intent._tag) {
    case "SetPhase":
      return call(
        registry,
        encodeFunctionData({ abi: phaseRegistryAbi, functionName: "setPhase", args: [BigInt(intent.phase)] })
      )
    case "SetPhaseMaxTier":
      return call(
        registry,
        encodeFunctionData({
          abi: phaseRegistryAbi,
          functionName: "setPhaseMaxTier",
          args: [BigInt(intent.phase), intent.tier]
        })
      )
    case "ApproveAction":
      return call(
        registry,
        encodeFunctionData({ abi: phaseRegistryAbi, functionName: "approveAction", args: [intent.action] })
      )
    case "RevokeAction":
      return call(
        registry,
        encodeFunctionData({ abi: phaseRegistryAbi, functionName: "revokeAction", args: [intent.action] })
      )
    case "Resume":
      return call(killSwitch, encodeFunctionData({ abi: killSwitchAbi, functionName: "resume", args: [intent.reason] }))
    case "SetGuardian":
      return call(
        killSwitch,
        encodeFunctionData({ abi: killSwitchAbi, functionName: "setGuardian", args: [intent.guardian] })
      )
  }
}

/** A default description, so that a proposal says what it does. */
export const describeIntent = (intent: ProposalIntent): string => {
  switch (intent._tag) {
    case "SetPhase":
      return `Move the mesh to phase ${intent.phase}`
    case "SetPhaseMaxTier":
      return `Let phase ${intent.phase} run actions up to tier ${intent.tier}`
    case "ApproveAction":
      return `Approve action ${intent.action}`
    case "RevokeAction":
      return `Revoke the approval of action ${intent.action}`
    case "Resume":
      return `Resume the mesh: ${intent.reason}`
    case "SetGuardian":
      return `Make ${intent.guardian} the guardian`
  }
}

export type ProposalStateName =
  | "Pending"
  | "Active"
  | "Canceled"
  | "Defeated"
  | "Succeeded"
  | "Queued"
  | "Expired"
  | "Executed"

const STATE_NAMES: ReadonlyArray<ProposalStateName> = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed"
]

export interface Proposal {
  readonly id: bigint
  readonly calls: ReadonlyArray<ProposalCall>
  readonly description: string
  readonly proposer: Address
}

export interface ProposalStatus extends Proposal {
  readonly state: ProposalStateName
  /** The block whose balances count (votes delegated after it do not). */
  readonly snapshot: number
  readonly deadline: number
  readonly votes: { readonly against: bigint; readonly for: bigint; readonly abstain: bigint }
  /** Votes (for + abstain) needed; undefined until the snapshot block is mined. */
  readonly quorum: bigint | undefined
  /** Unix seconds after which a queued proposal can be executed; 0 before it is queued. */
  readonly eta: number
}

const guard = async <A>(what: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (cause) {
    throw toChainError(what, cause)
  }
}

const confirm = async (clients: ChainClients, what: string, hash: Hex) => {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== "success") throw new ChainError({ message: `${what}: the transaction reverted` })
  return receipt
}

const asArgs = (calls: ReadonlyArray<ProposalCall>) =>
  [calls.map((call) => call.target), calls.map((call) => call.value), calls.map((call) => call.calldata)] as const

export const propose = (
  clients: ChainClients,
  deployment: Deployment,
  account: Account,
  calls: ReadonlyArray<ProposalCall>,
  description: string
): Promise<Proposal> =>
  guard("proposing", async () => {
    const [targets, values, calldatas] = asArgs(calls)
    const wallet = walletClient(clients, account)
    const hash = await wallet.writeContract({
      address: deployment.contracts.governor,
      abi: meshGovernorAbi,
      functionName: "propose",
      args: [[...targets], [...values], [...calldatas], description]
    })
    await confirm(clients, "proposing", hash)
    const id = await clients.publicClient.readContract({
      address: deployment.contracts.governor,
      abi: meshGovernorAbi,
      functionName: "hashProposal",
      args: [[...targets], [...values], [...calldatas], keccak256(toBytes(description))]
    })
    return { id, calls, description, proposer: account.address.toLowerCase() as Address }
  })

/** Proposes that governance approve one exact action (safety's per-action approval). */
export const proposeActionApproval = (
  clients: ChainClients,
  deployment: Deployment,
  account: Account,
  action: ActionHash,
  description?: string
): Promise<Proposal> => {
  const intent: ProposalIntent = { _tag: "ApproveAction", action }
  return propose(clients, deployment, account, [intentCall(deployment, intent)], description ?? describeIntent(intent))
}

/** A proposal as it was made, found in the governor's ProposalCreated events. */
export const findProposal = (clients: ChainClients, deployment: Deployment, id: bigint): Promise<Proposal> =>
  guard(`finding proposal ${id}`, async () => {
    const logs = await clients.publicClient.getContractEvents({
      address: deployment.contracts.governor,
      abi: meshGovernorAbi,
      eventName: "ProposalCreated",
      fromBlock: BigInt(deployment.deployBlock)
    })
    for (const log of logs) {
      const args = log.args
      if (args.proposalId !== id) continue
      const targets = args.targets ?? []
      return {
        id,
        calls: targets.map((target, index) => ({
          target: target.toLowerCase() as Address,
          value: args.values?.[index] ?? 0n,
          calldata: args.calldatas?.[index] ?? "0x"
        })),
        description: args.description ?? "",
        proposer: (args.proposer ?? "0x").toLowerCase() as Address
      }
    }
    throw new ChainError({ message: `no proposal ${id} on this governor` })
  })

export const proposalStatus = async (
  clients: ChainClients,
  deployment: Deployment,
  id: bigint
): Promise<ProposalStatus> => {
  const proposal = await findProposal(clients, deployment, id)
  return guard(`reading proposal ${id}`, async () => {
    const read = <F extends "state" | "proposalSnapshot" | "proposalDeadline" | "proposalVotes" | "proposalEta">(
      functionName: F
    ) =>
      clients.publicClient.readContract({
        address: deployment.contracts.governor,
        abi: meshGovernorAbi,
        functionName,
        args: [id]
      } as never) as Promise<unknown>
    const [state, snapshot, deadline, votes, eta] = (await Promise.all([
      read("state"),
      read("proposalSnapshot"),
      read("proposalDeadline"),
      read("proposalVotes"),
      read("proposalEta")
    ])) as [number, bigint, bigint, readonly [bigint, bigint, bigint], bigint]
    // The quorum is a share of the supply at the snapshot, known only once the snapshot block is past.
    const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 })
    const quorum =
      snapshot < head
        ? await clients.publicClient.readContract({
            address: deployment.contracts.governor,
            abi: meshGovernorAbi,
            functionName: "quorum",
            args: [snapshot]
          })
        : undefined
    return {
      ...proposal,
      state: STATE_NAMES[state] ?? "Pending",
      snapshot: Number(snapshot),
      deadline: Number(deadline),
      votes: { against: votes[0], for: votes[1], abstain: votes[2] },
      quorum,
      eta: Number(eta)
    }
  })
}

export type Support = "against" | "for" | "abstain"
const SUPPORT: Record<Support, number> = { against: 0, for: 1, abstain: 2 }

export const castVote = (
  clients: ChainClients,
  deployment: Deployment,
  account: Account,
  id: bigint,
  support: Support,
  reason = ""
): Promise<void> =>
  guard(`voting on proposal ${id}`, async () => {
    const hash = await walletClient(clients, account).writeContract({
      address: deployment.contracts.governor,
      abi: meshGovernorAbi,
      functionName: "castVoteWithReason",
      args: [id, SUPPORT[support], reason]
    })
    await confirm(clients, "voting", hash)
  })

const lifecycle =
  (functionName: "queue" | "execute") =>
  async (clients: ChainClients, deployment: Deployment, account: Account, id: bigint): Promise<void> => {
    const proposal = await findProposal(clients, deployment, id)
    const { state } = await proposalStatus(clients, deployment, id)
    const ready = functionName === "queue" ? "Succeeded" : "Queued"
    if (state !== ready) {
      throw new ChainError({
        message: `proposal ${id} is ${state}: only a ${ready} proposal can be ${functionName === "queue" ? "queued" : "executed"}`,
        reason: "GovernorUnexpectedProposalState"
      })
    }
    await guard(`${functionName === "queue" ? "queueing" : "executing"} proposal ${id}`, async () => {
      const [targets, values, calldatas] = asArgs(proposal.calls)
      const hash = await walletClient(clients, account).writeContract({
        address: deployment.contracts.governor,
        abi: meshGovernorAbi,
        functionName,
        args: [[...targets], [...values], [...calldatas], keccak256(toBytes(proposal.description))]
      })
      await confirm(clients, functionName, hash)
    })
  }

export const queueProposal = lifecycle("queue")
export const executeProposal = lifecycle("execute")

/** The timelock operation a queued proposal became (GovernorTimelockControl's salt: governor address ^ description). */
export const timelockOperationId = async (
  clients: ChainClients,
  deployment: Deployment,
  proposal: Proposal
): Promise<Hex> => {
  const descriptionHash = BigInt(keccak256(toBytes(proposal.description)))
  const salt = toHex(descriptionHash ^ (BigInt(deployment.contracts.governor) << 96n), { size: 32 })
  const [targets, values, calldatas] = asArgs(proposal.calls)
  return guard("computing the timelock operation", () =>
    clients.publicClient.readContract({
      address: deployment.contracts.timelock,
      abi: meshTimelockAbi,
      functionName: "hashOperationBatch",
      args: [[...targets], [...values], [...calldatas], toHex(0n, { size: 32 }), salt]
    })
  )
}

/** The guardian cancels a queued proposal through the kill switch (which holds the timelock's canceller role). */
export const cancelQueued = async (
  clients: ChainClients,
  deployment: Deployment,
  guardian: Account,
  id: bigint,
  reason: string
): Promise<void> => {
  const proposal = await findProposal(clients, deployment, id)
  const operation = await timelockOperationId(clients, deployment, proposal)
  await guard(`cancelling proposal ${id}`, async () => {
    const hash = await walletClient(clients, guardian).writeContract({
      address: deployment.contracts.killSwitch,
      abi: killSwitchAbi,
      functionName: "cancel",
      args: [operation, reason]
    })
    await confirm(clients, "cancelling", hash)
  })
}

/** KillSwitch.halt from the guardian's account; returns the block it was mined in. */
export const haltOnChain = (
  clients: ChainClients,
  deployment: Deployment,
  guardian: Account,
  reason: string
): Promise<number> =>
  guard("halting on chain", async () => {
    const hash = await walletClient(clients, guardian).writeContract({
      address: deployment.contracts.killSwitch,
      abi: killSwitchAbi,
      functionName: "halt",
      args: [reason]
    })
    return Number((await confirm(clients, "halting", hash)).blockNumber)
  })

/** Votes tokens: moving them (e.g. to show that votes count at the snapshot). */
export const transferVotes = (
  clients: ChainClients,
  deployment: Deployment,
  from: Account,
  to: Address,
  amount: bigint
): Promise<void> =>
  guard("transferring votes", async () => {
    const hash = await walletClient(clients, from).writeContract({
      address: deployment.contracts.token,
      abi: meshVotesAbi,
      functionName: "transfer",
      args: [to, amount]
    })
    await confirm(clients, "transferring", hash)
  })

/** Current voting power of an account (delegated votes). */
export const votesOf = (clients: ChainClients, deployment: Deployment, account: Address): Promise<bigint> =>
  guard("reading votes", () =>
    clients.publicClient.readContract({
      address: deployment.contracts.token,
      abi: meshVotesAbi,
      functionName: "getVotes",
      args: [account]
    })
  )
