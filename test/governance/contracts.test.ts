// The governance contracts on a real local chain (hardhat EDR): a phase change voted through every step, votes
// counted at the snapshot, the guardian's cancel, halts refused from anyone else, resume only by an executed vote.
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { devAccount } from "../../governance/chain/client.ts"
import { VOTES_PER_VOTER } from "../../governance/chain/deploy.ts"
import { ChainError } from "../../governance/chain/errors.ts"
import { createHaltMessage } from "../../governance/chain/halt-sender.ts"
import { advanceTime, enact, mineBlocks, passProposal } from "../../governance/chain/local.ts"
import {
  cancelQueued,
  castVote,
  executeProposal,
  haltOnChain,
  intentCall,
  proposalStatus,
  propose,
  proposeActionApproval,
  queueProposal,
  transferVotes,
  votesOf
} from "../../governance/chain/proposals.ts"
import { readSnapshot } from "../../governance/chain/read.ts"
import type { Address } from "../../governance/deployment.ts"
import { type NodeGovernance, startGovernance } from "../../governance/live.ts"
import { type ActionHash, allows } from "../../governance/state.ts"
import { type LocalChain, startLocalChain } from "./local-chain.ts"

let chain: LocalChain
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  chain = await startLocalChain()
})
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await chain?.close()
})

/** A governance view of the test chain, polled only when asked (refresh). */
const governanceView = (rpcUrl?: string): Promise<NodeGovernance> =>
  Effect.runPromise(
    Scope.extend(
      startGovernance({
        deployment: chain.deployment,
        pollIntervalMs: 60_000,
        ...(rpcUrl === undefined ? {} : { rpcUrl })
      }),
      scope
    )
  )

const failure = async (promise: Promise<unknown>): Promise<ChainError> => {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(outcome).toBeInstanceOf(ChainError)
  return outcome as ChainError
}

describe("governance contracts", () => {
  test("a phase change passes through propose, vote, queue and execute, and nodes read the new tier", async () => {
    const { clients, deployment, voters } = chain
    const before = await readSnapshot(clients, deployment)
    expect(before).toMatchObject({ phase: 0, maxTier: 0, halted: false, haltCount: 0 })

    const proposal = await propose(
      clients,
      deployment,
      voters[1]!,
      [intentCall(deployment, { _tag: "SetPhase", phase: 2 })],
      "Move the mesh to phase 2 (test)"
    )
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Pending")
    await mineBlocks(clients, deployment, deployment.settings.votingDelayBlocks + 1)
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Active")
    await castVote(clients, deployment, voters[1]!, proposal.id, "for")
    await castVote(clients, deployment, voters[2]!, proposal.id, "for")
    await castVote(clients, deployment, voters[3]!, proposal.id, "against")
    // Queueing before the vote closes is refused.
    await failure(queueProposal(clients, deployment, voters[1]!, proposal.id))
    await mineBlocks(clients, deployment, deployment.settings.votingPeriodBlocks)
    const voted = await proposalStatus(clients, deployment, proposal.id)
    expect(voted.state).toBe("Succeeded")
    expect(voted.votes).toEqual({ for: 2n * VOTES_PER_VOTER, against: VOTES_PER_VOTER, abstain: 0n })

    await queueProposal(clients, deployment, voters[1]!, proposal.id)
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Queued")
    // The timelock's delay has not passed.
    await failure(executeProposal(clients, deployment, voters[1]!, proposal.id))
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Queued")
    await advanceTime(clients, deployment, deployment.settings.timelockDelaySeconds + 1)
    await executeProposal(clients, deployment, voters[1]!, proposal.id)
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Executed")
    expect(await readSnapshot(clients, deployment)).toMatchObject({ phase: 2, maxTier: 2 })

    const view = await governanceView()
    expect(view.state()).toMatchObject({ phase: 2, maxTier: 2, chainReachable: true, halted: false })
    expect(allows(view.state(), 2)).toBe(true)
    expect(allows(view.state(), 3)).toBe(false)
  })

  test("votes count at the snapshot: tokens moved after it neither add nor remove votes", async () => {
    const { clients, deployment, voters } = chain
    const proposal = await propose(
      clients,
      deployment,
      voters[1]!,
      [intentCall(deployment, { _tag: "SetPhaseMaxTier", phase: 7, tier: 1 })],
      "Let phase 7 run tier 1 (snapshot test)"
    )
    await mineBlocks(clients, deployment, deployment.settings.votingDelayBlocks + 1)
    // After the snapshot, voter 2 hands all its tokens to voter 1, and a fresh account gets some of voter 4's.
    await transferVotes(clients, deployment, voters[2]!, voters[1]!.address as Address, VOTES_PER_VOTER)
    const newcomer = devAccount(7)
    await transferVotes(clients, deployment, voters[4]!, newcomer.address as Address, VOTES_PER_VOTER / 2n)
    expect(await votesOf(clients, deployment, voters[1]!.address as Address)).toBe(2n * VOTES_PER_VOTER)
    expect(await votesOf(clients, deployment, voters[2]!.address as Address)).toBe(0n)

    await castVote(clients, deployment, voters[1]!, proposal.id, "for")
    await castVote(clients, deployment, voters[2]!, proposal.id, "against")
    await castVote(clients, deployment, newcomer, proposal.id, "for")
    const status = await proposalStatus(clients, deployment, proposal.id)
    // Voter 1 counts 100 (not 200), voter 2 still 100 (it held them at the snapshot), the newcomer 0.
    expect(status.votes).toEqual({ for: VOTES_PER_VOTER, against: VOTES_PER_VOTER, abstain: 0n })
    // Give the tokens back so the other tests see five equal voters.
    await transferVotes(clients, deployment, voters[1]!, voters[2]!.address as Address, VOTES_PER_VOTER)
    await transferVotes(clients, deployment, newcomer, voters[4]!.address as Address, VOTES_PER_VOTER / 2n)
  })

  test("the guardian cancels a queued proposal; no one else can", async () => {
    const { clients, deployment, voters, guardian } = chain
    const proposal = await propose(
      clients,
      deployment,
      voters[2]!,
      [intentCall(deployment, { _tag: "SetPhase", phase: 3 })],
      "Move the mesh to phase 3 (to be cancelled)"
    )
    await mineBlocks(clients, deployment, deployment.settings.votingDelayBlocks + 1)
    for (const voter of voters.slice(1)) await castVote(clients, deployment, voter, proposal.id, "for")
    await mineBlocks(clients, deployment, deployment.settings.votingPeriodBlocks)
    await queueProposal(clients, deployment, voters[2]!, proposal.id)
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Queued")

    const stranger = await failure(cancelQueued(clients, deployment, voters[3]!, proposal.id, "not mine to cancel"))
    expect(stranger.reason).toBe("NotGuardian")
    await cancelQueued(clients, deployment, guardian, proposal.id, "tier 3 is too early")
    expect((await proposalStatus(clients, deployment, proposal.id)).state).toBe("Canceled")
    await advanceTime(clients, deployment, deployment.settings.timelockDelaySeconds + 1)
    await failure(executeProposal(clients, deployment, voters[2]!, proposal.id))
    expect((await readSnapshot(clients, deployment)).phase).toBe(2)
  })

  test("an executed proposal approves one exact action, which then runs above the phase's tier", async () => {
    const { clients, deployment, voters } = chain
    const action = `0x${"ab".repeat(32)}` as ActionHash
    const view = await governanceView()
    expect(allows(view.state(), 3, action)).toBe(false)
    const proposal = await proposeActionApproval(clients, deployment, voters[1]!, action)
    await passProposal(clients, deployment, proposal.id, voters.slice(1, 3))
    await Effect.runPromise(view.refresh)
    expect(view.state().approvedActions.has(action)).toBe(true)
    expect(allows(view.state(), 3, action)).toBe(true)
    expect(allows(view.state(), 3, `0x${"cd".repeat(32)}`)).toBe(false)
  })

  test("halts: only the guardian; a non-guardian's or replayed message is refused; only a vote resumes", async () => {
    const { clients, deployment, voters, guardian } = chain
    const outsider = await failure(haltOnChain(clients, deployment, voters[3]!, "I am not the guardian"))
    expect(outsider.reason).toBe("NotGuardian")

    const view = await governanceView()
    const forged = await createHaltMessage(clients, deployment, voters[3]!, "forged halt", Date.now())
    expect(await view.publishHalt(forged.bytes)).toMatchObject({ ok: false })
    expect(view.haltRejections()["not-guardian"]).toBe(1)
    expect(view.state().halted).toBe(false)

    const message = await createHaltMessage(clients, deployment, guardian, "bad outputs seen", Date.now())
    expect(await view.publishHalt(message.bytes)).toMatchObject({ ok: true })
    expect(view.state()).toMatchObject({ halted: true, haltReason: "bad outputs seen" })
    await haltOnChain(clients, deployment, guardian, "bad outputs seen")
    await Effect.runPromise(view.refresh)
    expect(view.state().halted).toBe(true)

    // The guardian cannot resume on its own; the kill switch answers only to the timelock.
    const { killSwitchAbi } = await import("../../contracts/artifacts/KillSwitch.ts")
    const { walletClient } = await import("../../governance/chain/client.ts")
    const direct = await walletClient(clients, guardian)
      .writeContract({
        address: deployment.contracts.killSwitch,
        abi: killSwitchAbi,
        functionName: "resume",
        args: ["x"]
      })
      .then(
        () => "sent",
        (error: Error) => error.message
      )
    expect(direct).toMatch(/NotTimelock/)

    await enact(
      clients,
      deployment,
      voters.slice(1),
      [intentCall(deployment, { _tag: "Resume", reason: "fixed" })],
      "Resume"
    )
    await Effect.runPromise(view.refresh)
    expect(view.state()).toMatchObject({ halted: false, haltReason: undefined })

    // The same signed message again, to this node and to a node that never saw it: a replay, refused.
    expect(await view.publishHalt(message.bytes)).toMatchObject({ ok: false })
    const fresh = await governanceView()
    expect(await fresh.publishHalt(message.bytes)).toMatchObject({ ok: false })
    expect(fresh.haltRejections().replayed).toBe(1)
    expect(fresh.state().halted).toBe(false)
  })

  test("a node whose chain cannot be reached fails closed above tier 0; plain answering stays allowed", async () => {
    const view = await governanceView("http://127.0.0.1:1")
    expect(view.state()).toMatchObject({ chainReachable: false, maxTier: 0, halted: false })
    expect(view.state().approvedActions.size).toBe(0)
    expect(allows(view.state(), 0)).toBe(true)
    expect(allows(view.state(), 1)).toBe(false)
    expect(view.lastChainError()).toMatch(/cannot reach/)
  })
})
