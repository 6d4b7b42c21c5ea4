// The embedded chain: hardhat 3's EDR simulating an EVM (cancun) in this process, served as JSON-RPC over HTTP on
// 127.0.0.1. The only module that imports hardhat. Blocks are mined on every transaction (automine); its accounts
// are the development mnemonic's first 20, each funded with 10 000 ETH.
import { Data, Effect } from "effect"
import { createHardhatRuntimeEnvironment } from "hardhat/hre"
import { PROJECT_ROOT } from "../runtime/models-dir.ts"
import { LOCAL_CHAIN_ID } from "./chain/client.ts"

export class ChainServerError extends Data.TaggedError("ChainServerError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface ChainServer {
  readonly rpcUrl: string
  readonly chainId: number
}

export interface ChainServerOptions {
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
}

/** Starts the chain for the life of the scope. */
export const acquireChainServer = (options: ChainServerOptions = {}) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const hre = await createHardhatRuntimeEnvironment(
          {
            networks: {
              mesh: {
                type: "edr-simulated",
                chainId: LOCAL_CHAIN_ID,
                hardfork: "cancun",
                mining: { auto: true, interval: 0 }
              }
            }
          },
          {},
          // hardhat looks for a package.json at the project root: mesh's own, wherever the command runs from.
          PROJECT_ROOT
        )
        const server = await hre.network.createServer("mesh", options.host ?? "127.0.0.1", options.port ?? 0)
        const address = await server.listen()
        return { server, address }
      },
      catch: (cause) =>
        new ChainServerError({
          message: `the embedded chain did not start: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause
        })
    }),
    ({ server }) => Effect.promise(() => server.close().catch(() => undefined))
  ).pipe(
    Effect.map(
      ({ address }): ChainServer => ({
        rpcUrl: `http://${address.address}:${address.port}`,
        chainId: LOCAL_CHAIN_ID
      })
    )
  )
