// mesh bootstrap start: run a well-known peer of the swarm until interrupted.
import { Effect } from "effect"
import { DEFAULT_BOOTSTRAP_LISTEN, startBootstrapNode } from "../bootstrap-node.ts"
import { chainFlags, chainHelp, governanceOption } from "./chain-flags.ts"
import { booleanFlag, parseFlags, stringsFlag } from "./flags.ts"
import { networkFlags, networkOptions, resolveIdentity } from "./network-flags.ts"
import type { UsageError } from "./usage-error.ts"

export const bootstrapStartHelp = `mesh bootstrap start [options]

Runs a bootstrap peer: a DHT server, a circuit relay (v2) for experts behind NAT, a WebSocket listener for browsers,
and a member of the experts' gossip topic. Prints the multiaddrs other nodes pass to --bootstrap.

  --listen MULTIADDR    repeatable (default ${DEFAULT_BOOTSTRAP_LISTEN.join(" and ")})
  --announce MULTIADDR  advertise this address instead, repeatable (a public address in front of this host)
  --bootstrap ADDR      other bootstrap peers to join, repeatable or comma-separated
  --identity FILE       keep the key (and so the peer id in every --bootstrap address) in FILE; recommended
${chainHelp}
  --json                print one JSON line {peerId, multiaddrs}
`

const COMMAND = "bootstrap start"

export const bootstrapStart = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { listen, announce, network, json, governance } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          {
            listen: { type: "string", multiple: true },
            announce: { type: "string", multiple: true },
            json: { type: "boolean" },
            ...networkFlags,
            ...chainFlags
          },
          false
        )
        const listen = stringsFlag(flags, "listen")
        return {
          listen: listen.length > 0 ? listen : DEFAULT_BOOTSTRAP_LISTEN,
          announce: stringsFlag(flags, "announce"),
          network: networkOptions(COMMAND, flags),
          json: booleanFlag(flags, "json"),
          governance: governanceOption(COMMAND, flags)
        }
      },
      catch: (error) => error as UsageError
    })
    const identity = yield* resolveIdentity(network)
    const node = yield* startBootstrapNode({ identity, listen, announce, bootstrap: network.bootstrap, governance })
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ event: "listening", peerId: node.peerId, multiaddrs: node.multiaddrs() })}\n`
      )
    } else {
      process.stdout.write(
        [
          `bootstrap ${node.peerId}: DHT server, relay, experts topic`,
          "join with --bootstrap and one of:",
          ...node.multiaddrs().map((address) => `  ${address}`),
          "Ctrl-C stops it.",
          ""
        ].join("\n")
      )
    }
    return yield* Effect.never
  })
