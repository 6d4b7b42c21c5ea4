// Flags that turn governance on for a role: where the deployment file is, and optionally another RPC endpoint.
// No flag and no MESH_DEPLOYMENT: governance is off for this node (see docs/governance.md).
import { DEPLOYMENT_ENV, deploymentPath, readDeployment } from "../../governance/deployment.ts"
import type { GovernanceConfig } from "../../governance/live.ts"
import { integerFlag, type ParsedFlags, stringFlag } from "./flags.ts"

export const chainFlags = {
  deployment: { type: "string" },
  "rpc-url": { type: "string" },
  "gov-poll": { type: "string" }
} as const

export const chainHelp = `  --deployment FILE     enable governance with the contracts in FILE (default with --rpc-url: .mesh/chain.json;
                        also $${DEPLOYMENT_ENV}); without it governance is off: no tiers above 0, halts not obeyed
  --rpc-url URL         read the contracts through this JSON-RPC endpoint instead of the file's
  --gov-poll MS         how often the chain is read (default 1000)`

/** The governance config the flags ask for, or undefined (governance off). Throws DeploymentError on a bad file. */
export const governanceOption = (
  command: string,
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv = process.env
): GovernanceConfig | undefined => {
  const file = stringFlag(flags, "deployment")
  const rpcUrl = stringFlag(flags, "rpc-url")
  if (file === undefined && rpcUrl === undefined && env[DEPLOYMENT_ENV] === undefined) return undefined
  const deployment = readDeployment(deploymentPath(file, env))
  const pollIntervalMs = integerFlag(command, flags, "gov-poll", { min: 50, max: 600_000 })
  return {
    deployment,
    ...(rpcUrl === undefined ? {} : { rpcUrl }),
    ...(pollIntervalMs === undefined ? {} : { pollIntervalMs })
  }
}
