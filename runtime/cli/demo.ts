// mesh demo (npm start): three expert processes on this machine write a story together, token by token.
import { Effect } from "effect"
import { acquireExpertProcess } from "../expert-process.ts"
import { modelPath } from "../models-dir.ts"
import { startRouterNode } from "../router-node.ts"
import { parseFlags } from "./flags.ts"
import { generationOptions, samplingFlags } from "./generate.ts"
import { formatSummary, streamGeneration } from "./generation-output.ts"
import { UsageError } from "./usage-error.ts"

export const demoHelp = `mesh demo [options] ["prompt"]

Starts three experts as separate processes (stories260K in F32, Q8_0 and Q4_0), mixes all three per token over
libp2p on loopback, streams the story, prints per-token figures, and shuts everything down.

  --models DIR          where the GGUF files are (default $MESH_MODELS or ../shared/models)
  --k N                 experts mixed per token (default 3)
  --temperature T       (default 0.8)       --top-p P   (default 1)     --top-k N   (default 0 = off)
  --seed S              (default 1)         --max-tokens N (default 128)          --stop TEXT (repeatable)
`

const COMMAND = "demo"
const DEMO_MODELS = ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"]
const DEFAULT_PROMPT = "Once upon a time"

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
    out(`mesh demo: starting ${DEMO_MODELS.length} experts from ${options.modelsDir}`)
    const experts = yield* Effect.all(
      DEMO_MODELS.map((name) => acquireExpertProcess(modelPath(name, options.modelsDir))),
      { concurrency: "unbounded" }
    )
    experts.forEach((expert, index) => {
      out(`  expert ${index + 1}: ${expert.manifest.modelName} ${expert.manifest.quantization} (pid ${expert.pid})`)
      out(`            ${expert.multiaddrs[0]}`)
    })
    const router = yield* startRouterNode(
      experts.map((expert) => expert.multiaddrs[0]!),
      options.modelsDir
    )
    out(
      `router: tokenizer ${router.tokenizer.info.modelName} (${router.experts[0]!.manifest.tokenizerHash.slice(0, 12)}), K = ${options.k} of ${router.experts.length}, temperature ${options.sampling.temperature}, seed ${options.sampling.seed}`
    )
    out("")
    process.stdout.write(prompt)
    const summary = yield* Effect.tryPromise({
      try: () =>
        streamGeneration(
          router.generate({
            prompt: router.tokenizer.encodePrompt(prompt),
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
    out("shutting down the experts")
  })
