// npm run bench:skeleton — local node-llama-cpp generation against the mesh at K = 1, 2, 3 on loopback, same model,
// same run, interleaved so machine noise falls on every configuration alike.
import { Effect, ManagedRuntime } from "effect"
import { Inference, InferenceLive } from "../experts/inference/service.ts"
import { type ExpertProcess, spawnExpert } from "../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../runtime/models-dir.ts"
import { startRouterNode } from "../runtime/router-node.ts"
import { machine, median, table, writeResult } from "./report.ts"
import { startTcpCounter, type TcpCounter } from "./tcp-counter.ts"

const MODEL = "stories260K.gguf"
const PROMPT = "Once upon a time"
const TOKENS = Number(process.env.BENCH_TOKENS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const TOP_K = 16

interface MeshRun {
  readonly seconds: number
  readonly tokens: ReadonlyArray<number>
  /** Per expert per token: frame bytes (protobuf + length prefix), request and answer. */
  readonly frameUp: number
  readonly frameDown: number
  /** Per expert per token: TCP payload bytes (noise + yamux + frames), each way. */
  readonly wireUp: number
  readonly wireDown: number
}

const program = Effect.gen(function* () {
  const inference = yield* Inference
  const path = modelPath(MODEL)
  const experts: ExpertProcess[] = yield* Effect.acquireRelease(
    Effect.promise(() => Promise.all([0, 1, 2].map(() => spawnExpert(path)))),
    (all) => Effect.promise(() => Promise.all(all.map((expert) => expert.stop())))
  )
  const counters: TcpCounter[] = yield* Effect.acquireRelease(
    Effect.promise(() =>
      Promise.all(
        experts.map((expert) => {
          const port = Number(/\/tcp\/(\d+)/.exec(expert.multiaddrs[0]!)![1])
          return startTcpCounter("127.0.0.1", port)
        })
      )
    ),
    (all) => Effect.promise(() => Promise.all(all.map((counter) => counter.close())))
  )
  // The router dials each expert through its counter, so every byte between them is counted.
  const addresses = experts.map((expert, index) => {
    const peer = expert.multiaddrs[0]!.split("/p2p/")[1]
    return `/ip4/127.0.0.1/tcp/${counters[index]!.port}/p2p/${peer}`
  })
  // Pings are spaced out so that the wire counts are the generations' own traffic.
  const router = yield* startRouterNode({ modelsDir: resolveModelsDir(), experts: addresses, pingIntervalMs: 600_000 })
  const tokenizer = yield* Effect.promise(() => router.tokenizer(experts[0]!.manifest.tokenizerHash))
  const prompt = tokenizer.encodePrompt(PROMPT)

  const meshRun = (k: number) =>
    Effect.promise(async (): Promise<MeshRun> => {
      const before = counters.map((counter) => counter.counts())
      const started = performance.now()
      let tokens: ReadonlyArray<number> = []
      let bytes: ReadonlyArray<{ peerId: string; sent: number; received: number }> = []
      for await (const event of router.generate({
        prompt,
        k,
        maxTokens: TOKENS,
        topK: TOP_K,
        sampling: { temperature: 0, seed: 0 }
      })) {
        if (event._tag === "Finished") {
          tokens = event.tokens
          bytes = event.experts
        }
      }
      const seconds = (performance.now() - started) / 1000
      const used = new Set(bytes.map((entry) => entry.peerId))
      let wireUp = 0
      let wireDown = 0
      counters.forEach((counter, index) => {
        if (!used.has(experts[index]!.peerId)) return
        wireUp += counter.counts().up - before[index]!.up
        wireDown += counter.counts().down - before[index]!.down
      })
      const perExpertToken = (total: number) => total / k / tokens.length
      return {
        seconds,
        tokens,
        frameUp: perExpertToken(bytes.reduce((sum, entry) => sum + entry.sent, 0)),
        frameDown: perExpertToken(bytes.reduce((sum, entry) => sum + entry.received, 0)),
        wireUp: perExpertToken(wireUp),
        wireDown: perExpertToken(wireDown)
      }
    })

  // The expert's own work without the network: the adapter's top-k chain in this process.
  const model = yield* inference.loadExpert(path)
  const adapterRun = Effect.promise(async () => {
    const sequence = await model.openSequence()
    const started = performance.now()
    let next = await sequence.evaluate(prompt, { topK: TOP_K })
    for (let index = 1; index < TOKENS; index++) next = await sequence.evaluate([next.tokens[0]!], { topK: TOP_K })
    const seconds = (performance.now() - started) / 1000
    sequence.dispose()
    return TOKENS / seconds
  })

  const local: number[] = []
  const adapter: number[] = []
  const mesh: Record<number, MeshRun[]> = { 1: [], 2: [], 3: [] }
  let localTokens: ReadonlyArray<number> = []
  // One warm-up of each, then interleaved rounds.
  yield* inference.generateLocally(path, prompt, TOKENS)
  yield* adapterRun
  for (const k of [1, 2, 3]) yield* meshRun(k)
  for (let round = 0; round < ROUNDS; round++) {
    const generation = yield* inference.generateLocally(path, prompt, TOKENS)
    localTokens = generation.tokens
    local.push(generation.tokens.length / generation.seconds)
    adapter.push(yield* adapterRun)
    for (const k of [1, 2, 3]) mesh[k]!.push(yield* meshRun(k))
  }

  const localRate = median(local)
  const rows = [1, 2, 3].map((k) => {
    const runs = mesh[k]!
    const rate = median(runs.map((entry) => entry.tokens.length / entry.seconds))
    return {
      k,
      tokensPerSecond: rate,
      ratioToLocal: rate / localRate,
      overheadMsPerToken: 1000 / rate - 1000 / localRate,
      frameBytesPerExpertPerToken: {
        up: median(runs.map((r) => r.frameUp)),
        down: median(runs.map((r) => r.frameDown))
      },
      wireBytesPerExpertPerToken: { up: median(runs.map((r) => r.wireUp)), down: median(runs.map((r) => r.wireDown)) },
      sameTokensAsLocal: runs.every((entry) => entry.tokens.join() === localTokens.join())
    }
  })
  const result = {
    benchmark: "skeleton",
    machine: machine(),
    model: MODEL,
    prompt: PROMPT,
    tokens: TOKENS,
    rounds: ROUNDS,
    topK: TOP_K,
    local: { tokensPerSecond: localRate, runs: local },
    adapterTopK: { tokensPerSecond: median(adapter), runs: adapter },
    mesh: rows,
    targets: {
      k1AtLeastHalfLocal: rows[0]!.ratioToLocal >= 0.5,
      wireUnder200BytesPerExpertPerToken: rows.every(
        (row) => row.wireBytesPerExpertPerToken.up + row.wireBytesPerExpertPerToken.down < 200
      )
    }
  }
  const file = writeResult("skeleton", result)
  const format = (value: number, digits = 1) => value.toFixed(digits)
  console.log(`bench:skeleton  ${MODEL}, ${TOKENS} greedy tokens, top-${TOP_K}, median of ${ROUNDS} interleaved rounds`)
  console.log(`local node-llama-cpp: ${format(localRate)} tokens/s (${format(1000 / localRate, 3)} ms/token)`)
  console.log(
    `expert adapter alone (top-${TOP_K} chain, no network): ${format(median(adapter))} tokens/s (${format(1000 / median(adapter), 3)} ms/token)\n`
  )
  console.log(
    table(
      ["K", "tokens/s", "x local", "overhead ms/tok", "frame B up+down", "wire B up+down", "= local"],
      rows.map((row) => [
        String(row.k),
        format(row.tokensPerSecond),
        format(row.ratioToLocal, 2),
        format(row.overheadMsPerToken, 3),
        `${format(row.frameBytesPerExpertPerToken.up)} + ${format(row.frameBytesPerExpertPerToken.down)}`,
        `${format(row.wireBytesPerExpertPerToken.up)} + ${format(row.wireBytesPerExpertPerToken.down)}`,
        row.k === 1 ? String(row.sameTokensAsLocal) : "-"
      ])
    )
  )
  console.log("\nbytes are per expert per generated token; wire = TCP payload (noise + yamux + frames)")
  console.log(
    `targets: K=1 >= 0.5x local: ${result.targets.k1AtLeastHalfLocal}; wire < 200 B: ${result.targets.wireUnder200BytesPerExpertPerToken}`
  )
  console.log(`wrote ${file}`)
})

const runtime = ManagedRuntime.make(InferenceLive)
await runtime.runPromise(Effect.scoped(program))
await runtime.dispose()
