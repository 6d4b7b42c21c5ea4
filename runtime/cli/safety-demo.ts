// The demo's self-prompt part: a control node writes its own next tasks through the experts under the catalog's
// grammar, in phase 0 (fail closed: tier 0 only); tier-0 actions run, the rest become proposals; an operator's
// tier-2 task (ban a peer) is refused and proposed. Every task is recorded in a level store, removed at the end.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { startControlNode } from "../../control/control-node.ts"
import { taskResult } from "../../control/service.ts"
import type { Account, ChainClients } from "../../governance/chain/client.ts"
import { passProposal } from "../../governance/chain/local.ts"
import type { Deployment } from "../../governance/deployment.ts"
import type { GovernanceConfig } from "../../governance/live.ts"
import { layerMemory } from "../../governance/service.ts"
import { chainProposer } from "../../safety/chain-proposer.ts"
import type { Proposer } from "../../safety/controller.ts"
import { layerLevel } from "../../store/store.ts"
import { formatTaskLine } from "./task-output.ts"

export interface SafetyDemoOptions {
  readonly modelsDir: string
  readonly bootstrapAddress: string
  readonly experts: number
  readonly seed: number
  readonly out: (line: string) => void
}

/**
 * A control node for the demo, joined to the swarm, with its task store in a temporary folder removed with the scope.
 * Without `governance` it runs in phase 0 (the memory layer); with it, it follows the chain.
 */
const startDemoControlNode = (
  options: SafetyDemoOptions,
  chain?: { readonly governance: GovernanceConfig; readonly proposer: Proposer }
) =>
  Effect.gen(function* () {
    const dataDir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "mesh-demo-tasks-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const services = yield* Layer.build(Layer.merge(layerMemory(), layerLevel(join(dataDir, "tasks"))))
    const node = yield* Effect.provide(
      startControlNode({
        modelsDir: options.modelsDir,
        bootstrap: [options.bootstrapAddress],
        operators: [],
        ...(chain === undefined ? {} : { governance: chain.governance }),
        safety: {
          intervalMs: 0,
          sampling: { temperature: 1, seed: options.seed },
          ...(chain === undefined ? {} : { proposer: chain.proposer })
        }
      }),
      services
    )
    yield* Effect.promise(() => node.router.waitForExperts(options.experts, 20_000))
    return node
  })

export const safetyDemo = (options: SafetyDemoOptions) =>
  Effect.gen(function* () {
    const { out } = options
    const node = yield* startDemoControlNode(options)
    out("\nself-prompt: the mesh writes its next tasks (grammar-constrained to the action catalog), phase 0")
    const started = performance.now()
    yield* node.safety.startLoops(1, 3)
    yield* node.safety.awaitLoops
    const cycles = yield* node.safety.tasks(3)
    for (const task of [...cycles].reverse()) out(`  ${formatTaskLine(taskResult(task))}`)
    const figures = cycles.map((task) => task.figures)
    const steps = figures.reduce((sum, figure) => sum + figure.steps, 0)
    const maskMs = figures.reduce((sum, figure) => sum + figure.maskMsTotal, 0)
    out(
      `  ${cycles.length} cycles in ${(performance.now() - started).toFixed(0)} ms; ${steps} expert round trips; ` +
        `token masks ${maskMs.toFixed(2)} ms in all`
    )
    const operator = yield* node.safety.runTask({
      source: "operator",
      text: "Ban the slowest expert.",
      types: ["ban_peer"]
    })
    out(`operator task "Ban the slowest expert." (tier 2 in phase 0):`)
    out(`  ${formatTaskLine(taskResult(operator))}`)
  })

export interface EscalationDemoOptions extends SafetyDemoOptions {
  readonly clients: ChainClients
  readonly deployment: Deployment
  /** Dev accounts holding votes; the first one files the proposal. */
  readonly voters: ReadonlyArray<Account>
}

/**
 * Escalation on the chain: a control node that follows the chain gets an operator's tier-2 task, which the phase does
 * not allow; it becomes an on-chain proposal approving exactly that action, the voters pass it, and the node runs it.
 */
export const escalationDemo = (options: EscalationDemoOptions) =>
  Effect.gen(function* () {
    const { out } = options
    const node = yield* startDemoControlNode(options, {
      governance: { deployment: options.deployment, pollIntervalMs: 250 },
      proposer: chainProposer({ clients: options.clients, deployment: options.deployment, account: options.voters[0]! })
    })
    const governance = node.router.governance!
    yield* governance.refresh
    const task = yield* node.safety.runTask({
      source: "operator",
      text: "Ban the slowest expert.",
      types: ["ban_peer"]
    })
    out(
      `  operator task "Ban the slowest expert." (tier 2, phase ${governance.state().phase} allows tier ${governance.state().maxTier}):`
    )
    out(`    ${formatTaskLine(taskResult(task))}`)
    const proposal = (task.result as { proposal?: string } | undefined)?.proposal
    if (task.decision !== "proposed" || proposal === undefined || !/^\d+$/.test(proposal)) return
    const started = performance.now()
    yield* Effect.promise(() =>
      passProposal(options.clients, options.deployment, BigInt(proposal), options.voters.slice(1))
    )
    yield* governance.refresh
    // The node runs an approved action as soon as it sees the approval.
    for (let waited = 0; waited < 10_000; waited += 100) {
      const ran = (yield* node.safety.tasks(20)).find(
        (record) => record.source === "governance" && record.actionHash === task.actionHash
      )
      if (ran !== undefined) {
        out(
          `  voters approved exactly that action; ${(performance.now() - started).toFixed(0)} ms later the node ran it:`
        )
        out(`    ${formatTaskLine(taskResult(ran))}`)
        return
      }
      yield* Effect.sleep("100 millis")
    }
    out("  the approved action did not run within 10 s")
  }).pipe(Effect.scoped)
