// Sticky sessions: a chat's next turn goes to the same expert and reuses its KV cache from the longest common prefix,
// so the earlier turns are not evaluated again; parked sessions expire on the router's own clock.
import { Effect } from "effect"
import { expect, test } from "vitest"
import type { GenerationEvent } from "../../router/generation.ts"
import type { Slot } from "../../router/session-slots.ts"
import { createStickySessions } from "../../router/sticky-sessions.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { inferenceRunner, startTestExpert } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

const finish = async (events: AsyncGenerator<GenerationEvent>) => {
  for await (const event of events) if (event._tag === "Finished") return event
  throw new Error("no Finished event")
}

test("a second turn reuses the first turn's session; a diverging turn rewinds to the shared prefix", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: modelPath("stories260K.gguf") })
      const router = yield* startRouterNode({
        modelsDir: resolveModelsDir(),
        experts: expert.multiaddrs(),
        stickySessions: true
      })
      const fresh = yield* startRouterNode({ modelsDir: resolveModelsDir(), experts: expert.multiaddrs() })
      const tokenizer = yield* Effect.promise(() => router.tokenizer(expert.manifest.tokenizerHash))
      return yield* Effect.promise(async () => {
        const greedy = (prompt: ReadonlyArray<number>) => ({
          prompt,
          k: 1,
          maxTokens: 16,
          sampling: { temperature: 0 }
        })
        const first = tokenizer.encodePrompt("Once upon a time, there was a little girl named Lily. She")
        const turn1 = await finish(router.generate(greedy(first)))
        const afterTurn1 = { ...expert.totals(), open: expert.openSessions(), sticky: router.sticky() }

        const second = [...first, ...turn1.tokens, ...tokenizer.tokenize(" The end. Then")]
        const turn2 = await finish(router.generate(greedy(second)))
        const afterTurn2 = expert.totals()

        // A different continuation of the first prompt: the parked session must rewind to it.
        const third = [...first, ...tokenizer.tokenize(", a dog named Max")]
        const turn3 = await finish(router.generate(greedy(third)))
        const afterTurn3 = expert.totals()
        const reference = await finish(fresh.generate(greedy(third)))
        return { first, second, third, turn1, turn2, turn3, reference, afterTurn1, afterTurn2, afterTurn3 }
      })
    })
  )
  const { first, second, third, turn2, turn3, reference, afterTurn1, afterTurn2, afterTurn3 } = outcome
  expect(afterTurn1.sticky.parked).toBe(1)
  expect(afterTurn1.open).toBe(1)

  // Turn 2: no new session, and only the tokens after the shared prefix were evaluated.
  expect(afterTurn2.sessions).toBe(afterTurn1.sessions)
  expect(turn2.reusedTokens).toBeGreaterThanOrEqual(first.length + 15)
  expect(afterTurn2.tokens - afterTurn1.tokens).toBe(second.length - turn2.reusedTokens + 15)

  // Turn 3 shares only the first prompt with what the session holds.
  expect(afterTurn3.sessions).toBe(afterTurn2.sessions)
  expect(turn3.reusedTokens).toBe(first.length)
  expect(afterTurn3.tokens - afterTurn2.tokens).toBe(third.length - first.length + 15)
  // The rewound session answers as a fresh one does.
  expect(turn3.tokens).toEqual(reference.tokens)
})

test("parked sessions are closed after the idle time, and the oldest beyond the cap", async () => {
  const closed: string[] = []
  const slot = (name: string) =>
    ({
      expert: { peerId: name, manifest: { maxSessions: 8 } },
      session: {
        park: async () => undefined,
        close: async () => {
          closed.push(name)
        }
      }
    }) as unknown as Slot
  const sticky = createStickySessions({ idleMs: 50, maxParked: 2 })
  const parked = (name: string) => ({ tokenizerHash: "h", topK: 16, tokens: Array(20).fill(7), slots: [slot(name)] })
  sticky.park(parked("a"))
  sticky.park(parked("b"))
  sticky.park(parked("c"))
  expect(closed).toEqual(["a"])
  expect(sticky.take(Array(30).fill(7), "h", 16, 1)?.keep).toBe(20)
  expect(sticky.take(Array(30).fill(7), "other", 16, 1)).toBeUndefined()
  await new Promise((resolve) => setTimeout(resolve, 120))
  expect(closed.sort()).toEqual(["a", "c"])
  expect(sticky.parked()).toBe(0)
})

test("parked sessions hold at most half of an expert's sessions; a full expert gets them back", async () => {
  const closed: string[] = []
  const slot = (name: string, peerId: string) =>
    ({
      expert: { peerId, manifest: { maxSessions: 4 } },
      session: {
        park: async () => undefined,
        close: async () => {
          closed.push(name)
        }
      }
    }) as unknown as Slot
  const sticky = createStickySessions({ idleMs: 10_000 })
  const parked = (name: string, peerId: string) => ({
    tokenizerHash: "h",
    topK: 16,
    tokens: [1],
    slots: [slot(name, peerId)]
  })
  sticky.park(parked("a1", "a"))
  sticky.park(parked("a2", "a"))
  sticky.park(parked("a3", "a")) // a holds 4 sessions: 2 may be parked, the oldest gives way
  sticky.park(parked("b1", "b"))
  expect(closed).toEqual(["a1"])
  expect(await sticky.release("a")).toBe(2)
  expect(closed.sort()).toEqual(["a1", "a2", "a3"])
  expect(sticky.parked()).toBe(1)
  sticky.closeAll()
})

test("one router's parked sessions give way at once to another router's request, and their next turn still answers", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: modelPath("stories260K.gguf"), maxSessions: 2 })
      const routerOptions = { modelsDir: resolveModelsDir(), experts: expert.multiaddrs(), stickySessions: true }
      const chatA = yield* startRouterNode(routerOptions)
      const chatB = yield* startRouterNode(routerOptions)
      const other = yield* startRouterNode({ ...routerOptions, stickySessions: false })
      const tokenizer = yield* Effect.promise(() => chatA.tokenizer(expert.manifest.tokenizerHash))
      return yield* Effect.promise(async () => {
        const greedy = (prompt: ReadonlyArray<number>) => ({
          prompt,
          k: 1,
          maxTokens: 12,
          sampling: { temperature: 0 }
        })
        const prompt = tokenizer.encodePrompt("Once upon a time, there was a little girl named Lily. She")
        const turnA = await finish(chatA.generate(greedy(prompt)))
        await finish(chatB.generate(greedy(prompt)))
        const parkedOnExpert = expert.openSessions()
        // The expert is full of parked sessions; a request from a third router must not wait for them to expire.
        const started = performance.now()
        const third = await finish(other.generate(greedy(prompt)))
        const thirdMs = performance.now() - started
        // Chat A's session was the longest parked and gave way: its next turn opens a fresh one and answers the same.
        const next = [...prompt, ...turnA.tokens, ...tokenizer.tokenize(" Then")]
        const turnA2 = await finish(chatA.generate(greedy(next)))
        const reference = await finish(other.generate(greedy(next)))
        return { parkedOnExpert, third, thirdMs, turnA, turnA2, reference }
      })
    })
  )
  expect(outcome.parkedOnExpert).toBe(2)
  expect(outcome.third.tokens).toEqual(outcome.turnA.tokens)
  // Well under the one-second idle rule that applies to sessions nobody said were parked.
  expect(outcome.thirdMs).toBeLessThan(900)
  expect(outcome.turnA2.reusedTokens).toBe(0)
  expect(outcome.turnA2.tokens).toEqual(outcome.reference.tokens)
})
