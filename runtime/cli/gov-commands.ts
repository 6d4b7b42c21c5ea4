// mesh gov status | propose | vote | queue | execute | cancel | halt | advance | pass: governance through viem.
import { Effect } from "effect"
import { devAccount } from "../../governance/chain/client.ts"
import { createHaltMessage } from "../../governance/chain/halt-sender.ts"
import { advanceTime, mineBlocks, passProposal } from "../../governance/chain/local.ts"
import {
  cancelQueued,
  castVote,
  describeIntent,
  executeProposal,
  haltOnChain,
  intentCall,
  type ProposalIntent,
  proposalStatus,
  propose,
  queueProposal,
  type Support
} from "../../governance/chain/proposals.ts"
import { readSnapshot } from "../../governance/chain/read.ts"
import type { Address } from "../../governance/deployment.ts"
import { HALT_TOPIC, MAX_HALT_REASON_CHARS } from "../../governance/halt-message.ts"
import type { ActionHash, Tier } from "../../governance/state.ts"
import { booleanFlag, integerFlag, type ParsedFlags, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { govContext, govFlags, govFlagsHelp, proposalIdArgument } from "./gov-context.ts"
import { UsageError } from "./usage-error.ts"

type Options = Parameters<typeof parseFlags>[2]

/** Parses, then runs `body` with the chain context; failures print as one line. */
const govCommand =
  (name: string, options: Options, positionals: boolean, body: (flags: ParsedFlags) => Promise<void>) =>
  (args: ReadonlyArray<string>) =>
    Effect.flatMap(
      Effect.try({
        try: () => parseFlags(`gov ${name}`, args, { ...govFlags, ...options }, positionals),
        catch: (error) => error as UsageError
      }),
      (flags) => Effect.tryPromise({ try: () => body(flags), catch: (cause) => cause })
    )

const print = (flags: ParsedFlags, json: unknown, text: string) =>
  process.stdout.write(
    booleanFlag(flags, "json")
      ? `${JSON.stringify(json, (_key, value) => (typeof value === "bigint" ? value.toString() : value))}\n`
      : `${text}\n`
  )

const votes = (amount: bigint) => `${(amount / 10n ** 18n).toString()}`

export const govStatusHelp = `mesh gov status [--proposal ID] [options]

The phase, the highest tier it allows, the kill switch, and (with --proposal) one proposal's state and votes.
${govFlagsHelp}
`
export const govStatus = govCommand("status", { proposal: { type: "string" } }, false, async (flags) => {
  const context = await govContext("gov status", flags)
  const snapshot = await readSnapshot(context.clients, context.deployment)
  const id = stringFlag(flags, "proposal")
  const proposal = id === undefined ? undefined : await proposalStatus(context.clients, context.deployment, BigInt(id))
  const lines = [
    `chain ${context.deployment.chainId} block ${snapshot.block}: phase ${snapshot.phase}, tiers up to ${snapshot.maxTier} allowed`,
    snapshot.halted
      ? `HALTED (halt ${snapshot.haltCount}): ${snapshot.haltReason}`
      : `running (${snapshot.haltCount} halts so far)`,
    `guardian ${snapshot.guardian}`
  ]
  if (proposal !== undefined) {
    lines.push(
      `proposal ${proposal.id}: ${proposal.state} - "${proposal.description}"`,
      `  votes for ${votes(proposal.votes.for)}, against ${votes(proposal.votes.against)}, abstain ${votes(proposal.votes.abstain)}; quorum ${proposal.quorum === undefined ? "(at the snapshot)" : votes(proposal.quorum)}`,
      `  snapshot block ${proposal.snapshot}, deadline block ${proposal.deadline}${proposal.eta > 0 ? `, executable after ${new Date(proposal.eta * 1000).toISOString()}` : ""}`
    )
  }
  print(flags, { ...snapshot, proposal }, lines.join("\n"))
})

export const govProposeHelp = `mesh gov propose WHAT [--description TEXT] [options]

Proposes one change; prints the proposal id. WHAT is one of:
  --phase N               move the mesh to phase N
  --phase-tier P:T        let phase P run actions up to tier T (0..3)
  --approve-action HASH   approve one exact action (a 0x 32-byte hash) whatever its tier
  --revoke-action HASH    withdraw such an approval
  --resume REASON         resume a halted mesh
  --guardian ADDRESS      make ADDRESS the kill switch's guardian
${govFlagsHelp}
`
const hashOf = (text: string): ActionHash => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new UsageError({ message: `gov propose: ${text} is not a 32-byte hash` })
  return text.toLowerCase() as ActionHash
}

const intentOf = (flags: ParsedFlags): ProposalIntent => {
  const intents: ProposalIntent[] = []
  const phase = integerFlag("gov propose", flags, "phase", { min: 0 })
  if (phase !== undefined) intents.push({ _tag: "SetPhase", phase })
  const phaseTier = stringFlag(flags, "phase-tier")
  if (phaseTier !== undefined) {
    const match = /^(\d+):([0-3])$/.exec(phaseTier)
    if (match === null) throw new UsageError({ message: "gov propose: --phase-tier takes PHASE:TIER, TIER 0..3" })
    intents.push({ _tag: "SetPhaseMaxTier", phase: Number(match[1]), tier: Number(match[2]) as Tier })
  }
  const approve = stringFlag(flags, "approve-action")
  if (approve !== undefined) intents.push({ _tag: "ApproveAction", action: hashOf(approve) })
  const revoke = stringFlag(flags, "revoke-action")
  if (revoke !== undefined) intents.push({ _tag: "RevokeAction", action: hashOf(revoke) })
  const resume = stringFlag(flags, "resume")
  if (resume !== undefined) intents.push({ _tag: "Resume", reason: resume })
  const guardian = stringFlag(flags, "guardian")
  if (guardian !== undefined) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(guardian))
      throw new UsageError({ message: "gov propose: --guardian takes an address" })
    intents.push({ _tag: "SetGuardian", guardian: guardian.toLowerCase() as Address })
  }
  if (intents.length !== 1) {
    throw new UsageError({
      message:
        "gov propose: give exactly one of --phase, --phase-tier, --approve-action, --revoke-action, --resume, --guardian"
    })
  }
  return intents[0]!
}

export const govPropose = govCommand(
  "propose",
  {
    phase: { type: "string" },
    "phase-tier": { type: "string" },
    "approve-action": { type: "string" },
    "revoke-action": { type: "string" },
    resume: { type: "string" },
    guardian: { type: "string" },
    description: { type: "string" }
  },
  false,
  async (flags) => {
    const intent = intentOf(flags)
    const context = await govContext("gov propose", flags)
    const description = stringFlag(flags, "description") ?? describeIntent(intent)
    const proposal = await propose(
      context.clients,
      context.deployment,
      context.account,
      [intentCall(context.deployment, intent)],
      description
    )
    print(flags, { id: proposal.id, description }, `proposal ${proposal.id}\n  "${description}"`)
  }
)

export const govVoteHelp = `mesh gov vote ID [--support for|against|abstain] [--reason TEXT] [options]

Votes on an active proposal with the account's delegated votes at the proposal's snapshot (default: for).
${govFlagsHelp}
`
export const govVote = govCommand(
  "vote",
  { support: { type: "string" }, reason: { type: "string" } },
  true,
  async (flags) => {
    const id = proposalIdArgument("gov vote", flags)
    const support = stringFlag(flags, "support") ?? "for"
    if (support !== "for" && support !== "against" && support !== "abstain") {
      throw new UsageError({ message: "gov vote: --support is for, against or abstain" })
    }
    const context = await govContext("gov vote", flags)
    await castVote(
      context.clients,
      context.deployment,
      context.account,
      id,
      support as Support,
      stringFlag(flags, "reason") ?? ""
    )
    const status = await proposalStatus(context.clients, context.deployment, id)
    print(
      flags,
      status.votes,
      `voted ${support} as ${context.account.address}: for ${votes(status.votes.for)}, against ${votes(status.votes.against)}, abstain ${votes(status.votes.abstain)}`
    )
  }
)

const lifecycleCommand = (name: "queue" | "execute") => {
  const run = name === "queue" ? queueProposal : executeProposal
  return govCommand(name, {}, true, async (flags) => {
    const id = proposalIdArgument(`gov ${name}`, flags)
    const context = await govContext(`gov ${name}`, flags)
    await run(context.clients, context.deployment, context.account, id)
    const status = await proposalStatus(context.clients, context.deployment, id)
    print(flags, { id, state: status.state }, `proposal ${id}: ${status.state}`)
  })
}

export const govQueueHelp = `mesh gov queue ID [options]

Queues a proposal that passed its vote in the timelock.
${govFlagsHelp}
`
export const govQueue = lifecycleCommand("queue")
export const govExecuteHelp = `mesh gov execute ID [options]

Executes a queued proposal once the timelock's delay has passed.
${govFlagsHelp}
`
export const govExecute = lifecycleCommand("execute")

export const govCancelHelp = `mesh gov cancel ID --reason TEXT [options]

The guardian cancels a queued proposal before the timelock runs it.
${govFlagsHelp}
`
export const govCancel = govCommand("cancel", { reason: { type: "string" } }, true, async (flags) => {
  const id = proposalIdArgument("gov cancel", flags)
  const reason = stringFlag(flags, "reason")
  if (reason === undefined) throw new UsageError({ message: "gov cancel: --reason TEXT is required" })
  const context = await govContext("gov cancel", flags)
  await cancelQueued(context.clients, context.deployment, context.account, id, reason)
  print(flags, { id, state: "Canceled" }, `proposal ${id}: Canceled (${reason})`)
})

export const govHaltHelp = `mesh gov halt --reason TEXT [--bootstrap ADDR] [options]

The guardian halts the mesh: with --bootstrap it first publishes a signed halt message on gossip (nodes stop within
milliseconds), then it sends KillSwitch.halt (nodes that missed the gossip stop at their next chain read). Only an
executed proposal (mesh gov propose --resume) resumes.
  --bootstrap ADDR      a bootstrap peer to publish the message through; repeatable
${govFlagsHelp}
`
export const govHalt = govCommand(
  "halt",
  { reason: { type: "string" }, bootstrap: { type: "string", multiple: true } },
  false,
  async (flags) => {
    const reason = stringFlag(flags, "reason")
    if (reason === undefined || reason.length === 0)
      throw new UsageError({ message: "gov halt: --reason TEXT is required" })
    if ([...reason].length > MAX_HALT_REASON_CHARS) {
      throw new UsageError({ message: `gov halt: the reason is at most ${MAX_HALT_REASON_CHARS} characters` })
    }
    const context = await govContext("gov halt", flags)
    const bootstrap = stringsFlag(flags, "bootstrap")
      .flatMap((entry) => entry.split(","))
      .filter((entry) => entry.length > 0)
    const lines: string[] = []
    let published = 0
    if (bootstrap.length > 0) {
      const message = await createHaltMessage(context.clients, context.deployment, context.account, reason, Date.now())
      const { newIdentity } = await import("../p2p/identity.ts")
      const { startP2PNode } = await import("../p2p/node.ts")
      const node = await startP2PNode({ role: "router", identity: await newIdentity(), listen: [], bootstrap })
      try {
        for (let waited = 0; node.topicPeers(HALT_TOPIC) === 0 && waited < 10_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        published = node.topicPeers(HALT_TOPIC)
        if (published === 0) lines.push("no peer of the halt topic answered within 10 s: the message was not sent")
        else {
          await node.publish(HALT_TOPIC, message.bytes)
          lines.push(`halt ${message.haltNumber} published on gossip to ${published} peers`)
          // Give gossipsub a moment to hand the message on before this node leaves.
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
      } finally {
        await node.stop()
      }
    }
    const block = await haltOnChain(context.clients, context.deployment, context.account, reason)
    lines.push(`KillSwitch.halt mined in block ${block}: "${reason}"`)
    print(flags, { reason, block, gossipPeers: published }, lines.join("\n"))
  }
)

export const govAdvanceHelp = `mesh gov advance [--blocks N] [--seconds S] [options]

Embedded chain only: mines N blocks and/or moves time S seconds forward (to open and close votes, and to pass the
timelock's delay without waiting).
${govFlagsHelp}
`
export const govAdvance = govCommand(
  "advance",
  { blocks: { type: "string" }, seconds: { type: "string" } },
  false,
  async (flags) => {
    const blocks = integerFlag("gov advance", flags, "blocks", { min: 1, max: 1_000_000 })
    const seconds = integerFlag("gov advance", flags, "seconds", { min: 1, max: 10 * 365 * 24 * 3600 })
    if (blocks === undefined && seconds === undefined)
      throw new UsageError({ message: "gov advance: give --blocks and/or --seconds" })
    const context = await govContext("gov advance", flags)
    if (blocks !== undefined) await mineBlocks(context.clients, context.deployment, blocks)
    if (seconds !== undefined) await advanceTime(context.clients, context.deployment, seconds)
    const head = await context.clients.publicClient.getBlockNumber({ cacheTime: 0 })
    print(flags, { block: Number(head) }, `block ${head}`)
  }
)

export const govPassHelp = `mesh gov pass ID [--voters N] [options]

Embedded chain only: drives a proposal through its vote (dev accounts 0..N-1 vote for; default 5), queue and execute,
mining blocks and moving time as needed.
${govFlagsHelp}
`
export const govPass = govCommand("pass", { voters: { type: "string" } }, true, async (flags) => {
  const id = proposalIdArgument("gov pass", flags)
  const count = integerFlag("gov pass", flags, "voters", { min: 1, max: 20 }) ?? 5
  const context = await govContext("gov pass", flags)
  const voters = Array.from({ length: count }, (_, index) => devAccount(index))
  await passProposal(context.clients, context.deployment, id, voters)
  const status = await proposalStatus(context.clients, context.deployment, id)
  print(flags, { id, state: status.state }, `proposal ${id}: ${status.state}`)
})
