// mesh status: join the swarm for a moment and print what it holds.
import { Effect } from "effect"
import { resolveModelsDir } from "../models-dir.ts"
import { startRouterNode } from "../router-node.ts"
import { booleanFlag, integerFlag, parseFlags } from "./flags.ts"
import { networkFlags, networkHelp, networkOptions } from "./network-flags.ts"
import { formatSwarm, swarmSummary } from "./swarm-table.ts"
import { UsageError } from "./usage-error.ts"

export const statusHelp = `mesh status --bootstrap ADDR [options]

Joins the swarm as a router, listens to expert announcements for a few seconds, pings every expert, and prints the
tokenizer families and the experts with their latency and load.

${networkHelp}
  --listen-for S        how long to gather announcements (default 5)
  --json                print the swarm as JSON
`

const COMMAND = "status"

export const statusCommand = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { network, seconds, json } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          { ...networkFlags, "listen-for": { type: "string" }, json: { type: "boolean" } },
          false
        )
        const network = networkOptions(COMMAND, flags)
        if (network.bootstrap.length === 0 && !network.lan) {
          throw new UsageError({ message: `${COMMAND}: give --bootstrap ADDR (or --lan)` })
        }
        return {
          network,
          seconds: integerFlag(COMMAND, flags, "listen-for", { min: 1, max: 600 }) ?? 5,
          json: booleanFlag(flags, "json")
        }
      },
      catch: (error) => error as UsageError
    })
    const router = yield* startRouterNode({
      modelsDir: resolveModelsDir(),
      bootstrap: network.bootstrap,
      lan: network.lan,
      pingIntervalMs: Math.max(1000, (seconds * 1000) / 2)
    })
    yield* Effect.sleep(`${seconds} seconds`)
    const state = router.watcher.state()
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...swarmSummary(state), rejected: router.watcher.rejected() })}\n`)
    } else {
      const rejected = router.watcher.rejected()
      process.stdout.write(`${formatSwarm(state)}\n`)
      process.stdout.write(
        `announcements rejected: ${rejected.forged} forged, ${rejected.malformed} malformed, ${rejected.oversized} oversized\n`
      )
    }
  })
