// Where the governance contracts live: the deployment file `mesh chain start` writes and every role reads.
// Default location `.mesh/chain.json` under the current directory; `--deployment FILE` or MESH_DEPLOYMENT elsewhere.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { Data } from "effect"

export const DEFAULT_DEPLOYMENT_FILE = ".mesh/chain.json"
export const DEPLOYMENT_ENV = "MESH_DEPLOYMENT"

/** A 0x-prefixed 20-byte hex address. */
export type Address = `0x${string}`

export interface GovernanceSettings {
  /** Blocks between a proposal and the start of its vote (the snapshot is taken at the start). */
  readonly votingDelayBlocks: number
  /** Blocks the vote stays open. */
  readonly votingPeriodBlocks: number
  /** Share of the votes supply at the snapshot that must take part (for + abstain), in percent. */
  readonly quorumPercent: number
  /** Seconds a passed proposal waits in the timelock before it can be executed. */
  readonly timelockDelaySeconds: number
}

export interface Deployment {
  readonly chainId: number
  readonly rpcUrl: string
  /** The block the contracts were deployed in: event scans start there. */
  readonly deployBlock: number
  /** The guardian at deployment; nodes use it to check halt messages until they have read the chain. */
  readonly guardian: Address
  readonly contracts: {
    readonly token: Address
    readonly timelock: Address
    readonly governor: Address
    readonly phaseRegistry: Address
    readonly killSwitch: Address
  }
  readonly settings: GovernanceSettings
  /** True for the embedded chain of `mesh chain start`: dev accounts and block mining are available. */
  readonly local: boolean
}

export class DeploymentError extends Data.TaggedError("DeploymentError")<{
  readonly path: string
  readonly message: string
}> {}

/** The deployment file to use: the flag, else $MESH_DEPLOYMENT, else .mesh/chain.json here. */
export const deploymentPath = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string =>
  resolve(flag ?? env[DEPLOYMENT_ENV] ?? DEFAULT_DEPLOYMENT_FILE)

const isAddress = (value: unknown): value is Address => typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

/** Checks a parsed deployment file field by field; the error names the first field that is wrong. */
export const parseDeployment = (path: string, json: unknown): Deployment => {
  const fail = (message: string): never => {
    throw new DeploymentError({ path, message: `${path}: ${message}` })
  }
  if (typeof json !== "object" || json === null) return fail("not a JSON object")
  const value = json as Record<string, unknown>
  if (!isCount(value.chainId) || value.chainId === 0) fail("chainId must be a positive integer")
  if (typeof value.rpcUrl !== "string" || !/^(https?|wss?):\/\//.test(value.rpcUrl)) fail("rpcUrl must be a URL")
  if (!isCount(value.deployBlock)) fail("deployBlock must be a block number")
  if (!isAddress(value.guardian)) fail("guardian must be an address")
  const contracts = (value.contracts ?? {}) as Record<string, unknown>
  for (const name of ["token", "timelock", "governor", "phaseRegistry", "killSwitch"]) {
    if (!isAddress(contracts[name])) fail(`contracts.${name} must be an address`)
  }
  const settings = (value.settings ?? {}) as Record<string, unknown>
  for (const name of ["votingDelayBlocks", "votingPeriodBlocks", "quorumPercent", "timelockDelaySeconds"]) {
    if (!isCount(settings[name])) fail(`settings.${name} must be a non-negative integer`)
  }
  return Object.freeze({ ...(value as unknown as Deployment), local: value.local === true })
}

export const readDeployment = (path: string): Deployment => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch {
    throw new DeploymentError({
      path,
      message: `no deployment file at ${path}: start the chain (mesh chain start) or pass --deployment FILE`
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new DeploymentError({ path, message: `${path} is not JSON: ${String(cause)}` })
  }
  return parseDeployment(path, json)
}

export const writeDeployment = (path: string, deployment: Deployment): void => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`)
}
