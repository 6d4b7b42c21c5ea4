// mesh demo (npm start): a bootstrap peer and three expert processes on this machine; a router finds them through
// the swarm and they write a story together, token by token.
import { Effect } from "effect"
import { startGatewayNode } from "../../gateway/gateway-node.ts"
import { acquireBootstrapProcess, acquireExpertProcess } from "../expert-process.ts"
import { modelPath } from "../models-dir.ts"
import { startRouterNode } from "../router-node.ts"
import { failoverDemo } from "./failover-demo.ts"
import { parseFlags } from "./flags.ts"
import { generationOptions, samplingFlags } from "./generate.ts"
import { formatSummary, streamGeneration } from "./generation-output.ts"
import { governanceDemo } from "./gov-demo.ts"
import { safetyDemo } from "./safety-demo.ts"
import { formatSwarm } from "./swarm-table.ts"
import { UsageError } from "./usage-error.ts"

export const demoHelp = `mesh demo [options] ["prompt"]

Starts a bootstrap peer and three experts as separate processes (stories260K in F32, Q8_0 and Q4_0). A router joins
through the bootstrap, discovers the experts from their signed gossip announcements, mixes all three per token over
libp2p, streams the story and prints the swarm and per-token figures. Then the OpenAI-compatible gateway starts in
front of the same swarm and answers one chat request, and a second turn of a chat that reuses the first turn's expert
sessions; an expert is SIGKILLed mid-answer and a replacement takes over. Then the self-prompt loop writes a few
tasks under the action catalog's grammar and an operator's tier-2 task is refused in phase 0. Last, governance: the embedded chain with the contracts, a
phase change by vote, an operator's tier-2 task proposed on chain and run once a vote approves it, a guardian's halt
(the gateway answers 503) and a resume by vote. Everything shuts down at the end.

  --models DIR          where the GGUF files are (default $MESH_MODELS or ../shared/models)
  --k N                 experts mixed per token (default 3)
  --temperature T       (default 0.8)       --top-p P   (default 1)     --top-k N   (default 0 = off)
  --seed S              (default 1)         --max-tokens N (default 128)          --stop TEXT (repeatable)
`

const COMMAND = "demo"
const DEMO_MODELS = ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"]
const DEFAULT_PROMPT = "Once upon a time"
const HEARTBEAT_MS = 1000

export const demoCommand = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { options, prompt } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(COMMAND, args, samplingFlags, true)
        if (flags.positionals.length > 1) {
          throw new UsageError({ message: `${COMMAND}: give at most one prompt (quote it)` })
        }
        const options = generationOptions(COMMAND, flags)
        const explicit = flags.values
        return {
          options: {
            ...options,
            k: options.k ?? 3,
            sampling: {
              ...options.sampling,
              temperature: explicit.temperature === undefined ? 0.8 : options.sampling.temperature,
              seed: explicit.seed === undefined ? 1 : options.sampling.seed
            }
          },
          prompt: flags.positionals[0] ?? DEFAULT_PROMPT
        }
      },
      catch: (error) => error as UsageError
    })
    const out = (line: string) => process.stdout.write(`${line}\n`)
    const bootstrap = yield* acquireBootstrapProcess()
    const bootstrapAddress = bootstrap.multiaddrs.find((address) => !address.includes("/ws"))!
    out(`mesh demo: bootstrap ${bootstrap.peerId} (pid ${bootstrap.pid})`)
    out(`  ${bootstrap.multiaddrs.join("\n  ")}`)
    out(`starting ${DEMO_MODELS.length} experts from ${options.modelsDir}`)
    const startDemoExpert = (name: string) =>
      acquireExpertProcess(modelPath(name, options.modelsDir), [
        "--bootstrap",
        bootstrapAddress,
        "--heartbeat",
        String(HEARTBEAT_MS)
      ])
    const experts = yield* Effect.all(DEMO_MODELS.map(startDemoExpert), { concurrency: "unbounded" })
    experts.forEach((expert, index) => {
      out(`  expert ${index + 1}: ${expert.manifest.modelName} ${expert.manifest.quantization} (pid ${expert.pid})`)
    })
    const started = performance.now()
    const router = yield* startRouterNode({
      modelsDir: options.modelsDir,
      bootstrap: [bootstrapAddress],
      heartbeatIntervalMs: HEARTBEAT_MS,
      pingIntervalMs: 1000
    })
    const found = yield* Effect.promise(() => router.waitForExperts(experts.length, 20_000))
    if (!found) return yield* Effect.fail(new Error("the router did not discover the experts within 20 s"))
    out(
      `router ${router.peerId}: discovered ${experts.length} experts in ${(performance.now() - started).toFixed(0)} ms`
    )
    // One ping round so the table shows latencies.
    yield* Effect.sleep("1200 millis")
    out(formatSwarm(router.watcher.state()))
    out(`\nK = ${options.k}, temperature ${options.sampling.temperature}, seed ${options.sampling.seed}\n`)
    process.stdout.write(prompt)
    const summary = yield* Effect.tryPromise({
      try: () =>
        streamGeneration(
          router.generate({
            prompt,
            k: options.k,
            maxTokens: options.maxTokens,
            sampling: options.sampling,
            stop: options.stop
          }),
          (text) => process.stdout.write(text)
        ),
      catch: (cause) => cause
    })
    out("\n")
    out(formatSummary(summary))

    // The same swarm behind the OpenAI-compatible gateway, asked the way any OpenAI client would ask.
    const gateway = yield* startGatewayNode({
      modelsDir: options.modelsDir,
      bootstrap: [bootstrapAddress],
      heartbeatIntervalMs: HEARTBEAT_MS,
      host: "127.0.0.1",
      port: 0
    })
    yield* Effect.promise(() => gateway.router.waitForExperts(experts.length, 20_000))
    const body = {
      model: "stories260K",
      messages: [{ role: "user", content: "Tell me a story" }],
      max_tokens: 32,
      temperature: 0.8
    }
    out(`\ngateway ${gateway.url}, OpenAI API:`)
    out(`  curl ${gateway.url}/v1/chat/completions -H 'content-type: application/json' -d '${JSON.stringify(body)}'`)
    const answer = yield* Effect.tryPromise({
      try: async () => {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...body, seed: options.sampling.seed })
        })
        return (await response.json()) as { choices?: Array<{ message: { content: string } }>; usage?: unknown }
      },
      catch: (cause) => cause
    })
    out(`  -> ${JSON.stringify(answer.choices?.[0]?.message.content ?? answer)}`)
    out(`     usage ${JSON.stringify(answer.usage)}`)
    yield* failoverDemo({
      gatewayUrl: gateway.url,
      router,
      experts,
      restart: (index) => startDemoExpert(DEMO_MODELS[index]!),
      out
    })
    yield* Effect.promise(() => router.waitForExperts(experts.length, 20_000))
    yield* safetyDemo({
      modelsDir: options.modelsDir,
      bootstrapAddress,
      experts: experts.length,
      seed: options.sampling.seed ?? 1,
      out
    })
    yield* governanceDemo({ modelsDir: options.modelsDir, bootstrapAddress, experts: experts.length, out })
    out("shutting down the chain, the gateways, the experts and the bootstrap")
  })
