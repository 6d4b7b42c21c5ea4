// What every `mesh gov` command needs: the deployment, a client for its chain, and the account that signs.
import { type Account, type ChainClients, chainClients, devAccount, keyAccount } from "../../governance/chain/client.ts"
import { type Deployment, deploymentPath, readDeployment } from "../../governance/deployment.ts"
import { integerFlag, type ParsedFlags, stringFlag } from "./flags.ts"
import { UsageError } from "./usage-error.ts"

export const PRIVATE_KEY_ENV = "MESH_GOV_PRIVATE_KEY"

export const govFlags = {
  deployment: { type: "string" },
  "rpc-url": { type: "string" },
  account: { type: "string" },
  "private-key": { type: "string" },
  json: { type: "boolean" }
} as const

export const govFlagsHelp = `  --deployment FILE     the deployment (default $MESH_DEPLOYMENT or .mesh/chain.json)
  --rpc-url URL         talk to the chain here instead of the file's rpcUrl
  --account N           sign as dev account N of the development mnemonic (embedded chain only; default 0)
  --private-key KEY     sign with this key instead (also $${PRIVATE_KEY_ENV})
  --json                print JSON`

export interface GovContext {
  readonly deployment: Deployment
  readonly clients: ChainClients
  readonly account: Account
}

export const govContext = async (command: string, flags: ParsedFlags): Promise<GovContext> => {
  const deployment = readDeployment(deploymentPath(stringFlag(flags, "deployment")))
  const key = stringFlag(flags, "private-key") ?? process.env[PRIVATE_KEY_ENV]
  const index = integerFlag(command, flags, "account", { min: 0, max: 19 })
  if (key !== undefined && index !== undefined) {
    throw new UsageError({ message: `${command}: give --account or --private-key, not both` })
  }
  if (key === undefined && !deployment.local) {
    throw new UsageError({
      message: `${command}: dev accounts exist on the embedded chain only; give --private-key or $${PRIVATE_KEY_ENV}`
    })
  }
  const account = key !== undefined ? keyAccount(key) : devAccount(index ?? 0)
  const clients = await chainClients(stringFlag(flags, "rpc-url") ?? deployment.rpcUrl)
  return { deployment, clients, account }
}

export const proposalIdArgument = (command: string, flags: ParsedFlags): bigint => {
  const [text] = flags.positionals
  if (flags.positionals.length !== 1 || text === undefined || !/^\d+$/.test(text)) {
    throw new UsageError({ message: `${command}: give the proposal id (a decimal number) as the one argument` })
  }
  return BigInt(text)
}
