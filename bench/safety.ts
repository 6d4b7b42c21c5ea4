// npm run bench:safety — what grammar-constrained task writing costs. Three stories260K expert processes, K = 3 on
// loopback. Measured in one run: indexing the vocabulary and compiling the catalog grammar; a token mask computed
// (a state seen for the first time) and served from the cache; writing a task under the grammar against the same
// experts generating the same number of tokens unconstrained (the baseline); and whole self-prompt cycles (write,
// gate, run or propose, record in level). BENCH_TASKS (40) and BENCH_CYCLES (12) override its size.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import { InferenceLive } from "../experts/inference/service.ts"
import { layerMemory } from "../governance/service.ts"
import { asPeerId } from "../router/registry/events.ts"
import { getExpert } from "../router/registry/state.ts"
import { type ExpertProcess, spawnExpert } from "../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../runtime/models-dir.ts"
import { startRouterNode } from "../runtime/router-node.ts"
import { catalogSchema } from "../safety/catalog.ts"
import { startSafety } from "../safety/controller.ts"
import { compileGrammar } from "../safety/grammar.ts"
import { createMasker, indexVocabulary, vocabularyOf } from "../safety/token-mask.ts"
import { writeTask } from "../safety/writer.ts"
import { layerLevel } from "../store/store.ts"
import { machine, median, percentile, table, writeResult } from "./report.ts"

const MODELS = ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"]
const TASKS = Number(process.env.BENCH_TASKS ?? 40)
const CYCLES = Number(process.env.BENCH_CYCLES ?? 12)
const PROMPT = "The mesh has three experts. The next task is:"

const ms = (value: number, digits = 2) => value.toFixed(digits)

const main = Effect.gen(function* () {
  const experts: ExpertProcess[] = yield* Effect.acquireRelease(
    Effect.promise(() => Promise.all(MODELS.map((name) => spawnExpert(modelPath(name))))),
    (started) => Effect.promise(() => Promise.all(started.map((expert) => expert.stop())))
  )
  const router = yield* startRouterNode({
    modelsDir: resolveModelsDir(),
    experts: experts.map((expert) => expert.multiaddrs[0]!)
  })
  const family = router.largestFamily()!
  const tokenizer = yield* Effect.promise(() => router.tokenizer(family))
  const peers = experts.map((expert) => expert.peerId).sort()
  const handles = peers.map((peerId) => ({
    peerId,
    address: peerId,
    manifest: getExpert(router.watcher.state(), asPeerId(peerId))!.manifest
  }))

  // One-off costs: the vocabulary trie (once per tokenizer) and the grammar (once per registry view).
  let started = performance.now()
  const vocabulary = vocabularyOf(tokenizer)
  const indexMs = performance.now() - started
  started = performance.now()
  indexVocabulary(vocabulary.pieces)
  const trieMs = performance.now() - started
  started = performance.now()
  const grammar = compileGrammar(catalogSchema({ peers, maxK: peers.length }))
  const compileMs = performance.now() - started
  const masker = createMasker(grammar, vocabulary)

  // Constrained writes, each followed by an unconstrained generation of as many tokens with the same experts.
  const prompt = tokenizer.encodePrompt(PROMPT)
  const constrained: number[] = []
  const free: number[] = []
  const maskMs: number[] = []
  const tokens: number[] = []
  const roundTrips: number[] = []
  for (let seed = 1; seed <= TASKS; seed++) {
    started = performance.now()
    const written = yield* Effect.promise(() =>
      writeTask(router.dial, {
        prompt,
        experts: handles,
        grammar,
        masker,
        vocabulary,
        sampling: { temperature: 1, seed }
      })
    )
    constrained.push(performance.now() - started)
    maskMs.push(...written.maskMs)
    tokens.push(written.tokens.length)
    roundTrips.push(written.steps)
    started = performance.now()
    yield* Effect.promise(async () => {
      for await (const _event of router.generate({
        prompt: PROMPT,
        k: 3,
        only: peers,
        maxTokens: written.tokens.length,
        sampling: { temperature: 1, seed }
      })) {
        // events not needed
      }
    })
    free.push(performance.now() - started)
  }
  // Cold masks: every state of the grammar this run reached, computed again on a fresh cache.
  const cold = createMasker(grammar, vocabulary)
  const coldMs: number[] = []
  const seen = new Set<string>()
  const walk = (state: typeof grammar.start, depth: number) => {
    if (seen.has(state.key) || state.final || depth > grammar.maxLength) return
    seen.add(state.key)
    const at = performance.now()
    const mask = cold.mask(state)
    coldMs.push(performance.now() - at)
    if (seen.size < 2000) for (const token of mask.tokens.slice(0, 3)) walk(mask.next.get(token)!, depth + 1)
  }
  walk(grammar.start, 0)

  // Whole cycles of the loop: write, gate (phase 0), run or propose, record in level.
  const dataDir = mkdtempSync(join(tmpdir(), "mesh-bench-safety-"))
  const cycles = yield* Effect.scoped(
    Effect.gen(function* () {
      const safety = yield* startSafety(router, { intervalMs: 0, sampling: { temperature: 1, seed: 7 } })
      yield* safety.startLoops(1, CYCLES)
      yield* safety.awaitLoops
      return yield* safety.tasks(CYCLES)
    }).pipe(Effect.provide(Layer.merge(layerMemory(), layerLevel(join(dataDir, "tasks")))))
  )
  rmSync(dataDir, { recursive: true, force: true })
  const cycleMs = cycles.map((task) => task.finishedAt - task.startedAt)
  const decisions: Record<string, number> = {}
  for (const task of cycles) decisions[task.decision] = (decisions[task.decision] ?? 0) + 1

  const perToken = (times: ReadonlyArray<number>) => times.map((time, index) => time / tokens[index]!)
  const result = {
    machine: machine(),
    experts: MODELS,
    k: 3,
    tasks: TASKS,
    vocabularyIndexMs: indexMs,
    trieOnlyMs: trieMs,
    grammarCompileMs: compileMs,
    grammarStatesMasked: masker.computed(),
    maskColdMs: { p50: median(coldMs), p99: percentile(coldMs, 99), max: Math.max(...coldMs), states: coldMs.length },
    maskPerTokenMs: { p50: median(maskMs), p99: percentile(maskMs, 99) },
    tokensPerTask: median(tokens),
    roundTripsPerTask: median(roundTrips),
    constrainedTaskMs: { p50: median(constrained), p90: percentile(constrained, 90) },
    unconstrainedSameTokensMs: { p50: median(free), p90: percentile(free, 90) },
    constrainedMsPerToken: median(perToken(constrained)),
    unconstrainedMsPerToken: median(perToken(free)),
    cycleMs: { p50: median(cycleMs), p90: percentile(cycleMs, 90), cycles: cycleMs.length },
    decisions
  }
  const rows = [
    ["vocabulary index (once per tokenizer)", `${ms(indexMs)} ms`, `trie alone ${ms(trieMs)} ms`],
    ["catalog grammar compile", `${ms(compileMs)} ms`, `${peers.length} peers`],
    [
      "mask, state seen first",
      `p50 ${ms(result.maskColdMs.p50, 3)} ms`,
      `p99 ${ms(result.maskColdMs.p99, 3)} ms, ${coldMs.length} states`
    ],
    [
      "mask per token (cached)",
      `p50 ${ms(result.maskPerTokenMs.p50 * 1000, 1)} µs`,
      `p99 ${ms(result.maskPerTokenMs.p99 * 1000, 1)} µs`
    ],
    [
      "task, grammar-constrained",
      `p50 ${ms(result.constrainedTaskMs.p50, 1)} ms`,
      `${result.tokensPerTask} tokens, ${result.roundTripsPerTask} round trips`
    ],
    ["same tokens, unconstrained", `p50 ${ms(result.unconstrainedSameTokensMs.p50, 1)} ms`, "router.generate, K = 3"],
    [
      "per token: constrained / free",
      `${ms(result.constrainedMsPerToken)} / ${ms(result.unconstrainedMsPerToken)} ms`,
      `ratio ${ms(result.constrainedMsPerToken / result.unconstrainedMsPerToken)}`
    ],
    [
      "self-prompt cycle (write+gate+act+record)",
      `p50 ${ms(result.cycleMs.p50, 0)} ms`,
      `p90 ${ms(result.cycleMs.p90, 0)} ms, ${JSON.stringify(decisions)}`
    ]
  ]
  process.stdout.write(`${table(["what", "cost", "notes"], rows)}\n`)
  process.stdout.write(`written to ${writeResult("safety", result)}\n`)
})

const runtime = ManagedRuntime.make(InferenceLive)
await runtime.runPromise(Effect.scoped(main))
await runtime.dispose()
