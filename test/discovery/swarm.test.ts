// A whole swarm on loopback, in this process: a bootstrap peer, two experts and a router that knows nothing but the
// bootstrap's address. The router must find the experts by gossip and the DHT, keep them measured, mix them, refuse
// rogue announcements and drop an expert that went away.
import { Effect, Exit, Scope } from "effect"
import { expect, test } from "vitest"
import { encodeManifestAnnouncement, type RejectionReason } from "../../discovery/announcement.ts"
import { EXPERTS_TOPIC, MAX_ANNOUNCEMENT_BYTES } from "../../discovery/topics.ts"
import type { ExpertManifest } from "../../proto/messages.ts"
import { asPeerId } from "../../router/registry/events.ts"
import { evictionCounts, expertCount, families, getExpert, type RegistryState } from "../../router/registry/state.ts"
import { startBootstrapNode } from "../../runtime/bootstrap-node.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { acquireP2PNode } from "../../runtime/p2p/node.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { inferenceRunner, startTestExpert } from "../helpers/runtime.ts"
import { syntheticManifest } from "../helpers/synthetic-manifest.ts"

const { run } = inferenceRunner()

const HEARTBEAT_MS = 500
const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `check` holds, up to `ms`. */
const eventually = async (check: () => boolean | Promise<boolean>, ms: number, every = 50) => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(every)
  }
  return check()
}

const bootstrapPeer = Effect.gen(function* () {
  const identity = yield* Effect.promise(() => newIdentity())
  const bootstrap = yield* startBootstrapNode({ identity, listen: LOOPBACK })
  return { bootstrap, address: bootstrap.multiaddrs()[0]! }
})

const expertOf = (name: string, bootstrapAddress: string) =>
  startTestExpert({ modelPath: modelPath(name), bootstrap: [bootstrapAddress], heartbeatIntervalMs: HEARTBEAT_MS })

const routerOf = (bootstrapAddress: string) =>
  startRouterNode({
    modelsDir: resolveModelsDir(),
    bootstrap: [bootstrapAddress],
    heartbeatIntervalMs: HEARTBEAT_MS,
    pingIntervalMs: HEARTBEAT_MS
  })

/** What a rogue claims to serve; only the validators read it, no model stands behind it. */
const rogueManifest: ExpertManifest = syntheticManifest({ modelName: "rogue", contextSize: 512 })

const knows = (state: RegistryState, peerId: string) => getExpert(state, asPeerId(peerId)) !== undefined

test("a router that knows only the bootstrap finds both experts through the bootstrap, measures them and mixes them", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const { address } = yield* bootstrapPeer
      const f32 = yield* expertOf("stories260K.gguf", address)
      const q4 = yield* expertOf("stories260K-q4_0.gguf", address)
      const startedAt = Date.now()
      const router = yield* routerOf(address)
      const { watcher } = router
      return yield* Effect.promise(async () => {
        const found = await watcher.until((state) => knows(state, f32.peerId) && knows(state, q4.peerId), 10_000)
        const discoveryMs = Date.now() - startedAt
        console.log(`discovery: both experts in the registry ${discoveryMs} ms after the router started`)

        const measured = (kind: "load" | "ping" | "step") => (state: RegistryState) =>
          [f32, q4].every((expert) => getExpert(state, asPeerId(expert.peerId))?.[kind] !== undefined)
        const heartbeats = await watcher.until(measured("load"), 5000)
        const pings = await watcher.until(measured("ping"), 5000)
        console.log(`heartbeats and pings of both experts ${Date.now() - startedAt} ms after the router started`)
        const state = watcher.state()

        let finished: { tokens: number; reason: string; experts: string[] } | undefined
        for await (const event of router.generate({
          prompt: "Once upon a time",
          k: 2,
          maxTokens: 16,
          sampling: { temperature: 0 }
        })) {
          if (event._tag === "Finished") {
            finished = {
              tokens: event.tokens.length,
              reason: event.reason,
              experts: event.experts.map((expert) => expert.peerId)
            }
          }
        }
        const stepped = measured("step")(watcher.state())
        return { found, discoveryMs, heartbeats, pings, state, finished, stepped, f32, q4 }
      })
    })
  )
  const { f32, q4, state } = outcome
  expect(outcome.found).toBe(true)
  expect(outcome.discoveryMs).toBeLessThan(10_000)
  expect(f32.manifest.tokenizerHash).toBe(q4.manifest.tokenizerHash)
  expect(f32.manifest.fileSha256).not.toBe(q4.manifest.fileSha256)
  expect(getExpert(state, asPeerId(f32.peerId))?.manifest).toEqual(f32.manifest)
  expect(getExpert(state, asPeerId(q4.peerId))?.manifest).toEqual(q4.manifest)
  expect(expertCount(state)).toBe(2)
  expect([...families(state)]).toEqual([[f32.manifest.tokenizerHash, 2]])

  expect(outcome.heartbeats).toBe(true)
  expect(outcome.pings).toBe(true)
  const load = getExpert(state, asPeerId(q4.peerId))?.load
  expect(load?.maxSessions).toBe(q4.manifest.maxSessions)
  expect(load?.openSessions).toBe(0)

  expect(outcome.finished).toEqual({ tokens: 16, reason: "length", experts: expect.any(Array) })
  expect([...outcome.finished!.experts].sort()).toEqual([f32.peerId, q4.peerId].sort())
  expect(outcome.stepped).toBe(true)
}, 60_000)

test("the family's DHT record leads a router to the expert", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const { address } = yield* bootstrapPeer
      const expert = yield* expertOf("stories260K.gguf", address)
      const router = yield* routerOf(address)
      return yield* Effect.promise(async () => {
        // The provide may still be on its way: ask again until someone answers.
        const startedAt = Date.now()
        let providers = 0
        await eventually(
          async () => {
            const signal = AbortSignal.timeout(3000)
            providers = await router.watcher.lookupFamily(expert.manifest.tokenizerHash, signal).catch(() => 0)
            return providers >= 1
          },
          10_000,
          250
        )
        console.log(`dht: ${providers} provider(s) of the family answered after ${Date.now() - startedAt} ms`)
        return { providers, state: router.watcher.state(), expert }
      })
    })
  )
  expect(outcome.providers).toBe(1)
  expect(getExpert(outcome.state, asPeerId(outcome.expert.peerId))?.manifest).toEqual(outcome.expert.manifest)
}, 60_000)

test("rogue announcements are refused, counted, and never reach the registry", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const { bootstrap, address } = yield* bootstrapPeer
      const router = yield* routerOf(address)
      const { watcher } = router
      const rogueIdentity = yield* Effect.promise(() => newIdentity())
      const rogue = yield* acquireP2PNode({
        role: "expert",
        identity: rogueIdentity,
        listen: LOOPBACK,
        bootstrap: [address]
      })
      // Accepting everything, so the rogue joins the topic's mesh like any expert.
      rogue.subscribe(
        EXPERTS_TOPIC,
        () => "accept",
        () => undefined
      )
      const named = yield* Effect.promise(() => newIdentity())
      const otherKey = yield* Effect.promise(() => newIdentity())
      return yield* Effect.promise(async () => {
        // Anything carrying a forged manifest, or the peer named by one, entering the registry at any moment.
        let leaked = false
        let watching = true
        const monitor = watcher.until((state) => {
          for (const [peerId, expert] of state.experts) {
            if (peerId === named.peerId || expert.manifest.modelName.startsWith("forged")) leaked = true
          }
          return !watching
        }, 60_000)

        // The router also dials the rogue (as if it were listed with --experts; the manifest request fails), so the
        // rogue's messages reach the router's own validator and not only the bootstrap's.
        await watcher.addDirect(rogue.multiaddrs()[0]!).catch(() => undefined)
        const connected = await eventually(
          () => [bootstrap.peerId, router.peerId].every((peer) => rogue.connectedPeers().includes(peer)),
          10_000
        )
        // Subscriptions are exchanged on connection and meshes form on the next gossipsub heartbeat (1 s).
        await sleep(2000)
        const now = Date.now()
        const addresses = rogue.multiaddrs().map((address) => address.replace(/\/p2p\/[^/]+$/, ""))
        const forgedByProxy = await encodeManifestAnnouncement(
          named,
          { ...rogueManifest, modelName: "forged-a" },
          addresses,
          now
        )
        const forgedKey = await encodeManifestAnnouncement(
          { peerId: rogue.peerId, sign: (data) => otherKey.sign(data) },
          { ...rogueManifest, modelName: "forged-b" },
          addresses,
          now
        )
        const oversized = new Uint8Array(MAX_ANNOUNCEMENT_BYTES + 1024)
        // A manifest field that claims 255 bytes and holds none.
        const garbage = new Uint8Array([0x0a, 0xff, 0x01])
        for (const data of [forgedByProxy, forgedKey, oversized, garbage]) await rogue.publish(EXPERTS_TOPIC, data)

        const counted = (rejected: Readonly<Record<RejectionReason, number>>) =>
          rejected.forged >= 2 && rejected.oversized >= 1 && rejected.malformed >= 1
        const refused = await eventually(() => counted(watcher.rejected()) && counted(bootstrap.rejected()), 10_000)
        const rejected = { router: watcher.rejected(), bootstrap: bootstrap.rejected() }
        console.log(`rogue announcements refused: ${JSON.stringify(rejected)}`)

        // The control: the same peer's honest manifest, on the same path, does get in.
        await rogue.publish(
          EXPERTS_TOPIC,
          await encodeManifestAnnouncement(
            rogueIdentity,
            { ...rogueManifest, modelName: "honest" },
            addresses,
            Date.now()
          )
        )
        const honest = await watcher.until(
          (state) => getExpert(state, asPeerId(rogue.peerId))?.manifest.modelName === "honest",
          10_000
        )
        // The next tick ends the monitor.
        watching = false
        await monitor
        return { connected, refused, rejected, leaked, honest, state: watcher.state(), named: named.peerId }
      })
    })
  )
  expect(outcome.connected).toBe(true)
  expect(outcome.refused).toBe(true)
  expect(outcome.leaked).toBe(false)
  expect(outcome.honest).toBe(true)
  expect(knows(outcome.state, outcome.named)).toBe(false)
  expect(expertCount(outcome.state)).toBe(1)
}, 60_000)

test("an expert that stops is evicted within 3 heartbeat intervals and a tick; the other stays", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const { address } = yield* bootstrapPeer
      const router = yield* routerOf(address)
      const { watcher } = router
      const staying = yield* expertOf("stories260K.gguf", address)
      const leavingScope = yield* Scope.make()
      // Closed below on purpose; this only covers a failure before that (closing twice is a no-op).
      yield* Effect.addFinalizer(() => Scope.close(leavingScope, Exit.void))
      const leaving = yield* Scope.extend(expertOf("stories260K-q4_0.gguf", address), leavingScope)
      const both = yield* Effect.promise(() =>
        watcher.until(
          (state) =>
            [staying, leaving].every((expert) => getExpert(state, asPeerId(expert.peerId))?.load !== undefined),
          10_000
        )
      )
      const stoppingAt = Date.now()
      yield* Scope.close(leavingScope, Exit.void)
      const stoppedAt = Date.now()
      const evicted = yield* Effect.promise(() =>
        watcher.until((state) => !knows(state, leaving.peerId), 3 * HEARTBEAT_MS + 5000)
      )
      const evictedAt = Date.now()
      console.log(
        `eviction: ${evictedAt - stoppingAt} ms after the expert began stopping (${evictedAt - stoppedAt} ms after it stopped)`
      )
      // Two more heartbeat periods: the remaining expert keeps its place.
      yield* Effect.promise(() => sleep(2 * HEARTBEAT_MS))
      const state = watcher.state()
      return { both, evicted, evictionMs: evictedAt - stoppingAt, state, staying, leaving }
    })
  )
  expect(outcome.both).toBe(true)
  expect(outcome.evicted).toBe(true)
  // Counted from the moment it began to stop: its last heartbeat can only be older.
  expect(outcome.evictionMs).toBeLessThan(3 * HEARTBEAT_MS + 1000)
  expect(knows(outcome.state, outcome.staying.peerId)).toBe(true)
  expect(knows(outcome.state, outcome.leaving.peerId)).toBe(false)
  expect([...evictionCounts(outcome.state)]).toEqual([["silent", 1]])
}, 60_000)
