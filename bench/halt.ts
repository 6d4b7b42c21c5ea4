// npm run bench:halt — how long a halt takes to reach every node of a 10-node mesh on loopback (a bootstrap-role
// hub and nine nodes joined through it, all governed, in this process), by the gossip path (a guardian-signed HaltMesh
// message) and by the chain path (KillSwitch.halt, read by each node's polling). Baseline in the same run: an
// unsigned message of the same size on another topic of the same mesh (gossipsub alone, no signature check).
import { Effect, Exit, Scope } from "effect"
import { chainClients, devAccount } from "../governance/chain/client.ts"
import { deployGovernance, LOCAL_SETTINGS } from "../governance/chain/deploy.ts"
import { createHaltMessage } from "../governance/chain/halt-sender.ts"
import { enact } from "../governance/chain/local.ts"
import { haltOnChain, intentCall } from "../governance/chain/proposals.ts"
import { acquireChainServer } from "../governance/chain-server.ts"
import type { Address } from "../governance/deployment.ts"
import { HALT_TOPIC } from "../governance/halt-message.ts"
import { DEFAULT_POLL_INTERVAL_MS, type NodeGovernance, startGovernance } from "../governance/live.ts"
import { newIdentity } from "../runtime/p2p/identity.ts"
import { acquireP2PNode, type P2PNode } from "../runtime/p2p/node.ts"
import { machine, percentile, table, writeResult } from "./report.ts"

const NODES = 10
const TRIALS = Number(process.env.BENCH_TRIALS ?? 20)
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? DEFAULT_POLL_INTERVAL_MS)
const BASELINE_TOPIC = "mesh/bench-baseline/1"
const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"]

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const until = async (check: () => boolean, ms: number) => {
  const deadline = performance.now() + ms
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not reached within ${ms} ms`)
    await sleep(1)
  }
}

const program = Effect.gen(function* () {
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
  const config = { deployment, pollIntervalMs: POLL_MS }

  // The mesh: a governed bootstrap-role node and nine governed nodes joined through it; all ten also join the
  // baseline topic (the hub forwards it like any member).
  const hub = yield* acquireP2PNode({
    role: "bootstrap",
    identity: yield* Effect.promise(newIdentity),
    listen: LOOPBACK
  })
  const address = hub.multiaddrs()[0]!
  const nodes: P2PNode[] = [hub]
  const views: NodeGovernance[] = [yield* startGovernance(config, hub)]
  for (let index = 1; index < NODES; index++) {
    const node = yield* acquireP2PNode({
      role: "router",
      identity: yield* Effect.promise(newIdentity),
      listen: LOOPBACK,
      bootstrap: [address]
    })
    nodes.push(node)
    views.push(yield* startGovernance(config, node))
  }
  const baselineSeen = new Map<number, number>()
  nodes.forEach((node, index) => {
    node.subscribe(
      BASELINE_TOPIC,
      async () => "accept" as const,
      () => {
        if (!baselineSeen.has(index)) baselineSeen.set(index, performance.now())
      }
    )
  })
  const sender = yield* acquireP2PNode({
    role: "router",
    identity: yield* Effect.promise(newIdentity),
    listen: LOOPBACK,
    bootstrap: [address]
  })
  // Every node's moment of halt, per trial.
  const haltedAt = new Map<number, number>()
  views.forEach((view, index) => {
    view.onChange((state) => {
      if (state.halted && !haltedAt.has(index)) haltedAt.set(index, performance.now())
    })
  })
  yield* Effect.promise(() => until(() => sender.topicPeers(HALT_TOPIC) >= 1, 15_000))
  yield* Effect.promise(() => sleep(2000)) // let gossipsub's heartbeats build the topic meshes

  const resume = async () => {
    await enact(
      clients,
      deployment,
      voters.slice(1, 3),
      [intentCall(deployment, { _tag: "Resume", reason: "bench" })],
      `Resume ${performance.now()}`
    )
    for (const view of views) await Effect.runPromise(view.refresh)
    await until(() => views.every((view) => !view.state().halted), 5000)
  }

  const gossip: number[] = []
  const gossipLast: number[] = []
  const chain: number[] = []
  const chainLast: number[] = []
  const baseline: number[] = []
  const baselineLast: number[] = []
  for (let trial = 0; trial < TRIALS; trial++) {
    // Gossip path.
    const message = yield* Effect.promise(() =>
      createHaltMessage(clients, deployment, guardian, `bench ${trial}`, Date.now())
    )
    haltedAt.clear()
    let sentAt = performance.now()
    yield* Effect.promise(() => sender.publish(HALT_TOPIC, message.bytes))
    yield* Effect.promise(() => until(() => haltedAt.size === NODES, 10_000))
    const perNode = [...haltedAt.values()].map((at) => at - sentAt)
    gossip.push(...perNode)
    gossipLast.push(Math.max(...perNode))
    yield* Effect.promise(() => haltOnChain(clients, deployment, guardian, `bench ${trial}`))
    yield* Effect.promise(resume)

    // Chain path: the transaction alone; each node finds it at its next read.
    haltedAt.clear()
    sentAt = performance.now()
    yield* Effect.promise(() => haltOnChain(clients, deployment, guardian, `bench chain ${trial}`))
    yield* Effect.promise(() => until(() => haltedAt.size === NODES, 10_000 + 3 * POLL_MS))
    const perNodeChain = [...haltedAt.values()].map((at) => at - sentAt)
    chain.push(...perNodeChain)
    chainLast.push(Math.max(...perNodeChain))
    yield* Effect.promise(resume)

    // Baseline: the same bytes, unsigned, on a topic only gossipsub checks.
    baselineSeen.clear()
    sentAt = performance.now()
    yield* Effect.promise(() => sender.publish(BASELINE_TOPIC, message.bytes))
    yield* Effect.promise(() => until(() => baselineSeen.size === nodes.length, 10_000).catch(() => undefined))
    const perNodeBaseline = [...baselineSeen.values()].map((at) => at - sentAt)
    baseline.push(...perNodeBaseline)
    if (perNodeBaseline.length === nodes.length) baselineLast.push(Math.max(...perNodeBaseline))
  }

  const row = (name: string, perNode: number[], last: number[]) => [
    name,
    String(perNode.length),
    percentile(perNode, 50).toFixed(1),
    percentile(perNode, 99).toFixed(1),
    percentile(last, 50).toFixed(1),
    percentile(last, 99).toFixed(1)
  ]
  const rows = [
    row("gossip (signed HaltMesh)", gossip, gossipLast),
    row(`chain (KillSwitch.halt, poll ${POLL_MS} ms)`, chain, chainLast),
    row("baseline: unsigned gossip", baseline, baselineLast)
  ]
  process.stdout.write(
    `halt latency, ${NODES}-node mesh on loopback, ${TRIALS} trials (ms; per node = each node's own latency, last = the slowest node of a trial)\n`
  )
  process.stdout.write(`${table(["path", "samples", "per node p50", "per node p99", "last p50", "last p99"], rows)}\n`)
  const summary = (perNode: number[], last: number[]) => ({
    samples: perNode.length,
    perNodeMs: { p50: percentile(perNode, 50), p99: percentile(perNode, 99) },
    lastNodeMs: { p50: percentile(last, 50), p99: percentile(last, 99) }
  })
  const path = writeResult("halt", {
    machine: machine(),
    nodes: NODES,
    trials: TRIALS,
    pollIntervalMs: POLL_MS,
    gossip: summary(gossip, gossipLast),
    chain: summary(chain, chainLast),
    baselineUnsignedGossip: { ...summary(baseline, baselineLast), trialsComplete: baselineLast.length }
  })
  process.stdout.write(`written to ${path}\n`)
})

const scope = Effect.runSync(Scope.make())
Effect.runPromise(Scope.extend(program, scope))
  .finally(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  .then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`bench:halt failed: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    }
  )
