// A router node with the safety layer and both control doors: the control protocol on its libp2p node and, when it
// serves the OpenAI gateway, the admin API beside it. Self-prompt loops start here when asked (`subsets`).
import { Effect } from "effect"
import { serveGateway } from "../gateway/gateway-node.ts"
import type { GatewayConfig } from "../gateway/server.ts"
import { Governance } from "../governance/service.ts"
import { type RouterNodeOptions, startRouterNode } from "../runtime/router-node.ts"
import { type SafetyOptions, startSafety } from "../safety/controller.ts"
import { adminRoutes } from "./admin-http.ts"
import { CONTROL_PROTOCOL } from "./messages.ts"
import { CONTROL_MAX_INBOUND_STREAMS, createControlServer } from "./server.ts"
import { createControlService } from "./service.ts"

export interface ControlNodeOptions extends RouterNodeOptions {
  /** Peer ids allowed to call the control protocol. */
  readonly operators: ReadonlyArray<string>
  readonly safety?: SafetyOptions
  /** Start this many self-prompt loops on disjoint subsets of the experts (after `waitForExperts`). */
  readonly subsets?: number
  /** Experts to wait for before the loops start (default: `subsets`), and for how long, ms (default 20 s). */
  readonly waitForExperts?: { readonly count: number; readonly timeoutMs: number }
  /** Serve the OpenAI gateway, with the admin API under /admin behind `adminToken` when one is given. */
  readonly gateway?: GatewayConfig & { readonly port: number; readonly host: string; readonly adminToken?: string }
}

export const startControlNode = (options: ControlNodeOptions) =>
  Effect.gen(function* () {
    const router = yield* startRouterNode(options)
    let setFairUse: ((update: { requestsPerMinute: number }) => void) | undefined
    const safetyOptions = {
      ...options.safety,
      ...(options.gateway === undefined
        ? {}
        : { setRequestsPerMinute: (requestsPerMinute: number) => setFairUse?.({ requestsPerMinute }) })
    }
    // With a chain configured the router follows it, and so does the gate; otherwise the Governance given.
    const safety =
      router.governance === undefined
        ? yield* startSafety(router, safetyOptions)
        : yield* Effect.provideService(startSafety(router, safetyOptions), Governance, router.governance.service)
    const service = createControlService(router, safety)
    const server = createControlServer(service, { operators: new Set(options.operators) })
    yield* Effect.promise(() =>
      router.node.handle(CONTROL_PROTOCOL, server.handleStream, { maxInboundStreams: CONTROL_MAX_INBOUND_STREAMS })
    )
    const gateway =
      options.gateway === undefined
        ? undefined
        : yield* serveGateway(router, {
            ...options.gateway,
            ...(options.gateway.adminToken === undefined
              ? {}
              : { extraRoutes: adminRoutes(service, safety, { token: options.gateway.adminToken }) })
          })
    if (gateway !== undefined) setFairUse = gateway.gateway.setFairUse
    if (options.subsets !== undefined) {
      const wait = options.waitForExperts ?? { count: options.subsets, timeoutMs: 20_000 }
      yield* Effect.promise(() => router.waitForExperts(wait.count, wait.timeoutMs))
      yield* safety.startLoops(options.subsets)
    }
    return { router, safety, service, gateway: gateway?.gateway, url: gateway?.url }
  })
