// The gateway started as a control node: the task store opened from --data, governance in memory (phase 0, fail
// closed above tier 0) until a chain is configured, the control protocol and the admin API, and any loops asked for.
import { Effect, Layer } from "effect"
import { startControlNode } from "../../control/control-node.ts"
import type { GatewayNodeOptions } from "../../gateway/gateway-node.ts"
import { layerMemory } from "../../governance/service.ts"
import { layerLevel } from "../../store/store.ts"
import { taskStorePath } from "../data-dir.ts"
import type { ControlFlagOptions } from "./control-flags.ts"

export const startGatewayWithControl = (options: GatewayNodeOptions, control: ControlFlagOptions) =>
  Effect.gen(function* () {
    // Built into the command's scope: the store stays open as long as the node runs.
    const services = yield* Layer.build(Layer.merge(layerMemory(), layerLevel(taskStorePath(control.dataDir))))
    const node = yield* Effect.provide(
      startControlNode({
        ...options,
        listen: control.listen,
        operators: control.operators,
        ...(control.subsets === undefined ? {} : { subsets: control.subsets }),
        ...(control.intervalMs === undefined ? {} : { safety: { intervalMs: control.intervalMs } }),
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
