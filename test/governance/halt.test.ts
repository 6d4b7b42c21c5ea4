// The kill switch across real nodes on loopback: a guardian-signed halt reaches five governed nodes by gossip before
// the chain is even asked, and stops real work (an expert's sessions, a router's stream, the gateway's API); a halt
// sent only to the chain reaches them by polling; only an executed proposal resumes, and a replayed message after it
// halts no one.
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import type { ExpertNode } from "../../experts/expert-node.ts"
import { type GatewayNodeOptions, startGatewayNode } from "../../gateway/gateway-node.ts"
import { createHaltMessage } from "../../governance/chain/halt-sender.ts"
import { enact } from "../../governance/chain/local.ts"
import { haltOnChain, intentCall } from "../../governance/chain/proposals.ts"
import { HALT_TOPIC } from "../../governance/halt-message.ts"
import { type GovernanceConfig, type NodeGovernance, startGovernance } from "../../governance/live.ts"
import { openExpertSession } from "../../router/expert-client.ts"
import { startBootstrapNode } from "../../runtime/bootstrap-node.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { acquireP2PNode, type P2PNode } from "../../runtime/p2p/node.ts"
import { dialer, inferenceRunner, startTestExpert } from "../helpers/runtime.ts"
import { eventually, type LocalChain, startLocalChain } from "./local-chain.ts"

const { run } = inferenceRunner()
const LOOPBACK = ["/ip4/127.0.0.1/tcp/0"]

let chain: LocalChain
beforeAll(async () => {
  chain = await startLocalChain()
})
afterAll(() => chain?.close())

/** A governed libp2p node with nothing else on it. */
const governedNode = (config: GovernanceConfig, bootstrap: string) =>
  Effect.gen(function* () {
    const node = yield* acquireP2PNode({
      role: "router",
      identity: yield* Effect.promise(newIdentity),
      listen: LOOPBACK,
      bootstrap: [bootstrap]
    })
    return yield* startGovernance(config, node)
  })

/** The guardian's side of `mesh gov halt`: a node that joins, waits to see the topic's peers, and publishes. */
const guardianNode = (bootstrap: string) =>
  Effect.gen(function* () {
    const node = yield* acquireP2PNode({
      role: "router",
      identity: yield* Effect.promise(newIdentity),
      listen: [],
      bootstrap: [bootstrap]
    })
    yield* Effect.promise(() => eventually(() => node.topicPeers(HALT_TOPIC) > 0, 10_000))
    return node
  })

const allHalted = (views: ReadonlyArray<NodeGovernance>) => views.every((view) => view.state().halted)
const noneHalted = (views: ReadonlyArray<NodeGovernance>) => views.every((view) => !view.state().halted)

const resume = async (reason: string) => {
  const { clients, deployment, voters } = chain
  await enact(clients, deployment, voters.slice(1), [intentCall(deployment, { _tag: "Resume", reason })], reason)
}

/** Reads an SSE response to its end: the data events, parsed. */
const readEvents = async (response: Response): Promise<string[]> => {
  const text = await response.text()
  return text
    .split("\n\n")
    .filter((chunk) => chunk.startsWith("data: "))
    .map((chunk) => chunk.slice(6))
}

test("a guardian's halt message stops five nodes by gossip, with their experts, streams and API; a vote resumes", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      // Polling once a minute: within this test only gossip can bring the halt.
      const config: GovernanceConfig = { deployment: chain.deployment, pollIntervalMs: 60_000 }
      const bootstrap = yield* startBootstrapNode({
        identity: yield* Effect.promise(newIdentity),
        listen: LOOPBACK,
        governance: config
      })
      const address = bootstrap.multiaddrs()[0]!
      const experts: ExpertNode[] = [
        yield* startTestExpert({ modelPath: modelPath("stories260K.gguf"), bootstrap: [address], governance: config }),
        yield* startTestExpert({
          modelPath: modelPath("stories260K-q8_0.gguf"),
          bootstrap: [address],
          governance: config
        })
      ]
      const gatewayOptions: GatewayNodeOptions = {
        modelsDir: resolveModelsDir(),
        bootstrap: [address],
        host: "127.0.0.1",
        port: 0,
        governance: config
      }
      const gateway = yield* startGatewayNode(gatewayOptions)
      const plain = yield* governedNode(config, address)
      const views = [bootstrap.governance!, ...experts.map((expert) => expert.governance!), gateway.router.governance!]
      views.push(plain)
      expect(views).toHaveLength(5)
      expect(yield* Effect.promise(() => gateway.router.waitForExperts(2, 15_000))).toBe(true)

      // Work in flight: a direct session on an expert, and a long streamed completion through the gateway.
      const direct = yield* dialer
      const session = yield* Effect.promise(() =>
        openExpertSession(direct.dial, experts[0]!.multiaddrs()[0]!, {
          prompt: [1, 400, 500],
          topK: 4,
          tokenizerHash: experts[0]!.manifest.tokenizerHash
        })
      )
      const stream = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "stories260K", prompt: "Once upon a time", max_tokens: 400, stream: true })
        })
      )
      expect(stream.status).toBe(200)
      const events = readEvents(stream)

      const sender = yield* guardianNode(address)
      const message = yield* Effect.promise(() =>
        createHaltMessage(chain.clients, chain.deployment, chain.guardian, "runaway outputs", Date.now())
      )
      const sentAt = performance.now()
      yield* Effect.promise(() => sender.publish(HALT_TOPIC, message.bytes))
      const reached = yield* Effect.promise(() => eventually(() => allHalted(views), 5000, 2))
      const gossipMs = performance.now() - sentAt
      expect(reached).toBe(true)
      expect(views.every((view) => view.state().haltReason === "runaway outputs")).toBe(true)
      // The chain has not been told yet: this was gossip alone.
      expect((yield* Effect.promise(() => readChainHalted())).halted).toBe(false)

      // The stream ends with a mesh_halted error event, never [DONE].
      const data = yield* Effect.promise(() => events)
      expect(data.at(-1)).not.toBe("[DONE]")
      expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: "mesh_halted", message: "runaway outputs" } })
      // New requests: 503 with the reason.
      const refused = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "stories260K", prompt: "Once", max_tokens: 4 })
        })
      )
      expect(refused.status).toBe(503)
      expect(yield* Effect.promise(() => refused.json())).toMatchObject({
        error: { code: "mesh_halted", message: "runaway outputs" }
      })
      // The expert closed its sessions and refuses new ones with HALTED.
      const stepped = yield* Effect.promise(() =>
        session.step([600]).then(
          () => "answered",
          (error: Error) => error
        )
      )
      expect(stepped).not.toBe("answered")
      expect(
        yield* Effect.promise(() => eventually(() => experts.every((expert) => expert.openSessions() === 0), 2000))
      ).toBe(true)
      const reopened = yield* Effect.promise(() =>
        openExpertSession(direct.dial, experts[1]!.multiaddrs()[0]!, {
          prompt: [1, 400],
          topK: 4,
          tokenizerHash: experts[1]!.manifest.tokenizerHash
        }).then(
          () => undefined,
          (error: { code?: string }) => error.code
        )
      )
      expect(reopened).toBe("HALTED")

      // The chain catches up (mesh gov halt sends both); a second copy of the message changes nothing.
      yield* Effect.promise(() => haltOnChain(chain.clients, chain.deployment, chain.guardian, "runaway outputs"))
      yield* Effect.promise(() => sender.publish(HALT_TOPIC, message.bytes).catch(() => undefined))
      for (const view of views) yield* view.refresh
      expect(allHalted(views)).toBe(true)

      // Only an executed proposal resumes.
      yield* Effect.promise(() => resume("outputs reviewed"))
      for (const view of views) yield* view.refresh
      expect(noneHalted(views)).toBe(true)
      const answered = yield* Effect.promise(() =>
        fetch(`${gateway.url}/v1/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "stories260K", prompt: "Once", max_tokens: 4 })
        })
      )
      expect(answered.status).toBe(200)
      return { gossipMs }
    })
  )
  expect(outcome.gossipMs).toBeLessThan(5000)
}, 90_000)

const readChainHalted = async () => {
  const { readSnapshot } = await import("../../governance/chain/read.ts")
  return readSnapshot(chain.clients, chain.deployment)
}

test("a halt sent only to the chain reaches five nodes by polling; a replayed message after the resume halts none", async () => {
  const scope = Effect.runSync(Scope.make())
  try {
    const outcome = await Effect.runPromise(
      Scope.extend(
        Effect.gen(function* () {
          const config: GovernanceConfig = { deployment: chain.deployment, pollIntervalMs: 200 }
          const bootstrap = yield* startBootstrapNode({
            identity: yield* Effect.promise(newIdentity),
            listen: LOOPBACK,
            governance: config
          })
          const address = bootstrap.multiaddrs()[0]!
          const views: NodeGovernance[] = [bootstrap.governance!]
          for (let index = 0; index < 4; index++) views.push(yield* governedNode(config, address))
          const sender: P2PNode = yield* guardianNode(address)
          // A message signed now names the next halt; it is kept, to be replayed after the resume.
          const message = yield* Effect.promise(() =>
            createHaltMessage(chain.clients, chain.deployment, chain.guardian, "chain only", Date.now())
          )
          const sentAt = performance.now()
          yield* Effect.promise(() => haltOnChain(chain.clients, chain.deployment, chain.guardian, "chain only"))
          const reached = yield* Effect.promise(() => eventually(() => allHalted(views), 5000, 5))
          const chainMs = performance.now() - sentAt
          expect(reached).toBe(true)

          yield* Effect.promise(() => resume("chain-only halt reviewed"))
          expect(yield* Effect.promise(() => eventually(() => noneHalted(views), 5000, 5))).toBe(true)
          yield* Effect.promise(() => sender.publish(HALT_TOPIC, message.bytes))
          yield* Effect.promise(() =>
            eventually(() => (bootstrap.governance!.haltRejections().replayed ?? 0) > 0, 3000)
          )
          expect(bootstrap.governance!.haltRejections().replayed).toBe(1)
          // Refused at the first hop: it went no further, and no node halted.
          expect(noneHalted(views)).toBe(true)
          return { chainMs }
        }),
        scope
      )
    )
    expect(outcome.chainMs).toBeLessThan(5000)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}, 60_000)
