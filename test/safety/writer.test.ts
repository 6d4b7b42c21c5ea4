// Grammar-constrained task writing with real stories260K experts over libp2p: 100 tasks, every one a catalog action.
import { Either, Schema } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import { asPeerId } from "../../router/registry/events.ts"
import { getExpert } from "../../router/registry/state.ts"
import { ActionSchema, catalogSchema } from "../../safety/catalog.ts"
import { compileGrammar, matches } from "../../safety/grammar.ts"
import { createMasker, vocabularyOf } from "../../safety/token-mask.ts"
import { writeTask } from "../../safety/writer.ts"
import { type SafetyWorld, STORIES, safetyWorld } from "./swarm.ts"

let world: SafetyWorld
beforeAll(async () => {
  world = await safetyWorld({ models: STORIES })
}, 60_000)
afterAll(() => world?.close())

const decode = Schema.decodeUnknownEither(ActionSchema, { onExcessProperty: "error" })

test("100 tasks written by three stories260K experts all parse into catalog actions", async () => {
  const { router } = world
  const family = router.largestFamily()!
  const tokenizer = await router.tokenizer(family)
  const vocabulary = vocabularyOf(tokenizer)
  const peers = router.watcher
    .state()
    .experts.pipe((experts) => [...experts].map(([peerId]) => peerId))
    .sort()
  const grammar = compileGrammar(catalogSchema({ peers, maxK: peers.length }))
  const masker = createMasker(grammar, vocabulary)
  const handles = peers.map((peerId) => ({
    peerId,
    address: peerId,
    manifest: getExpert(router.watcher.state(), asPeerId(peerId))!.manifest
  }))
  const prompt = tokenizer.encodePrompt("The mesh has three experts. The next task is:")
  const types = new Map<string, number>()
  const maskMs: number[] = []
  const cycleMs: number[] = []
  let steps = 0
  let tokens = 0
  for (let seed = 1; seed <= 100; seed++) {
    const started = performance.now()
    const written = await writeTask(router.dial, {
      prompt,
      experts: handles,
      grammar,
      masker,
      vocabulary,
      sampling: { temperature: 1, seed }
    })
    cycleMs.push(performance.now() - started)
    maskMs.push(...written.maskMs)
    steps += written.steps
    tokens += written.tokens.length
    expect(matches(grammar, written.text), written.text).toBe(true)
    // The text the experts' own detokenizer reads back is the text the grammar checked.
    const full = tokenizer.detokenize([...prompt, ...written.tokens])
    expect(full.endsWith(written.text), `${full} / ${written.text}`).toBe(true)
    const action = decode(JSON.parse(written.text))
    expect(Either.isRight(action), written.text).toBe(true)
    if (Either.isRight(action)) types.set(action.right.type, (types.get(action.right.type) ?? 0) + 1)
  }
  // Sampling at temperature 1 spreads over the catalog: not one type written 100 times.
  expect(types.size).toBeGreaterThanOrEqual(3)
  const sorted = [...maskMs].sort((a, b) => a - b)
  const cycles = [...cycleMs].sort((a, b) => a - b)
  console.log(
    JSON.stringify({
      types: Object.fromEntries(types),
      tokensPerTask: tokens / 100,
      roundTripsPerTask: steps / 100,
      maskMsMedian: sorted[Math.floor(sorted.length / 2)],
      maskMsMax: sorted[sorted.length - 1],
      masksComputed: masker.computed(),
      taskMsMedian: cycles[50],
      taskMsMax: cycles[99]
    })
  )
}, 300_000)
