// mesh generate: one prompt through a set of experts, streamed to stdout.
import { Effect } from "effect"
import { GenerationRequestError } from "../../router/errors.ts"
import { families } from "../../router/registry/state.ts"
import { resolveModelsDir } from "../models-dir.ts"
import { startRouterNode } from "../router-node.ts"
import { chainFlags, chainHelp, governanceOption } from "./chain-flags.ts"
import { booleanFlag, integerFlag, numberFlag, type ParsedFlags, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { formatSummary, streamGeneration } from "./generation-output.ts"
import { networkFlags, networkHelp, networkOptions } from "./network-flags.ts"
import { UsageError } from "./usage-error.ts"

/** K when experts are discovered and no --k is given. */
export const DEFAULT_DISCOVERED_K = 2

export const generateHelp = `mesh generate (--bootstrap ADDR | --experts A,B,C) [options] "prompt"

Finds experts (through the swarm, or the list given), mixes K of them per token and streams the text to stdout.

${networkHelp}
${chainHelp}
  --experts LIST        comma-separated expert multiaddrs (with /p2p/ id), asked directly instead of discovered
  --k N                 experts mixed per token (default: all of --experts, else ${DEFAULT_DISCOVERED_K})
  --family HASH         the tokenizer family to use (default: the one with the most experts)
  --wait S              wait up to S seconds for K experts to be discovered (default 15)
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
    const { flags, options, experts, network, prompt, waitSeconds, family, governance } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          {
            ...samplingFlags,
            ...networkFlags,
            ...chainFlags,
            experts: { type: "string" },
            family: { type: "string" },
            wait: { type: "string" },
            stats: { type: "boolean" }
          },
          true
        )
        const experts = (stringFlag(flags, "experts") ?? "")
          .split(",")
          .map((address) => address.trim())
          .filter((address) => address.length > 0)
        const network = networkOptions(COMMAND, flags)
        if (experts.length === 0 && network.bootstrap.length === 0 && !network.lan) {
          throw new UsageError({ message: `${COMMAND}: give --bootstrap ADDR (discovery) or --experts A,B,C` })
        }
        if (flags.positionals.length !== 1) {
          throw new UsageError({
            message: `${COMMAND}: give exactly one prompt (quote it), got ${flags.positionals.length}`
          })
        }
        return {
          flags,
          options: generationOptions(COMMAND, flags),
          experts,
          network,
          family: stringFlag(flags, "family"),
          waitSeconds: integerFlag(COMMAND, flags, "wait", { min: 0, max: 3600 }) ?? 15,
          prompt: flags.positionals[0]!,
          governance: governanceOption(COMMAND, flags)
        }
      },
      catch: (error) => error as UsageError
    })
    const router = yield* startRouterNode({
      modelsDir: options.modelsDir,
      experts,
      bootstrap: network.bootstrap,
      lan: network.lan,
      governance
    })
    const k = options.k ?? (experts.length > 0 ? experts.length : DEFAULT_DISCOVERED_K)
    const found = yield* Effect.promise(() => router.waitForExperts(k, waitSeconds * 1000, family))
    if (!found) {
      const known = [...families(router.watcher.state())].map(([hash, count]) => `${count} of ${hash.slice(0, 12)}`)
      return yield* Effect.fail(
        new GenerationRequestError({
          message: `${k} experts of one family not found within ${waitSeconds} s (known: ${known.join(", ") || "none"})`
        })
      )
    }
    const summary = yield* Effect.tryPromise({
      try: () =>
        streamGeneration(
          router.generate({
            prompt,
            k,
            ...(family === undefined ? {} : { family }),
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
