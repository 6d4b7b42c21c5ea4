// mesh chain start: the embedded chain (hardhat EDR on 127.0.0.1) with the governance contracts deployed and the
// deployment file written; or, with --rpc-url, the contracts deployed to another EVM chain (then it exits).
import { Effect } from "effect"
import { type Account, chainClients, devAccount, keyAccount, LOCAL_CHAIN_ID } from "../../governance/chain/client.ts"
import { deployGovernance, LOCAL_SETTINGS } from "../../governance/chain/deploy.ts"
import { acquireChainServer } from "../../governance/chain-server.ts"
import {
  type Address,
  DEPLOYMENT_ENV,
  type Deployment,
  deploymentPath,
  writeDeployment
} from "../../governance/deployment.ts"
import { booleanFlag, integerFlag, parseFlags, stringFlag } from "./flags.ts"
import { PRIVATE_KEY_ENV } from "./gov-context.ts"
import { UsageError } from "./usage-error.ts"

export const chainStartHelp = `mesh chain start [options]

Starts the embedded EVM chain (hardhat EDR, JSON-RPC on 127.0.0.1, chain id ${LOCAL_CHAIN_ID}), deploys the governance
contracts (votes token, governor, timelock, phase registry, kill switch) and writes the deployment file that the
other roles read with --deployment. Runs until interrupted; the chain lives in memory only.

Demo voting power: dev accounts 0..N-1 of the development mnemonic get 100 votes each and delegate to themselves;
account 0 deploys and is the guardian unless --guardian says otherwise.

  --port N              JSON-RPC port (default 8545; 0 picks a free one)
  --deployment FILE     where to write the deployment (default $${DEPLOYMENT_ENV} or .mesh/chain.json)
  --guardian ADDRESS    the kill switch's guardian (default: dev account 0)
  --voters N            dev accounts that get votes, 1..20 (default 5)
  --voting-delay N      blocks before a vote opens (default ${LOCAL_SETTINGS.votingDelayBlocks})
  --voting-period N     blocks a vote stays open (default ${LOCAL_SETTINGS.votingPeriodBlocks})
  --quorum P            percent of the supply that must vote (default ${LOCAL_SETTINGS.quorumPercent})
  --timelock-delay S    seconds between queue and execute (default ${LOCAL_SETTINGS.timelockDelaySeconds})
  --rpc-url URL         deploy to this EVM chain instead (needs --private-key or $${PRIVATE_KEY_ENV}, which also
                        receives the votes); writes the file and exits
  --private-key KEY     the deployer's key for --rpc-url
  --json                print the deployment as one JSON line
`

const COMMAND = "chain start"

export const chainStart = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          COMMAND,
          args,
          {
            port: { type: "string" },
            deployment: { type: "string" },
            guardian: { type: "string" },
            voters: { type: "string" },
            "voting-delay": { type: "string" },
            "voting-period": { type: "string" },
            quorum: { type: "string" },
            "timelock-delay": { type: "string" },
            "rpc-url": { type: "string" },
            "private-key": { type: "string" },
            json: { type: "boolean" }
          },
          false
        )
        const guardian = stringFlag(flags, "guardian")
        if (guardian !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(guardian)) {
          throw new UsageError({ message: `${COMMAND}: --guardian must be an address (0x and 40 hex digits)` })
        }
        const integer = (name: string, min: number, max: number) => integerFlag(COMMAND, flags, name, { min, max })
        const rpcUrl = stringFlag(flags, "rpc-url")
        const key = stringFlag(flags, "private-key") ?? process.env[PRIVATE_KEY_ENV]
        if (rpcUrl !== undefined && key === undefined) {
          throw new UsageError({ message: `${COMMAND}: --rpc-url needs --private-key KEY or $${PRIVATE_KEY_ENV}` })
        }
        return {
          port: integer("port", 0, 65_535) ?? 8545,
          path: deploymentPath(stringFlag(flags, "deployment")),
          guardian: guardian as Address | undefined,
          voters: integer("voters", 1, 20) ?? 5,
          settings: {
            votingDelayBlocks: integer("voting-delay", 0, 1_000_000) ?? LOCAL_SETTINGS.votingDelayBlocks,
            votingPeriodBlocks: integer("voting-period", 1, 1_000_000) ?? LOCAL_SETTINGS.votingPeriodBlocks,
            quorumPercent: integer("quorum", 0, 100) ?? LOCAL_SETTINGS.quorumPercent,
            timelockDelaySeconds: integer("timelock-delay", 0, 365 * 24 * 3600) ?? LOCAL_SETTINGS.timelockDelaySeconds
          },
          rpcUrl,
          deployer: key === undefined ? undefined : keyAccount(key),
          json: booleanFlag(flags, "json")
        }
      },
      catch: (error) => error as UsageError
    })
    const report = (deployment: Deployment, note: string) =>
      Effect.sync(() => {
        if (parsed.json) {
          process.stdout.write(`${JSON.stringify({ event: "deployed", path: parsed.path, ...deployment })}\n`)
          return
        }
        const { contracts } = deployment
        process.stdout.write(
          [
            `chain ${deployment.chainId} at ${deployment.rpcUrl}, governance deployed in block ${deployment.deployBlock}`,
            `  token ${contracts.token}   governor ${contracts.governor}   timelock ${contracts.timelock}`,
            `  phase registry ${contracts.phaseRegistry}   kill switch ${contracts.killSwitch}`,
            `  guardian ${deployment.guardian}`,
            `deployment written to ${parsed.path} (roles read it with --deployment ${parsed.path})`,
            note,
            ""
          ].join("\n")
        )
      })
    const deploy = (rpcUrl: string, deployer: Account, voters: ReadonlyArray<Account>, local: boolean) =>
      Effect.tryPromise({
        try: async () => {
          const clients = await chainClients(rpcUrl)
          return deployGovernance(clients, {
            deployer,
            guardian: parsed.guardian ?? (deployer.address as Address),
            settings: parsed.settings,
            voters,
            local
          })
        },
        catch: (cause) => cause as Error
      })

    if (parsed.rpcUrl !== undefined) {
      const deployment = yield* deploy(parsed.rpcUrl, parsed.deployer!, [parsed.deployer!], false)
      writeDeployment(parsed.path, deployment)
      return yield* report(deployment, "the deployer holds the votes")
    }
    const server = yield* acquireChainServer({ port: parsed.port })
    const voters = Array.from({ length: parsed.voters }, (_, index) => devAccount(index))
    const deployment = yield* deploy(server.rpcUrl, voters[0]!, voters, true)
    writeDeployment(parsed.path, deployment)
    yield* report(deployment, `dev accounts 0..${parsed.voters - 1} hold 100 votes each. Ctrl-C stops the chain.`)
    return yield* Effect.never
  })
