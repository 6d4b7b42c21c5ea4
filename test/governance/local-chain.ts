// A real local chain for governance tests: the embedded EDR chain on loopback with the contracts deployed, dev
// accounts 0..4 holding the votes, account 0 the guardian.
import { Effect, Exit, Scope } from "effect"
import { type ChainClients, chainClients, devAccount } from "../../governance/chain/client.ts"
import { deployGovernance, LOCAL_SETTINGS } from "../../governance/chain/deploy.ts"
import { acquireChainServer } from "../../governance/chain-server.ts"
import type { Address, Deployment } from "../../governance/deployment.ts"

export interface LocalChain {
  readonly deployment: Deployment
  readonly clients: ChainClients
  readonly voters: ReturnType<typeof devAccount>[]
  readonly guardian: ReturnType<typeof devAccount>
  readonly close: () => Promise<void>
}

export const startLocalChain = async (): Promise<LocalChain> => {
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(Scope.extend(acquireChainServer(), scope))
  const clients = await chainClients(server.rpcUrl)
  const voters = [0, 1, 2, 3, 4].map(devAccount)
  const guardian = voters[0]!
  const deployment = await deployGovernance(clients, {
    deployer: voters[0]!,
    guardian: guardian.address as Address,
    settings: LOCAL_SETTINGS,
    voters,
    local: true
  })
  return {
    deployment,
    clients,
    voters,
    guardian,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `check` holds, up to `ms`; returns whether it did. */
export const eventually = async (check: () => boolean | Promise<boolean>, ms: number, every = 20) => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(every)
  }
  return check()
}
