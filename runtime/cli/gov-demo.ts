// The demo's governance part: the embedded chain with the contracts, a phase change by vote, a halt that the
// gateway answers with 503, and a resume by vote.
import { Effect } from "effect"
import { startGatewayNode } from "../../gateway/gateway-node.ts"
import { chainClients, devAccount } from "../../governance/chain/client.ts"
import { deployGovernance, LOCAL_SETTINGS } from "../../governance/chain/deploy.ts"
import { createHaltMessage } from "../../governance/chain/halt-sender.ts"
import { enact } from "../../governance/chain/local.ts"
import { describeIntent, haltOnChain, intentCall, type ProposalIntent } from "../../governance/chain/proposals.ts"
import { readSnapshot } from "../../governance/chain/read.ts"
import { acquireChainServer } from "../../governance/chain-server.ts"
import type { Address } from "../../governance/deployment.ts"
import { escalationDemo } from "./safety-demo.ts"

export interface GovernanceDemoOptions {
  readonly modelsDir: string
  readonly bootstrapAddress: string
  readonly experts: number
  readonly out: (line: string) => void
}

export const governanceDemo = (options: GovernanceDemoOptions) =>
  Effect.gen(function* () {
    const { out } = options
    const started = performance.now()
    const server = yield* acquireChainServer()
    const clients = yield* Effect.promise(() => chainClients(server.rpcUrl))
    const voters = [0, 1, 2, 3, 4].map(devAccount)
    const guardian = voters[0]!
    const deployment = yield* Effect.promise(() =>
      deployGovernance(clients, {
        deployer: guardian,
        guardian: guardian.address as Address,
        settings: LOCAL_SETTINGS,
        voters,
        local: true
      })
    )
    out(
      `\ngovernance: embedded chain ${server.rpcUrl}, contracts deployed in ${(performance.now() - started).toFixed(0)} ms`
    )
    out(`  kill switch ${deployment.contracts.killSwitch}, guardian ${deployment.guardian} (dev account 0)`)
    const status = Effect.promise(async () => {
      const snapshot = await readSnapshot(clients, deployment)
      return `phase ${snapshot.phase}, tiers up to ${snapshot.maxTier}, ${snapshot.halted ? `HALTED: ${snapshot.haltReason}` : "running"}`
    })
    out(`  status: ${yield* status}`)

    const gateway = yield* startGatewayNode({
      modelsDir: options.modelsDir,
      bootstrap: [options.bootstrapAddress],
      host: "127.0.0.1",
      port: 0,
      governance: { deployment, pollIntervalMs: 250 }
    })
    yield* Effect.promise(() => gateway.router.waitForExperts(options.experts, 20_000))
    const governance = gateway.router.governance!
    const vote = (intent: ProposalIntent) =>
      Effect.promise(async () => {
        const before = performance.now()
        await enact(clients, deployment, voters.slice(1), [intentCall(deployment, intent)], describeIntent(intent))
        await Effect.runPromise(governance.refresh)
        return performance.now() - before
      })
    const ask = Effect.promise(async () => {
      const response = await fetch(`${gateway.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "stories260K", prompt: "Once upon a time", max_tokens: 8, seed: 1 })
      })
      const body = (await response.json()) as { error?: unknown; choices?: Array<{ text: string }> }
      return `${response.status} ${JSON.stringify(body.error ?? body.choices?.[0]?.text)}`
    })

    const phaseMs = yield* vote({ _tag: "SetPhase", phase: 1 })
    out(
      `  "Move the mesh to phase 1": proposed, 4 votes for, queued, timelock passed, executed in ${phaseMs.toFixed(0)} ms`
    )
    out(`  status: ${yield* status}; the gateway's node sees tier ${governance.state().maxTier}`)
    yield* escalationDemo({
      modelsDir: options.modelsDir,
      bootstrapAddress: options.bootstrapAddress,
      experts: options.experts,
      seed: 1,
      clients,
      deployment,
      voters,
      out
    })

    const message = yield* Effect.promise(() =>
      createHaltMessage(clients, deployment, guardian, "demo: guardian pulls the kill switch", Date.now())
    )
    const haltStarted = performance.now()
    const published = yield* Effect.promise(() => governance.publishHalt(message.bytes))
    out(
      `  guardian's halt message: ${published.ok ? "obeyed" : `refused (${published.detail})`} in ${(performance.now() - haltStarted).toFixed(1)} ms, then KillSwitch.halt on chain`
    )
    yield* Effect.promise(() => haltOnChain(clients, deployment, guardian, "demo: guardian pulls the kill switch"))
    out(`  gateway: POST /v1/completions -> ${yield* ask}`)
    const resumeMs = yield* vote({ _tag: "Resume", reason: "demo: reviewed" })
    out(`  resume voted and executed in ${resumeMs.toFixed(0)} ms; status: ${yield* status}`)
    out(`  gateway: POST /v1/completions -> ${yield* ask}`)
  }).pipe(Effect.scoped)
