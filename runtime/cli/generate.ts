// mesh generate: one prompt through a set of experts, streamed to stdout.
import { Effect } from "effect"
import { resolveModelsDir } from "../models-dir.ts"
import { startRouterNode } from "../router-node.ts"
import { booleanFlag, integerFlag, numberFlag, type ParsedFlags, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { formatSummary, streamGeneration } from "./generation-output.ts"
import { UsageError } from "./usage-error.ts"

export const generateHelp = `mesh generate --experts A,B,C [options] "prompt"

Mixes K experts' next-token distributions per token and streams the text to stdout.

  --experts LIST        comma-separated expert multiaddrs (with /p2p/ id), as printed by mesh expert start (required)
  --k N                 experts mixed per token (default: all of them)
  --temperature T       0 = greedy; 0..10 (default 1)
  --top-p P             nucleus sampling, (0, 1] (default 1 = off)
  --top-k N             keep the N most probable tokens (default 0 = off)
  --seed S              reproducible sampling and expert choice (default: random)
  --max-tokens N        at most N tokens (default 128)
  --stop TEXT           stop before TEXT, repeatable, at most 4
  --models DIR          where the family's GGUF (for the tokenizer) is found (default $MESH_MODELS or ../shared/models)
  --stats               print per-token figures to stderr at the end
`

const COMMAND = "generate"

export const samplingFlags = {
  k: { type: "string" },
  temperature: { type: "string" },
  "top-p": { type: "string" },
  "top-k": { type: "string" },
  seed: { type: "string" },
  "max-tokens": { type: "string" },
  stop: { type: "string", multiple: true },
  models: { type: "string" }
} as const

/** The sampling flags shared by generate and demo. */
export const generationOptions = (command: string, flags: ParsedFlags) => {
  const seed = integerFlag(command, flags, "seed", { min: 0, max: 2 ** 32 - 1 })
  const stop = stringsFlag(flags, "stop")
  if (stop.length > 4) throw new UsageError({ message: `${command}: at most 4 --stop sequences` })
  if (stop.some((text) => text.length === 0)) throw new UsageError({ message: `${command}: --stop must not be empty` })
  return {
    k: integerFlag(command, flags, "k", { min: 1 }),
    maxTokens: integerFlag(command, flags, "max-tokens", { min: 0, max: 1_000_000 }) ?? 128,
    stop,
    sampling: {
      temperature: numberFlag(command, flags, "temperature", { min: 0, max: 10 }) ?? 1,
      topP: numberFlag(command, flags, "top-p", { min: Number.MIN_VALUE, max: 1 }) ?? 1,
      topK: integerFlag(command, flags, "top-k", { min: 0 }) ?? 0,
      ...(seed === undefined ? {} : { seed })
    },
    modelsDir: resolveModelsDir(stringFlag(flags, "models"))
  }
}

export const generateCommand = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { flags, options, experts, prompt } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          { ...samplingFlags, experts: { type: "string" }, stats: { type: "boolean" } },
          true
        )
        const experts = (stringFlag(flags, "experts") ?? "")
          .split(",")
          .map((address) => address.trim())
          .filter((address) => address.length > 0)
        if (experts.length === 0) throw new UsageError({ message: `${COMMAND}: --experts A,B,C is required` })
        if (flags.positionals.length !== 1) {
          throw new UsageError({
            message: `${COMMAND}: give exactly one prompt (quote it), got ${flags.positionals.length}`
          })
        }
        return { flags, options: generationOptions(COMMAND, flags), experts, prompt: flags.positionals[0]! }
      },
      catch: (error) => error as UsageError
    })
    const router = yield* startRouterNode(experts, options.modelsDir)
    const summary = yield* Effect.tryPromise({
      try: () =>
        streamGeneration(
          router.generate({
            prompt: router.tokenizer.encodePrompt(prompt),
            k: options.k ?? router.experts.length,
            maxTokens: options.maxTokens,
            sampling: options.sampling,
            stop: options.stop
          }),
          (text) => process.stdout.write(text)
        ),
      catch: (cause) => cause
    })
    process.stdout.write("\n")
    if (booleanFlag(flags, "stats")) process.stderr.write(`${formatSummary(summary)}\n`)
  })
