// Discovery across real hosts: a bootstrap and four experts in their own network namespaces, each expert reachable
// only through a fault proxy at its own round-trip time, one more expert behind NAT, and a router in this process.
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import type { GenerationEvent } from "../../router/generation.ts"
import { asPeerId } from "../../router/registry/events.ts"
import { chooseExperts } from "../../router/registry/select.ts"
import { expertCount, getExpert } from "../../router/registry/state.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { type RouterNode, startRouterNode } from "../../runtime/router-node.ts"
import { netnsAvailable, sweepStaleTestbeds } from "../../testbed/netns.ts"
import { startWanSwarm, type WanSwarm } from "../../testbed/wan-swarm.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const available = netnsAvailable()
const HEARTBEAT_MS = 500
const RTTS = [10, 30, 60, 100]

const { run } = inferenceRunner()

let swarm: WanSwarm

/** Runs a generation to its end: tokens generated and frame bytes exchanged with its experts. */
const finish = async (events: AsyncGenerator<GenerationEvent>) => {
  for await (const event of events) {
    if (event._tag === "Finished") {
      const bytes = event.experts.reduce((sum, expert) => sum + expert.sent + expert.received, 0)
      return { tokens: event.tokens.length, bytes }
    }
  }
  throw new Error("the generation did not finish")
}

/** The whole scenario, with one router; `started` is when the router began to start. */
const scenario = async (router: RouterNode, started: number) => {
  const all = RTTS.length + 1
  const found = await router.waitForExperts(all, 10_000)
  const discoveryMs = Date.now() - started
  console.log(`discovered ${expertCount(router.watcher.state())} experts in ${discoveryMs} ms`)
  expect(found).toBe(true)
  expect(discoveryMs).toBeLessThan(10_000)

  // Every proxied expert is measured, and its ping reflects its path.
  const measured = await router.watcher.until(
    (state) => swarm.experts.every((expert) => getExpert(state, asPeerId(expert.process.peerId))?.ping !== undefined),
    10_000
  )
  expect(measured).toBe(true)
  const pings = swarm.experts.map(
    (expert) => getExpert(router.watcher.state(), asPeerId(expert.process.peerId))!.ping!.ewmaMs
  )
  console.log(`pings for RTT ${RTTS.join("/")} ms: ${pings.map((ms) => ms.toFixed(1)).join("/")} ms`)
  for (const [index, rtt] of RTTS.entries()) expect(pings[index]!).toBeGreaterThanOrEqual(rtt * 0.9)
  // Traffic really crosses the proxies.
  for (const expert of swarm.experts) expect((await expert.proxy!.counts()).accepted).toBeGreaterThan(0)

  // Selection prefers the low-latency experts (the NAT'd one is left out: its relayed path has no added delay).
  const family = swarm.experts[0]!.process.manifest.tokenizerHash
  const nat = swarm.natExperts[0]!.process.peerId
  const fastest = new Set(swarm.experts.slice(0, 2).map((expert) => expert.process.peerId))
  let preferred = 0
  for (let draw = 0; draw < 200; draw++) {
    const chosen = chooseExperts(router.watcher.state(), {
      tokenizerHash: family,
      k: 2,
      random: Math.random,
      exclude: new Set([nat])
    })
    if (chosen.every((expert) => fastest.has(expert.peerId))) preferred++
  }
  console.log(`the two lowest-RTT experts were chosen in ${preferred} of 200 draws`)
  expect(preferred).toBeGreaterThanOrEqual(180)

  // Generation across the WAN paths.
  const first = await finish(
    router.generate({
      prompt: "Once upon a time",
      k: 2,
      only: [...fastest],
      maxTokens: 24,
      sampling: { temperature: 0 }
    })
  )
  expect(first.tokens).toBe(24)

  // SIGKILL the fastest expert: evicted within 3 heartbeat intervals (plus one tick of the registry).
  const victim = swarm.experts[0]!
  victim.process.child.kill("SIGKILL")
  const killedAt = Date.now()
  const evicted = await router.watcher.until(
    (state) => getExpert(state, asPeerId(victim.process.peerId)) === undefined,
    3 * HEARTBEAT_MS + 2000
  )
  const evictionMs = Date.now() - killedAt
  console.log(`killed expert evicted after ${evictionMs} ms (heartbeat ${HEARTBEAT_MS} ms)`)
  expect(evicted).toBe(true)
  expect(evictionMs).toBeLessThanOrEqual(4 * HEARTBEAT_MS)
  const after = await finish(
    router.generate({ prompt: "Once upon a time", k: 2, maxTokens: 24, sampling: { temperature: 0 } })
  )
  expect(after.tokens).toBe(24)

  // The expert behind NAT: reached through the relay, and long answers are not cut by relay limits
  // (libp2p's defaults reset a relayed connection after 128 KiB).
  let relayedBytes = 0
  let generations = 0
  while (relayedBytes < 200 * 1024 && generations < 12) {
    const result = await finish(
      router.generate({
        prompt: "Once upon a time",
        k: 1,
        only: [nat],
        maxTokens: 400,
        sampling: { temperature: 1, seed: generations }
      })
    )
    expect(result.tokens).toBeGreaterThan(0)
    relayedBytes += result.bytes
    generations++
  }
  console.log(`${generations} generations through the relay carried ${(relayedBytes / 1024).toFixed(0)} KiB`)
  expect(relayedBytes).toBeGreaterThan(128 * 1024)
}

describe.skipIf(!available.ok)(
  `a swarm across network namespaces${available.ok ? "" : ` (skipped: ${available.reason})`}`,
  () => {
    beforeAll(async () => {
      sweepStaleTestbeds()
      swarm = await startWanSwarm({
        experts: RTTS.map((rttMs) => ({ modelPath: modelPath("stories260K.gguf"), rttMs })),
        natExperts: [{ modelPath: modelPath("stories260K-q8_0.gguf") }],
        heartbeatMs: HEARTBEAT_MS
      })
    }, 120_000)
    afterAll(async () => {
      await swarm?.destroy()
    }, 60_000)

    test("discovery, latency-aware selection, eviction of a killed expert, and an expert behind NAT", async () => {
      const started = Date.now()
      await run(
        Effect.gen(function* () {
          const router = yield* startRouterNode({
            modelsDir: resolveModelsDir(),
            bootstrap: [swarm.bootstrapAddress],
            heartbeatIntervalMs: HEARTBEAT_MS,
            pingIntervalMs: 500
          })
          yield* Effect.promise(() => scenario(router, started))
        })
      )
    }, 180_000)
  }
)
