// Deploys the governance contracts and wires them together: the governor proposes to the timelock, anyone executes
// after the delay, the kill switch may cancel; the timelock owns the token, the phase registry and the kill switch's
// resume; the deployer gives up every role at the end.
import type { Abi, Account, Hex } from "viem"
import { killSwitchAbi, killSwitchBytecode } from "../../contracts/artifacts/KillSwitch.ts"
import { meshGovernorAbi, meshGovernorBytecode } from "../../contracts/artifacts/MeshGovernor.ts"
import { meshTimelockAbi, meshTimelockBytecode } from "../../contracts/artifacts/MeshTimelock.ts"
import { meshVotesAbi, meshVotesBytecode } from "../../contracts/artifacts/MeshVotes.ts"
import { phaseRegistryAbi, phaseRegistryBytecode } from "../../contracts/artifacts/PhaseRegistry.ts"
import type { Address, Deployment, GovernanceSettings } from "../deployment.ts"
import { type ChainClients, toChainError, walletClient } from "./client.ts"
import { ChainError } from "./errors.ts"

/**
 * Small values for the embedded chain: a vote opens the block after the next and lasts 20 blocks (every transaction
 * mines one, so 20 leaves room for the five demo voters), the timelock waits 60 s.
 */
export const LOCAL_SETTINGS: GovernanceSettings = {
  votingDelayBlocks: 1,
  votingPeriodBlocks: 20,
  quorumPercent: 4,
  timelockDelaySeconds: 60
}

/** Phase i allows tiers up to i: phase 0 answers only, phase 3 may change governance itself. */
export const DEFAULT_PHASE_TIERS: ReadonlyArray<number> = [0, 1, 2, 3]

/** Votes each voter receives: 100 tokens (18 decimals). */
export const VOTES_PER_VOTER = 100n * 10n ** 18n

export interface DeployOptions {
  readonly deployer: Account
  readonly guardian: Address
  readonly settings: GovernanceSettings
  /** Accounts that receive VOTES_PER_VOTER each and delegate to themselves (they must be able to sign here). */
  readonly voters: ReadonlyArray<Account>
  readonly phaseTiers?: ReadonlyArray<number>
  readonly local: boolean
}

export const deployGovernance = async (clients: ChainClients, options: DeployOptions): Promise<Deployment> => {
  const { publicClient } = clients
  const deployer = walletClient(clients, options.deployer)
  const confirm = async (what: string, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== "success") throw new ChainError({ message: `${what}: the transaction reverted` })
    return receipt
  }
  const deploy = async (name: string, abi: Abi, bytecode: Hex, args: ReadonlyArray<unknown>) => {
    try {
      const hash = await deployer.deployContract({ abi, bytecode, args: [...args] })
      const receipt = await confirm(`deploying ${name}`, hash)
      if (receipt.contractAddress == null) throw new ChainError({ message: `deploying ${name}: no contract address` })
      return { address: receipt.contractAddress as Address, block: Number(receipt.blockNumber) }
    } catch (cause) {
      throw toChainError(`deploying ${name}`, cause)
    }
  }
  const send = async (what: string, write: () => Promise<Hex>) => {
    try {
      await confirm(what, await write())
    } catch (cause) {
      throw toChainError(what, cause)
    }
  }
  const { settings } = options
  const deployerAddress = options.deployer.address as Address
  const token = await deploy("MeshVotes", meshVotesAbi, meshVotesBytecode, [deployerAddress])
  const timelock = await deploy("MeshTimelock", meshTimelockAbi, meshTimelockBytecode, [
    BigInt(settings.timelockDelaySeconds),
    [],
    ["0x0000000000000000000000000000000000000000"],
    deployerAddress
  ])
  const governor = await deploy("MeshGovernor", meshGovernorAbi, meshGovernorBytecode, [
    token.address,
    timelock.address,
    settings.votingDelayBlocks,
    settings.votingPeriodBlocks,
    BigInt(settings.quorumPercent)
  ])
  const phaseRegistry = await deploy("PhaseRegistry", phaseRegistryAbi, phaseRegistryBytecode, [
    timelock.address,
    [...(options.phaseTiers ?? DEFAULT_PHASE_TIERS)]
  ])
  const killSwitch = await deploy("KillSwitch", killSwitchAbi, killSwitchBytecode, [timelock.address, options.guardian])

  const role = (name: "PROPOSER_ROLE" | "CANCELLER_ROLE" | "DEFAULT_ADMIN_ROLE") =>
    publicClient.readContract({ address: timelock.address, abi: meshTimelockAbi, functionName: name })
  const [proposer, canceller, admin] = await Promise.all([
    role("PROPOSER_ROLE"),
    role("CANCELLER_ROLE"),
    role("DEFAULT_ADMIN_ROLE")
  ])
  const grant = (what: string, roleId: Hex, account: Address) =>
    send(what, () =>
      deployer.writeContract({
        address: timelock.address,
        abi: meshTimelockAbi,
        functionName: "grantRole",
        args: [roleId, account]
      })
    )
  await grant("letting the governor propose", proposer, governor.address)
  await grant("letting the governor cancel", canceller, governor.address)
  await grant("letting the kill switch cancel", canceller, killSwitch.address)

  for (const voter of options.voters) {
    await send(`minting votes for ${voter.address}`, () =>
      deployer.writeContract({
        address: token.address,
        abi: meshVotesAbi,
        functionName: "mint",
        args: [voter.address, VOTES_PER_VOTER]
      })
    )
    await send(`delegating ${voter.address}'s votes`, () =>
      walletClient(clients, voter).writeContract({
        address: token.address,
        abi: meshVotesAbi,
        functionName: "delegate",
        args: [voter.address]
      })
    )
  }
  await send("handing the token to the timelock", () =>
    deployer.writeContract({
      address: token.address,
      abi: meshVotesAbi,
      functionName: "transferOwnership",
      args: [timelock.address]
    })
  )
  await send("renouncing the deployer's timelock admin role", () =>
    deployer.writeContract({
      address: timelock.address,
      abi: meshTimelockAbi,
      functionName: "renounceRole",
      args: [admin, deployerAddress]
    })
  )
  return {
    chainId: clients.chain.id,
    rpcUrl: clients.rpcUrl,
    deployBlock: token.block,
    guardian: options.guardian.toLowerCase() as Address,
    contracts: {
      token: token.address,
      timelock: timelock.address,
      governor: governor.address,
      phaseRegistry: phaseRegistry.address,
      killSwitch: killSwitch.address
    },
    settings,
    local: options.local
  }
}
