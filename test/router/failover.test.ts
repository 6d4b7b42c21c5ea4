// Answers survive experts that die or stall mid-generation. With greedy decoding and experts of the same weights
// (stories260K F32), the text under a fault equals the fault-free text token for token: survivors carry the step, and
// a replacement is brought to the same position by replaying the prefix with the original chunking.
import { Effect } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import type { ExpertNode } from "../../experts/expert-node.ts"
import { Inference } from "../../experts/inference/service.ts"
import { type GenerationEvent, generate } from "../../router/generation.ts"
import { type ExpertProcess, spawnExpert } from "../../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { type RouterNode, startRouterNode } from "../../runtime/router-node.ts"
import { type FaultProxy, startFaultProxy } from "../../testbed/fault-proxy.ts"
import { dialer, inferenceRunner, startTestExpert } from "../helpers/runtime.ts"

const { run } = inferenceRunner()
let experts: ExpertProcess[] = []

beforeAll(async () => {
  experts = await Promise.all([0, 1, 2, 3].map(() => spawnExpert(modelPath("stories260K.gguf"))))
}, 90_000)
afterAll(async () => {
  await Promise.all(
    experts.map((expert) => {
      expert.child.kill("SIGCONT")
      return expert.stop()
    })
  )
})

type Fault = (expert: ExpertProcess) => void

/** Generates greedily; at the 10th token applies `fault` to the first expert of the generation. */
const generateWith = async (router: RouterNode, k: number, fault?: Fault) => {
  let started: ReadonlyArray<string> = []
  let count = 0
  let finished: Extract<GenerationEvent, { _tag: "Finished" }> | undefined
  for await (const event of router.generate({
    prompt: "Once upon a time",
    k,
    maxTokens: 48,
    sampling: { temperature: 0 }
  })) {
    if (event._tag === "Started") started = event.experts
    if (event._tag === "Token" && ++count === 10 && fault !== undefined) {
      fault(experts.find((expert) => expert.peerId === started[0])!)
    }
    if (event._tag === "Finished") finished = event
  }
  return finished!
}

test("a stalled expert (SIGSTOP), a killed one at K = 2 and the only one at K = 1: the text is the fault-free text", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const router = yield* startRouterNode({
        modelsDir: resolveModelsDir(),
        experts: experts.map((expert) => expert.multiaddrs[0]!)
      })
      return yield* Effect.promise(async () => {
        const reference = await generateWith(router, 2)
        const stalled = await generateWith(router, 2, (expert) => expert.child.kill("SIGSTOP"))
        const killed = await generateWith(router, 2, (expert) => expert.child.kill("SIGKILL"))
        const alone = await generateWith(router, 1, (expert) => expert.child.kill("SIGKILL"))
        return { reference, stalled, killed, alone }
      })
    })
  )
  expect(outcome.reference.tokens).toHaveLength(48)
  expect(outcome.reference.replacements).toBe(0)
  for (const faulty of [outcome.stalled, outcome.killed, outcome.alone]) {
    expect(faulty.tokens).toEqual(outcome.reference.tokens)
    expect(faulty.replacements).toBeGreaterThanOrEqual(1)
  }
  // At K = 2 the survivor carried the steps only until the replacement had replayed the prefix and joined.
  for (const faulty of [outcome.stalled, outcome.killed]) expect(faulty.degradedSteps).toBeLessThan(10)
  console.log(
    `degraded steps: stalled ${outcome.stalled.degradedSteps}, killed ${outcome.killed.degradedSteps}, alone ${outcome.alone.degradedSteps}`
  )
}, 120_000)

test("a replacement that opens only after the generation ended is closed, not left open on its expert", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const model = modelPath("stories260K.gguf")
      const [first, second, late] = [
        yield* startTestExpert({ modelPath: model }),
        yield* startTestExpert({ modelPath: model }),
        yield* startTestExpert({ modelPath: model })
      ]
      const node = yield* dialer
      const tokenizer = yield* Effect.flatMap(Inference, (inference) => inference.loadTokenizer(model))
      const tcp = (address: string) => {
        const [, host, port] = /\/ip4\/([^/]+)\/tcp\/(\d+)/.exec(address)!
        return { host: host!, port: Number(port) }
      }
      const proxied = (expert: ExpertNode, proxy: FaultProxy) =>
        `/ip4/${proxy.host}/tcp/${proxy.port}/p2p/${expert.peerId}`
      // The first expert's link will be reset; the late one is 600 ms of round trip away.
      const firstProxy = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startFaultProxy({ targetHost: "127.0.0.1", targetPort: tcp(first.multiaddrs()[0]!).port })
        ),
        (proxy) => Effect.promise(() => proxy.close())
      )
      const lateProxy = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startFaultProxy({
            targetHost: "127.0.0.1",
            targetPort: tcp(late.multiaddrs()[0]!).port,
            faults: { delayMs: 300 }
          })
        ),
        (proxy) => Effect.promise(() => proxy.close())
      )
      const handle = (expert: ExpertNode, address: string) => ({
        peerId: expert.peerId,
        address,
        manifest: expert.manifest
      })
      const chosen = [handle(first, proxied(first, firstProxy)), handle(second, second.multiaddrs()[0]!)]
      const replacement = handle(late, proxied(late, lateProxy))
      return yield* Effect.promise(async () => {
        let tokens = 0
        let finished: Extract<GenerationEvent, { _tag: "Finished" }> | undefined
        for await (const event of generate(node.dial, tokenizer, chosen, {
          prompt: tokenizer.encodePrompt("Once upon a time"),
          maxTokens: 6,
          sampling: { temperature: 0 },
          failover: { replacement: () => replacement, failed: () => undefined, stepDeadlineMs: 5000 }
        })) {
          if (event._tag === "Token" && ++tokens === 2) firstProxy.resetAll()
          if (event._tag === "Finished") finished = event
        }
        const endedAt = performance.now()
        // The late session opens seconds after it was asked for (dial, handshake and OpenSession cross the slow link).
        let opened = 0
        while (performance.now() - endedAt < 15_000) {
          opened = Math.max(opened, late.totals().sessions)
          if (opened > 0 && late.openSessions() === 0) break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        return { finished: finished!, lateOpened: late.totals().sessions, lateOpen: late.openSessions() }
      })
    })
  )
  expect(outcome.finished.tokens).toHaveLength(6)
  expect(outcome.finished.replacements).toBe(1)
  // It did open (after the end), and it was closed at once.
  expect(outcome.lateOpened).toBe(1)
  expect(outcome.lateOpen).toBe(0)
}, 60_000)
