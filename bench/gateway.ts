// npm run bench:gateway — what the OpenAI-compatible HTTP gateway costs over calling the router directly: C = 1, 4, 16
// concurrent streaming clients, K = 2 over two expert processes, gateway and direct runs alternated so machine noise
// falls on both. Per request: time to first token and inter-token latencies; per run: aggregate tokens/s.
import { Effect, ManagedRuntime } from "effect"
import { InferenceLive } from "../experts/inference/service.ts"
import { startGatewayNode } from "../gateway/gateway-node.ts"
import { startBootstrapNode } from "../runtime/bootstrap-node.ts"
import { type ExpertProcess, spawnExpert } from "../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../runtime/models-dir.ts"
import { newIdentity } from "../runtime/p2p/identity.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import { machine, median, percentile, table, writeResult } from "./report.ts"

const MODEL = "stories260K.gguf"
const PROMPT = "Once upon a time"
const K = 2
const CLIENTS = [1, 4, 16]
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
// As many sessions per expert as clients: every client holds one session on each expert at K = 2.
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? Math.max(...CLIENTS))

type Path = "gateway" | "direct"

/** One streamed request: time to first content, gaps between successive contents, tokens generated. */
interface Sample {
  readonly ttftMs: number
  readonly itlMs: ReadonlyArray<number>
  readonly tokens: number
}

interface Run {
  readonly seconds: number
  readonly samples: ReadonlyArray<Sample>
  readonly errors: ReadonlyArray<string>
}

const sample = (sent: number, contents: ReadonlyArray<number>, tokens: number): Sample => {
  if (contents.length === 0) throw new Error("no content arrived")
  return {
    ttftMs: contents[0]! - sent,
    itlMs: contents.slice(1).map((at, index) => at - contents[index]!),
    tokens
  }
}

/** POST /v1/completions with stream: true, read with plain fetch and `data:` line parsing. */
const viaGateway =
  (url: string, model: string) =>
  async (seed: number): Promise<Sample> => {
    const sent = performance.now()
    const response = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model,
        prompt: PROMPT,
        max_tokens: TOKENS,
        temperature: 1,
        seed,
        stream: true,
        stream_options: { include_usage: true },
        mesh: { k: K }
      })
    })
    if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}: ${await response.text()}`)
    const contents: number[] = []
    const decoder = new TextDecoder()
    let buffer = ""
    let tokens: number | undefined
    let done = false
    for await (const chunk of response.body) {
      const now = performance.now()
      buffer += decoder.decode(chunk, { stream: true })
      const lines = buffer.split("\n")
      buffer = lines.pop() ?? ""
      for (const line of lines) {
        if (!line.startsWith("data:")) continue
        const data = line.slice(5).trim()
        if (data === "[DONE]") {
          done = true
          continue
        }
        const event = JSON.parse(data) as {
          error?: { message: string }
          choices?: ReadonlyArray<{ text?: string }>
          usage?: { completion_tokens: number } | null
        }
        if (event.error !== undefined) throw new Error(`stream error: ${event.error.message}`)
        if ((event.choices?.[0]?.text ?? "").length > 0) contents.push(now)
        // Content chunks carry usage: null; the last chunk before [DONE] carries the counts.
        if (event.usage?.completion_tokens !== undefined) tokens = event.usage.completion_tokens
      }
    }
    if (!done || tokens === undefined) throw new Error("the stream ended without usage and [DONE]")
    return sample(sent, contents, tokens)
  }

/** The same generation on the router itself; a content is a Token event with text (what the gateway streams). */
const viaRouter =
  (router: RouterNode, family: string, prompt: ReadonlyArray<number>) =>
  async (seed: number): Promise<Sample> => {
    const sent = performance.now()
    const contents: number[] = []
    let tokens: number | undefined
    for await (const event of router.generate({
      prompt,
      k: K,
      family,
      maxTokens: TOKENS,
      sampling: { temperature: 1, topP: 1, seed },
      stop: []
    })) {
      if (event._tag === "Token" && event.text.length > 0) contents.push(performance.now())
      if (event._tag === "Finished") {
        if (event.rest.length > 0) contents.push(performance.now())
        tokens = event.tokens.length
      }
    }
    if (tokens === undefined) throw new Error("the generation ended without finishing")
    return sample(sent, contents, tokens)
  }

/** `clients` concurrent loops of `requests` back-to-back requests; seeds depend on (seedBase, client, request) only. */
const runClients = async (
  clients: number,
  requests: number,
  seedBase: number,
  request: (seed: number) => Promise<Sample>
): Promise<Run> => {
  const samples: Sample[] = []
  const errors: string[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = 0; index < requests; index++) {
        try {
          samples.push(await request(seedBase + client * requests + index))
        } catch (cause) {
          errors.push(cause instanceof Error ? cause.message : String(cause))
        }
      }
    })
  )
  return { seconds: (performance.now() - started) / 1000, samples, errors }
}

const summarize = (clients: number, path: Path, runs: ReadonlyArray<Run>) => {
  const samples = runs.flatMap((run) => run.samples)
  const ttft = samples.map((entry) => entry.ttftMs)
  const itl = samples.flatMap((entry) => entry.itlMs)
  const rates = runs.map((run) => run.samples.reduce((sum, entry) => sum + entry.tokens, 0) / run.seconds)
  const errors = runs.flatMap((run) => run.errors)
  return {
    clients,
    path,
    tokensPerSecond: median(rates),
    runs: rates,
    ttftMs: { p50: percentile(ttft, 50), p99: percentile(ttft, 99) },
    itlMs: { p50: percentile(itl, 50), p99: percentile(itl, 99) },
    requests: samples.length,
    tokens: samples.reduce((sum, entry) => sum + entry.tokens, 0),
    errors: errors.length,
    firstErrors: [...new Set(errors)].slice(0, 5)
  }
}

const program = Effect.gen(function* () {
  const bootstrap = yield* startBootstrapNode({
    identity: yield* Effect.promise(newIdentity),
    listen: ["/ip4/127.0.0.1/tcp/0"]
  })
  const bootstrapAddress = bootstrap.multiaddrs()[0]!
  // Expert processes, so the generation work competes for the cores as it would on a donor's machine.
  yield* Effect.acquireRelease(
    Effect.promise(() =>
      Promise.all(
        [0, 1].map(() => spawnExpert(modelPath(MODEL), ["--bootstrap", bootstrapAddress, "--sessions", `${SESSIONS}`]))
      )
    ),
    (all: ExpertProcess[]) => Effect.promise(() => Promise.all(all.map((expert) => expert.stop())))
  )
  // Budgets far above the workload: the benchmark measures serving, never refusals.
  const { router, url } = yield* startGatewayNode({
    modelsDir: resolveModelsDir(),
    bootstrap: [bootstrapAddress],
    host: "127.0.0.1",
    port: 0,
    defaultK: K,
    fairUse: {
      requestBurst: 100_000,
      requestsPerMinute: 1_000_000,
      tokenBurst: 10_000_000,
      tokensPerMinute: 1_000_000_000,
      maxConcurrent: 64
    }
  })
  const ready = yield* Effect.promise(() => router.waitForExperts(2, 30_000))
  if (!ready) return yield* Effect.die(new Error("the router did not see both experts within 30 s"))
  const family = router.largestFamily()!
  const tokenizer = yield* Effect.promise(() => router.tokenizer(family))
  const prompt = tokenizer.encodePrompt(PROMPT)
  const models = yield* Effect.promise(async () => {
    const response = await fetch(`${url}/v1/models`)
    return ((await response.json()) as { data: ReadonlyArray<{ id: string }> }).data
  })
  const model = models[0]!.id
  const requests: Record<Path, (seed: number) => Promise<Sample>> = {
    gateway: viaGateway(url, model),
    direct: viaRouter(router, family, prompt)
  }

  const runs = yield* Effect.promise(async () => {
    // Warm-up: tokenizer, connections and the expert sessions, on both paths.
    for (const path of ["gateway", "direct"] as const) await runClients(Math.max(...CLIENTS), 1, 0, requests[path])
    const all = new Map<string, Run[]>()
    for (const clients of CLIENTS) {
      for (let round = 0; round < ROUNDS; round++) {
        // Same seeds on both paths within a round, so both generate the same texts; the order alternates per round.
        const order: ReadonlyArray<Path> = round % 2 === 0 ? ["gateway", "direct"] : ["direct", "gateway"]
        for (const path of order) {
          const run = await runClients(clients, REQUESTS, 1_000_000 + clients * 10_000 + round * 1000, requests[path])
          all.set(`${clients}/${path}`, [...(all.get(`${clients}/${path}`) ?? []), run])
        }
      }
    }
    return all
  })

  const rows = CLIENTS.flatMap((clients) =>
    (["gateway", "direct"] as const).map((path) => summarize(clients, path, runs.get(`${clients}/${path}`) ?? []))
  )
  const comparison = CLIENTS.map((clients) => {
    const gateway = rows.find((row) => row.clients === clients && row.path === "gateway")!
    const direct = rows.find((row) => row.clients === clients && row.path === "direct")!
    const ratio = gateway.tokensPerSecond / direct.tokensPerSecond
    return {
      clients,
      tokensPerSecondRatio: ratio,
      overhead: 1 - ratio,
      addedTtftMs: { p50: gateway.ttftMs.p50 - direct.ttftMs.p50, p99: gateway.ttftMs.p99 - direct.ttftMs.p99 },
      sameTokens: gateway.tokens === direct.tokens
    }
  })
  const atMost = comparison.find((entry) => entry.clients === Math.max(...CLIENTS))!
  const result = {
    benchmark: "gateway",
    machine: machine(),
    model: MODEL,
    prompt: PROMPT,
    k: K,
    maxTokens: TOKENS,
    requestsPerClient: REQUESTS,
    rounds: ROUNDS,
    expertSessions: SESSIONS,
    rows,
    comparison,
    targets: {
      overheadUnder5PercentAt16Clients: atMost.overhead < 0.05 && rows.every((row) => row.errors === 0)
    }
  }
  const file = writeResult("gateway", result)
  const ms = (value: number) => value.toFixed(1)
  console.log(
    `bench:gateway  ${MODEL} x 2 expert processes, K = ${K}, ${TOKENS} tokens at temperature 1, ` +
      `${REQUESTS} streamed requests per client, ${ROUNDS} alternated rounds (tokens/s: median of rounds)\n`
  )
  console.log(
    table(
      ["clients", "path", "tokens/s", "TTFT p50 ms", "TTFT p99 ms", "ITL p50 ms", "ITL p99 ms", "errors"],
      rows.map((row) => [
        String(row.clients),
        row.path,
        row.tokensPerSecond.toFixed(1),
        ms(row.ttftMs.p50),
        ms(row.ttftMs.p99),
        ms(row.itlMs.p50),
        ms(row.itlMs.p99),
        String(row.errors)
      ])
    )
  )
  console.log("")
  for (const entry of comparison) {
    console.log(
      `C=${entry.clients}: gateway/direct tokens/s ${entry.tokensPerSecondRatio.toFixed(3)} ` +
        `(overhead ${(entry.overhead * 100).toFixed(1)}%), added TTFT p50 ${ms(entry.addedTtftMs.p50)} ms, ` +
        `p99 ${ms(entry.addedTtftMs.p99)} ms${entry.sameTokens ? "" : " (token totals differ between paths)"}`
    )
  }
  for (const row of rows)
    if (row.errors > 0) console.log(`${row.clients}/${row.path} errors: ${row.firstErrors.join("; ")}`)
  console.log(`\ntarget: gateway overhead < 5% at 16 clients: ${result.targets.overheadUnder5PercentAt16Clients}`)
  console.log(`wrote ${file}`)
})

const runtime = ManagedRuntime.make(InferenceLive)
await runtime.runPromise(Effect.scoped(program))
await runtime.dispose()
