// The gateway started as a control node: the task store opened from --data, governance in memory (phase 0, fail
// closed above tier 0) until a chain is configured, the control protocol and the admin API, and any loops asked for.
import { Effect, Layer } from "effect"
import { startControlNode } from "../../control/control-node.ts"
import type { GatewayNodeOptions } from "../../gateway/gateway-node.ts"
import { chainClients, devAccount, keyAccount } from "../../governance/chain/client.ts"
import type { GovernanceConfig } from "../../governance/live.ts"
import { layerMemory } from "../../governance/service.ts"
import { chainProposer } from "../../safety/chain-proposer.ts"
import { layerLevel } from "../../store/store.ts"
import { taskStorePath } from "../data-dir.ts"
import type { ControlFlagOptions } from "./control-flags.ts"

/** Proposes gated actions on the configured chain; none (proposals wait in the store) without a chain or account. */
const proposerFor = (governance: GovernanceConfig | undefined, key: string | undefined) =>
  Effect.gen(function* () {
    if (governance === undefined) return undefined
    if (key === undefined && !governance.deployment.local) {
      process.stderr.write("no --proposer-key: gated actions wait in the store instead of being proposed on chain\n")
      return undefined
    }
    const rpcUrl = governance.rpcUrl ?? governance.deployment.rpcUrl
    const clients = yield* Effect.tryPromise({ try: () => chainClients(rpcUrl), catch: (cause) => cause as Error })
    const account = key === undefined ? devAccount(0) : keyAccount(key)
    return chainProposer({ clients, deployment: governance.deployment, account })
  })

export const startGatewayWithControl = (options: GatewayNodeOptions, control: ControlFlagOptions) =>
  Effect.gen(function* () {
    // Built into the command's scope: the store stays open as long as the node runs.
    const services = yield* Layer.build(Layer.merge(layerMemory(), layerLevel(taskStorePath(control.dataDir))))
    const proposer = yield* proposerFor(options.governance, control.proposerKey)
    const node = yield* Effect.provide(
      startControlNode({
        ...options,
        listen: control.listen,
        operators: control.operators,
        ...(control.subsets === undefined ? {} : { subsets: control.subsets }),
        safety: {
          ...(control.intervalMs === undefined ? {} : { intervalMs: control.intervalMs }),
          ...(proposer === undefined ? {} : { proposer })
        },
        gateway: {
          ...options,
          ...(control.adminToken === undefined ? {} : { adminToken: control.adminToken })
        }
      }),
      services
    )
    if (control.listen.length > 0) {
      process.stderr.write(`control protocol /mesh/control/1.0.0 at ${node.router.node.multiaddrs().join(" ")}\n`)
    }
    return { router: node.router, gateway: node.gateway!, url: node.url! }
  })
