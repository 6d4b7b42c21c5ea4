// A running gateway: a router node watching the swarm, and the OpenAI-compatible HTTP API in front of it, until its
// scope closes.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { type RouterNode, type RouterNodeOptions, startRouterNode } from "../runtime/router-node.ts"
import { type GatewayConfig, makeGateway } from "./server.ts"

export interface GatewayNodeOptions extends RouterNodeOptions, GatewayConfig {
  readonly port: number
  readonly host: string
}

/** The HTTP API in front of a router that is already running; the server lives as long as the scope. */
export const serveGateway = (
  router: RouterNode,
  options: GatewayConfig & { readonly port: number; readonly host: string }
) =>
  Effect.gen(function* () {
    const gateway = makeGateway(router, options)
    const server = createServer()
    // The HTTP server lives in this scope: built into it, released with it.
    yield* Layer.buildWithScope(
      HttpServer.serve(gateway.app).pipe(
        Layer.provide(NodeHttpServer.layer(() => server, { port: options.port, host: options.host }))
      ),
      yield* Effect.scope
    )
    const address = server.address() as AddressInfo
    return {
      router,
      gateway,
      url: `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`
    }
  })

export const startGatewayNode = (options: GatewayNodeOptions) =>
  Effect.flatMap(startRouterNode(options), (router) => serveGateway(router, options))
