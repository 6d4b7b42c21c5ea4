// mesh gateway start: the OpenAI-compatible HTTP API in front of the swarm, until interrupted.
import { Effect } from "effect"
import { DEFAULT_FAIR_USE } from "../../gateway/fair-use/config.ts"
import { startGatewayNode } from "../../gateway/gateway-node.ts"
import { GATEWAY_DEFAULTS } from "../../gateway/server.ts"
import { resolveModelsDir } from "../models-dir.ts"
import { chainFlags, chainHelp, governanceOption } from "./chain-flags.ts"
import { controlFlags, controlHelp, controlOptions } from "./control-flags.ts"
import { startGatewayWithControl } from "./control-start.ts"
import { booleanFlag, integerFlag, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { networkFlags, networkHelp, networkOptions, resolveIdentity } from "./network-flags.ts"
import { UsageError } from "./usage-error.ts"

export const gatewayStartHelp = `mesh gateway start --bootstrap ADDR [options]

Serves the OpenAI API (GET /v1/models, POST /v1/chat/completions, POST /v1/completions) plus GET /health and
GET /metrics, in front of a router that finds experts through the swarm.

  --port N              (default 8080)           --host ADDR   (default 127.0.0.1; 0.0.0.0 to serve everyone)
${networkHelp}
${chainHelp}
  --experts LIST        use these experts (multiaddrs with /p2p/ ids) besides the discovered ones
  --models DIR          where tokenizer GGUFs are found (default $MESH_MODELS or ../shared/models)
  --k N                 experts mixed per token unless a request says otherwise (default ${GATEWAY_DEFAULTS.defaultK})
  --requests-per-minute N, --request-burst N     per client IP (IPv6: per /64) (defaults ${DEFAULT_FAIR_USE.requestsPerMinute}, ${DEFAULT_FAIR_USE.requestBurst})
  --tokens-per-minute N, --token-burst N         generated tokens per client (defaults ${DEFAULT_FAIR_USE.tokensPerMinute}, ${DEFAULT_FAIR_USE.tokenBurst})
  --max-concurrent N    generations at once, all clients together (default ${DEFAULT_FAIR_USE.maxConcurrent})
  --max-body BYTES      largest request body (default ${GATEWAY_DEFAULTS.maxBodyBytes})
  --timeout S           longest generation (default ${GATEWAY_DEFAULTS.requestTimeoutMs / 1000})
  --no-sticky-sessions  open fresh expert sessions for every request instead of keeping a chat's sessions (and
                        KV caches) for its next turn
  --json                print one JSON line {url, peerId}

Safety and control (self-prompt loops, /mesh/control/1.0.0, the admin API; see docs/safety.md):
${controlHelp}
`

const COMMAND = "gateway start"

export const gatewayStart = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { options, network, json, control } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          {
            ...networkFlags,
            ...chainFlags,
            port: { type: "string" },
            host: { type: "string" },
            experts: { type: "string", multiple: true },
            models: { type: "string" },
            k: { type: "string" },
            "requests-per-minute": { type: "string" },
            "request-burst": { type: "string" },
            "tokens-per-minute": { type: "string" },
            "token-burst": { type: "string" },
            "max-concurrent": { type: "string" },
            "max-body": { type: "string" },
            timeout: { type: "string" },
            "no-sticky-sessions": { type: "boolean" },
            json: { type: "boolean" },
            ...controlFlags
          },
          false
        )
        const network = networkOptions(COMMAND, flags)
        const experts = stringsFlag(flags, "experts")
          .flatMap((entry) => entry.split(","))
          .filter((entry) => entry.length > 0)
        if (network.bootstrap.length === 0 && experts.length === 0 && !network.lan) {
          throw new UsageError({ message: `${COMMAND}: give --bootstrap ADDR (or --experts, or --lan)` })
        }
        const integer = (name: string, min: number, max?: number) =>
          integerFlag(COMMAND, flags, name, max === undefined ? { min } : { min, max })
        const timeoutSeconds = integer("timeout", 1, 3600)
        return {
          network,
          control: controlOptions(COMMAND, flags),
          json: booleanFlag(flags, "json"),
          options: {
            port: integer("port", 0, 65_535) ?? 8080,
            host: stringFlag(flags, "host") ?? "127.0.0.1",
            experts,
            modelsDir: resolveModelsDir(stringFlag(flags, "models")),
            governance: governanceOption(COMMAND, flags),
            defaultK: integer("k", 1, 8),
            maxBodyBytes: integer("max-body", 1024, 64 * 1024 * 1024),
            requestTimeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
            stickySessions: !booleanFlag(flags, "no-sticky-sessions"),
            fairUse: {
              requestsPerMinute: integer("requests-per-minute", 1),
              requestBurst: integer("request-burst", 1),
              tokensPerMinute: integer("tokens-per-minute", 1),
              tokenBurst: integer("token-burst", 1),
              maxConcurrent: integer("max-concurrent", 1)
            }
          }
        }
      },
      catch: (error) => error as UsageError
    })
    const identity = yield* resolveIdentity(network)
    const nodeOptions = {
      // Flags not given stay absent, so the gateway's own defaults apply.
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
      identity,
      bootstrap: network.bootstrap,
      lan: network.lan
    } as Parameters<typeof startGatewayNode>[0]
    const gateway =
      control === undefined
        ? yield* startGatewayNode(nodeOptions)
        : yield* startGatewayWithControl(nodeOptions, control)
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ event: "listening", url: gateway.url, peerId: gateway.router.peerId, multiaddrs: [] })}\n`
      )
    } else {
      process.stdout.write(
        [
          `gateway ${gateway.url} (router ${gateway.router.peerId})`,
          `  curl ${gateway.url}/v1/models`,
          "Ctrl-C stops it.",
          ""
        ].join("\n")
      )
    }
    return yield* Effect.never
  })
