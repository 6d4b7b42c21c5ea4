// The gateway's safety and control flags: the admin API's token, the control protocol's operators, the task store,
// and self-prompt loops. Given any of them, the gateway starts as a control node (control/control-node.ts).
import { readFileSync } from "node:fs"
import { MIN_ADMIN_TOKEN_LENGTH } from "../../control/admin-http.ts"
import { resolveDataDir } from "../data-dir.ts"
import { integerFlag, type ParsedFlags, stringFlag, stringsFlag } from "./flags.ts"
import { UsageError } from "./usage-error.ts"

export const controlFlags = {
  "admin-token-file": { type: "string" },
  operator: { type: "string", multiple: true },
  "control-listen": { type: "string", multiple: true },
  data: { type: "string" },
  subsets: { type: "string" },
  "task-interval": { type: "string" },
  "proposer-key": { type: "string" }
} as const

export const controlHelp = `  --admin-token-file F  serve the admin API under /admin; operators send "Authorization: Bearer <the file's text>"
                        (at least ${MIN_ADMIN_TOKEN_LENGTH} characters; or $MESH_ADMIN_TOKEN)
  --operator PEERID     a peer id allowed to call /mesh/control/1.0.0; repeatable or comma-separated
  --control-listen MA   where the control protocol listens (default /ip4/127.0.0.1/tcp/0 when --operator is given)
  --data DIR            the task store (default $MESH_DATA or ~/.mesh/data)
  --subsets N           run N self-prompt loops on disjoint subsets of the experts (default 0: none)
  --task-interval S     pause between a loop's tasks, seconds (default 1)
  --proposer-key KEY    with --deployment: propose gated actions on chain from this account (also
                        $MESH_GOV_PRIVATE_KEY; on the embedded chain default dev account 0); without a chain,
                        gated actions wait in the store`

export interface ControlFlagOptions {
  readonly adminToken: string | undefined
  readonly operators: ReadonlyArray<string>
  readonly listen: ReadonlyArray<string>
  readonly dataDir: string
  readonly subsets: number | undefined
  readonly intervalMs: number | undefined
  readonly proposerKey: string | undefined
}

/** The control options, or undefined when no control flag was given (a plain gateway). */
export const controlOptions = (command: string, flags: ParsedFlags): ControlFlagOptions | undefined => {
  if (!Object.keys(controlFlags).some((name) => flags.values[name] !== undefined) && !process.env.MESH_ADMIN_TOKEN) {
    return undefined
  }
  const tokenFile = stringFlag(flags, "admin-token-file")
  let adminToken = process.env.MESH_ADMIN_TOKEN || undefined
  if (tokenFile !== undefined) {
    try {
      adminToken = readFileSync(tokenFile, "utf8").trim()
    } catch (cause) {
      throw new UsageError({ message: `${command}: cannot read --admin-token-file ${tokenFile}: ${String(cause)}` })
    }
  }
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new UsageError({
      message: `${command}: the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`
    })
  }
  const operators = stringsFlag(flags, "operator")
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  for (const operator of operators) {
    if (!/^[1-9A-HJ-NP-Za-km-z]{40,64}$/.test(operator)) {
      throw new UsageError({ message: `${command}: --operator must be a peer id, got ${operator}` })
    }
  }
  const listen = stringsFlag(flags, "control-listen")
  const interval = integerFlag(command, flags, "task-interval", { min: 0, max: 3600 })
  return {
    adminToken,
    operators,
    listen: listen.length > 0 ? listen : operators.length > 0 ? ["/ip4/127.0.0.1/tcp/0"] : [],
    dataDir: resolveDataDir(stringFlag(flags, "data")),
    subsets: integerFlag(command, flags, "subsets", { min: 1, max: 64 }),
    intervalMs: interval === undefined ? undefined : interval * 1000,
    proposerKey: stringFlag(flags, "proposer-key") ?? (process.env.MESH_GOV_PRIVATE_KEY || undefined)
  }
}
