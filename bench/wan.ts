// npm run bench:wan — the mesh over real network paths: tokens/s at K = 1..4 under added round-trip times, beside the
// bound 1 / (RTT + decode time); discovery time to a full view for 50 in-process nodes; registry cost.
import { Effect, ManagedRuntime } from "effect"
import { startAnnouncer } from "../discovery/announcer.ts"
import { Inference, InferenceLive } from "../experts/inference/service.ts"
import { measureRegistry } from "../router/registry/bench.ts"
import { expertCount } from "../router/registry/state.ts"
import { startBootstrapNode } from "../runtime/bootstrap-node.ts"
import { modelPath, resolveModelsDir } from "../runtime/models-dir.ts"
import { newIdentity } from "../runtime/p2p/identity.ts"
import { startP2PNode } from "../runtime/p2p/node.ts"
import { startRouterNode } from "../runtime/router-node.ts"
import { netnsAvailable, sweepStaleTestbeds } from "../testbed/netns.ts"
import { startWanSwarm } from "../testbed/wan-swarm.ts"
import { machine, median, table, writeResult } from "./report.ts"

const RTTS = [0, 20, 50, 100]
const KS = [1, 2, 3, 4]
const TOKENS = Number(process.env.BENCH_TOKENS ?? 48)
const DISCOVERY_NODES = Number(process.env.BENCH_DISCOVERY_NODES ?? 50)
const HEARTBEAT_MS = 1000

/** The expert's own time per token (adapter top-16 chain, no network), measured here: the decode term of the bound. */
const measureDecodeMs = Effect.gen(function* () {
  const inference = yield* Inference
  const model = yield* inference.loadExpert(modelPath("stories260K.gguf"))
  return yield* Effect.promise(async () => {
    const samples: number[] = []
    for (let round = 0; round < 3; round++) {
      const sequence = await model.openSequence()
      let next = await sequence.evaluate([1, 403, 407, 261, 378], { topK: 16 })
      const started = performance.now()
      for (let index = 0; index < 100; index++) next = await sequence.evaluate([next.tokens[0]!], { topK: 16 })
      samples.push((performance.now() - started) / 100)
      sequence.dispose()
    }
    return median(samples)
  })
})

const measureWan = (decodeMs: number) =>
  Effect.gen(function* () {
    const available = netnsAvailable()
    if (!available.ok) {
      console.log(`RTT sweep skipped: ${available.reason}`)
      return { skipped: available.reason, rows: [] }
    }
    sweepStaleTestbeds()
    const swarm = yield* Effect.acquireRelease(
      Effect.promise(() =>
        startWanSwarm({
          experts: KS.map(() => ({ modelPath: modelPath("stories260K.gguf"), rttMs: 0 })),
          heartbeatMs: HEARTBEAT_MS
        })
      ),
      (started) => Effect.promise(() => started.destroy())
    )
    const router = yield* startRouterNode({
      modelsDir: resolveModelsDir(),
      bootstrap: [swarm.bootstrapAddress],
      heartbeatIntervalMs: HEARTBEAT_MS
    })
    yield* Effect.promise(() => router.waitForExperts(KS.length, 30_000))
    const peers = swarm.experts.map((expert) => expert.process.peerId)
    const rows = []
    for (const rttMs of RTTS) {
      yield* Effect.promise(() => swarm.setRtt(rttMs))
      for (const k of KS) {
        const rate = yield* Effect.promise(async () => {
          const rates: number[] = []
          for (let round = 0; round < 2; round++) {
            let first = 0
            let tokens = 0
            for await (const event of router.generate({
              prompt: "Once upon a time",
              k,
              only: peers.slice(0, k),
              maxTokens: TOKENS,
              sampling: { temperature: 0 }
            })) {
              if (event._tag === "Token") {
                tokens++
                if (tokens === 1) first = performance.now()
              }
              if (event._tag === "Finished" && tokens > 1)
                rates.push((tokens - 1) / ((performance.now() - first) / 1000))
            }
          }
          return median(rates)
        })
        const bound = 1000 / (rttMs + decodeMs)
        rows.push({ rttMs, k, tokensPerSecond: rate, boundTokensPerSecond: bound, ratioToBound: rate / bound })
      }
    }
    return { skipped: undefined, rows }
  })

/** 1 bootstrap, N - 2 announcing nodes (signed manifests and heartbeats, no model), 1 router: time to see them all. */
const measureDiscovery = Effect.gen(function* () {
  const bootstrap = yield* startBootstrapNode({
    identity: yield* Effect.promise(newIdentity),
    listen: ["/ip4/127.0.0.1/tcp/0"]
  })
  const bootstrapAddress = bootstrap.multiaddrs()[0]!
  const announcers = DISCOVERY_NODES - 2
  const manifest = {
    modelName: "synthetic",
    fileSha256: "0".repeat(64),
    tokenizerHash: "1".repeat(64),
    architecture: "llama",
    parameters: 1,
    quantization: "F32",
    contextSize: 511,
    vocabSize: 512,
    maxSessions: 4,
    maxTopK: 16,
    addBos: true,
    bosToken: 1,
    eosToken: 2
  }
  const started = performance.now()
  const router = yield* startRouterNode({
    modelsDir: resolveModelsDir(),
    bootstrap: [bootstrapAddress],
    heartbeatIntervalMs: HEARTBEAT_MS,
    pingIntervalMs: 60_000
  })
  yield* Effect.forEach(
    Array.from({ length: announcers }, (_, index) => index),
    () =>
      Effect.acquireRelease(
        Effect.promise(async () => {
          const identity = await newIdentity()
          const node = await startP2PNode({
            role: "expert",
            identity,
            listen: ["/ip4/127.0.0.1/tcp/0"],
            bootstrap: [bootstrapAddress]
          })
          node.subscribe(
            "mesh/experts/1",
            () => "accept",
            () => undefined
          )
          const announcer = startAnnouncer(
            node,
            identity,
            manifest,
            () => ({ openSessions: 0, maxSessions: 4, queue: 0 }),
            {
              intervalMs: HEARTBEAT_MS
            }
          )
          return { node, announcer }
        }),
        ({ node, announcer }) =>
          Effect.promise(async () => {
            announcer.stop()
            await node.stop()
          })
      ),
    { concurrency: 8 }
  )
  const complete = yield* Effect.promise(() => router.waitForExperts(announcers, 60_000))
  return {
    nodes: DISCOVERY_NODES,
    announcers,
    complete,
    seen: expertCount(router.watcher.state()),
    fullViewMs: performance.now() - started
  }
})

const program = Effect.gen(function* () {
  const decodeMs = yield* Effect.scoped(measureDecodeMs)
  const registry = measureRegistry()
  const discovery = yield* Effect.scoped(measureDiscovery)
  const wan = yield* Effect.scoped(measureWan(decodeMs))
  const result = { benchmark: "wan", machine: machine(), tokens: TOKENS, decodeMs, wan, discovery, registry }
  const file = writeResult("wan", result)
  console.log(`bench:wan  stories260K, ${TOKENS} greedy tokens per run, decode ${decodeMs.toFixed(3)} ms/token\n`)
  if (wan.rows.length > 0) {
    console.log(
      table(
        ["RTT ms", "K", "tokens/s", "bound 1/(RTT+decode)", "x bound"],
        wan.rows.map((row) => [
          String(row.rttMs),
          String(row.k),
          row.tokensPerSecond.toFixed(1),
          row.boundTokensPerSecond.toFixed(1),
          row.ratioToBound.toFixed(2)
        ])
      )
    )
  }
  console.log(
    `\ndiscovery: ${discovery.seen}/${discovery.announcers} announcing nodes seen by the router in ${discovery.fullViewMs.toFixed(0)} ms (${discovery.nodes} nodes in one process)`
  )
  console.log(
    `registry: apply ${registry.applyMicrosPerEvent.toFixed(2)} µs/event (100k events, 10k peers); choose K=4 of 10,000 in ${registry.chooseMicrosPerChoice.toFixed(2)} µs (target < 50 µs)`
  )
  console.log(`wrote ${file}`)
})

const runtime = ManagedRuntime.make(InferenceLive)
await runtime.runPromise(Effect.scoped(program))
await runtime.dispose()
