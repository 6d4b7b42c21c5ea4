// Escalation against the real local chain (embedded EDR, the governance contracts deployed): a tier-2 action the
// mesh writes in phase 0 is not run but proposed on chain; the vote passes, the timelock executes approveAction for
// exactly that action, the node reads the approval and runs it. Then a vote to phase 2 lets the next one run at once.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import { callControl } from "../../control/client.ts"
import { startControlNode } from "../../control/control-node.ts"
import { InferenceLive } from "../../experts/inference/service.ts"
import { createHaltMessage } from "../../governance/chain/halt-sender.ts"
import { enact, passProposal } from "../../governance/chain/local.ts"
import { intentCall } from "../../governance/chain/proposals.ts"
import { layerMemory } from "../../governance/service.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { type P2PNode, startP2PNode } from "../../runtime/p2p/node.ts"
import { chainProposer } from "../../safety/chain-proposer.ts"
import type { TaskRecord } from "../../safety/records.ts"
import { layerLevel } from "../../store/store.ts"
import { eventually, type LocalChain, startLocalChain } from "../governance/local-chain.ts"
import { startTestExpert } from "../helpers/runtime.ts"

const dataDir = mkdtempSync(join(tmpdir(), "mesh-escalation-"))
// The Governance in this layer is not used: the node follows the chain.
const runtime = ManagedRuntime.make(Layer.mergeAll(InferenceLive, layerMemory(), layerLevel(join(dataDir, "store"))))
let scope: Scope.CloseableScope
let chain: LocalChain
let node: Effect.Effect.Success<ReturnType<typeof startControlNode>>
let operator: P2PNode

beforeAll(async () => {
  chain = await startLocalChain()
  operator = await startP2PNode({ role: "router", identity: await newIdentity(), listen: [] })
  scope = await runtime.runPromise(Scope.make())
  node = await runtime.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const experts = yield* Effect.forEach(["stories260K.gguf", "stories260K-q8_0.gguf"], (name) =>
          startTestExpert({ modelPath: modelPath(name) })
        )
        return yield* startControlNode({
          modelsDir: resolveModelsDir(),
          experts: experts.map((expert) => expert.multiaddrs()[0]!),
          governance: { deployment: chain.deployment, rpcUrl: chain.clients.rpcUrl, pollIntervalMs: 100 },
          listen: ["/ip4/127.0.0.1/tcp/0"],
          operators: [operator.peerId],
          safety: {
            sampling: { temperature: 1, seed: 21 },
            proposer: chainProposer({ clients: chain.clients, deployment: chain.deployment, account: chain.voters[0]! })
          }
        })
      }),
      scope
    )
  )
  expect(await eventually(() => node.router.governance?.state().chainReachable === true, 10_000)).toBe(true)
}, 120_000)

afterAll(async () => {
  await operator?.stop()
  await runtime.runPromise(Scope.close(scope, Exit.void)).catch(() => undefined)
  await runtime.dispose()
  await chain?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const submit = (text: string) =>
  runtime.runPromise(node.safety.runTask({ source: "operator", text, types: ["ban_peer"] }))

test("a tier-2 ban is refused in phase 0, proposed on chain, and runs after the vote approves exactly it", async () => {
  const task = await submit("Ban the slowest expert.")
  expect(task).toMatchObject({ tier: 2, decision: "proposed", governance: { phase: 0, maxTier: 0 } })
  expect(task.reason).toContain("above phase 0's limit of tier 0")
  const peer = (task.action as { peer: string }).peer
  expect(node.router.bans.isBanned(peer)).toBe(false)
  const proposalId = (task.result as { proposal: string }).proposal
  expect(proposalId).toMatch(/^\d+$/)

  await passProposal(chain.clients, chain.deployment, BigInt(proposalId), chain.voters)
  let ran: TaskRecord | undefined
  const found = await eventually(async () => {
    const tasks = await runtime.runPromise(node.safety.tasks(50))
    ran = tasks.find((record) => record.source === "governance" && record.actionHash === task.actionHash)
    return ran !== undefined
  }, 15_000)
  expect(found).toBe(true)
  expect(ran).toMatchObject({ decision: "ran", actionHash: task.actionHash, governance: { phase: 0 } })
  expect(node.router.bans.isBanned(peer)).toBe(true)
  expect(node.router.governance!.state().approvedActions.has(task.actionHash as `0x${string}`)).toBe(true)
}, 120_000)

test("after a vote to phase 2, a tier-2 action runs at once", async () => {
  await enact(
    chain.clients,
    chain.deployment,
    chain.voters,
    [intentCall(chain.deployment, { _tag: "SetPhase", phase: 2 })],
    "phase 2: act on peers and limits"
  )
  expect(await eventually(() => node.router.governance!.state().maxTier === 2, 10_000)).toBe(true)
  const task = await submit("Ban an expert.")
  expect(task).toMatchObject({ tier: 2, decision: "ran", governance: { phase: 2, maxTier: 2 } })
  expect(node.router.bans.isBanned((task.action as { peer: string }).peer)).toBe(true)
}, 120_000)

test("HaltMesh over the control protocol forwards a guardian-signed halt: checked, obeyed, and nothing starts", async () => {
  const address = node.router.node.multiaddrs()[0]!
  const forged = await createHaltMessage(
    chain.clients,
    chain.deployment,
    chain.voters[1]!,
    "not the guardian",
    Date.now()
  )
  const refused = await callControl(operator.dial, address, {
    _tag: "HaltMesh",
    reason: "",
    guardianHalt: forged.bytes
  }).catch((error) => error as { code: string; message: string })
  expect(refused).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("refused") })
  expect(node.router.governance!.state().halted).toBe(false)

  const signed = await createHaltMessage(chain.clients, chain.deployment, chain.guardian, "guardian drill", Date.now())
  const answer = await callControl(operator.dial, address, { _tag: "HaltMesh", reason: "", guardianHalt: signed.bytes })
  expect(answer).toEqual({ _tag: "Halted", reason: "guardian drill" })
  expect(node.router.governance!.state().halted).toBe(true)
  const after = await runtime.runPromise(
    Effect.either(node.safety.runTask({ source: "operator", text: "Report.", types: ["report_status"] }))
  )
  expect(after._tag === "Left" && after.left._tag).toBe("HaltedError")
}, 60_000)
