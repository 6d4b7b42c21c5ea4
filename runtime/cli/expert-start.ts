// mesh expert start: serve one GGUF model to the mesh until interrupted.
import { Effect } from "effect"
import { startExpertNode } from "../../experts/expert-node.ts"
import { WIRE_LIMITS } from "../../proto/messages.ts"
import { chainFlags, chainHelp, governanceOption } from "./chain-flags.ts"
import { booleanFlag, integerFlag, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { networkFlags, networkHelp, networkOptions, resolveIdentity } from "./network-flags.ts"
import { UsageError } from "./usage-error.ts"

export const expertStartHelp = `mesh expert start --model F.gguf [options]

Serves one GGUF model on /mesh/expert/1.0.0, announces it to the swarm (signed manifest and heartbeats on
gossipsub, a DHT provider record for its tokenizer family) and prints its multiaddr and manifest.

  --model F.gguf        the model file (required)
  --listen MULTIADDR    address to listen on, repeatable (default /ip4/127.0.0.1/tcp/0: loopback, any free port);
                        --listen none dials out only (behind NAT: reached through a bootstrap's relay)
  --announce MULTIADDR  advertise this address instead of the listening ones, repeatable (port forwarding, proxies)
${networkHelp}
${chainHelp}
  --heartbeat MS        heartbeat period (default 2000; routers evict after 3 missed)
  --topk N              most top-k entries returned per step, 1..${WIRE_LIMITS.maxTopK} (default 16)
  --threads N           decode threads (default 1; more threads slow small models down)
  --context N           positions per session (default and maximum: the model's training context, less one)
  --sessions N          concurrent sessions (default 4)
  --batch-sessions      one context whose sessions node-llama-cpp evaluates in shared batches (default: a context
                        per session, each evaluating alone, in parallel): can help on a GPU, but a session's logits
                        then depend on what else ran at that moment (failover replays and checks are no longer
                        bit-exact)
  --idle-timeout S      close a session after S seconds without a request (default 60)
  --json                print one JSON line {peerId, multiaddrs, manifest} instead of text
`

const COMMAND = "expert start"

export const expertStart = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { options, network, json } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          {
            model: { type: "string" },
            listen: { type: "string", multiple: true },
            announce: { type: "string", multiple: true },
            heartbeat: { type: "string" },
            topk: { type: "string" },
            threads: { type: "string" },
            context: { type: "string" },
            sessions: { type: "string" },
            "batch-sessions": { type: "boolean" },
            "idle-timeout": { type: "string" },
            json: { type: "boolean" },
            ...networkFlags,
            ...chainFlags
          },
          false
        )
        const model = stringFlag(flags, "model")
        if (model === undefined) throw new UsageError({ message: `${COMMAND}: --model F.gguf is required` })
        const listen = stringsFlag(flags, "listen")
        const idleSeconds = integerFlag(COMMAND, flags, "idle-timeout", { min: 1 })
        const network = networkOptions(COMMAND, flags)
        if (listen.includes("none") && network.bootstrap.length === 0) {
          throw new UsageError({ message: `${COMMAND}: --listen none needs --bootstrap (the relay that reaches it)` })
        }
        return {
          network,
          json: booleanFlag(flags, "json"),
          options: {
            modelPath: model,
            listen: listen.includes("none") ? [] : listen.length > 0 ? listen : ["/ip4/127.0.0.1/tcp/0"],
            announce: stringsFlag(flags, "announce"),
            bootstrap: network.bootstrap,
            lan: network.lan,
            heartbeatIntervalMs: integerFlag(COMMAND, flags, "heartbeat", { min: 100, max: 600_000 }),
            maxTopK: integerFlag(COMMAND, flags, "topk", { min: 1, max: WIRE_LIMITS.maxTopK }) ?? 16,
            threads: integerFlag(COMMAND, flags, "threads", { min: 1, max: 256 }),
            contextSize: integerFlag(COMMAND, flags, "context", { min: 1 }),
            maxSessions: integerFlag(COMMAND, flags, "sessions", { min: 1, max: 1024 }),
            batchSessions: booleanFlag(flags, "batch-sessions") ? true : undefined,
            idleTimeoutMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
            governance: governanceOption(COMMAND, flags)
          }
        }
      },
      catch: (error) => error as UsageError
    })
    const identity = yield* resolveIdentity(network)
    const expert = yield* startExpertNode({ ...options, identity })
    // A NAT'd expert has an address only once its relay reservation is made.
    for (let waited = 0; expert.multiaddrs().length === 0 && waited < 150; waited++) yield* Effect.sleep("100 millis")
    const multiaddrs = expert.multiaddrs()
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ event: "listening", peerId: expert.peerId, multiaddrs, manifest: expert.manifest })}\n`
      )
    } else {
      const manifest = expert.manifest
      process.stdout.write(
        [
          `expert ${manifest.modelName} (${manifest.quantization}, ${manifest.parameters.toLocaleString("en")} parameters) serving /mesh/expert/1.0.0 as ${expert.peerId}`,
          multiaddrs.length > 0 ? "reachable at:" : "no address yet (waiting for a relay reservation)",
          ...multiaddrs.map((address) => `  ${address}`),
          "manifest:",
          JSON.stringify(manifest, null, 2),
          "Ctrl-C stops it.",
          ""
        ].join("\n")
      )
    }
    return yield* Effect.never
  })
