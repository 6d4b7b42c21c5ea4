// Flags every networked role shares: how to join the swarm and who this node is.
import { Effect } from "effect"
import { type IdentityError, loadOrCreateIdentity, newIdentity, type PeerIdentity } from "../p2p/identity.ts"
import { booleanFlag, type ParsedFlags, stringFlag, stringsFlag } from "./flags.ts"
import { UsageError } from "./usage-error.ts"

export const networkFlags = {
  bootstrap: { type: "string", multiple: true },
  identity: { type: "string" },
  lan: { type: "boolean" }
} as const

export const networkHelp = `  --bootstrap ADDR      a bootstrap peer's multiaddr with /p2p/ id; repeatable or comma-separated
  --identity FILE       keep this node's key (and so its peer id) in FILE, created if missing (default: a new key)
  --lan                 also find peers on the local network by mDNS`

export interface NetworkOptions {
  readonly bootstrap: ReadonlyArray<string>
  readonly identityFile: string | undefined
  readonly lan: boolean
}

export const networkOptions = (command: string, flags: ParsedFlags): NetworkOptions => {
  const bootstrap = stringsFlag(flags, "bootstrap")
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  for (const address of bootstrap) {
    if (!address.startsWith("/") || !address.includes("/p2p/")) {
      throw new UsageError({
        message: `${command}: --bootstrap needs a multiaddr ending in /p2p/<peer id>, got ${address}`
      })
    }
  }
  return { bootstrap, identityFile: stringFlag(flags, "identity"), lan: booleanFlag(flags, "lan") }
}

export const resolveIdentity = (options: NetworkOptions): Effect.Effect<PeerIdentity, IdentityError> =>
  Effect.tryPromise({
    try: () => (options.identityFile === undefined ? newIdentity() : loadOrCreateIdentity(options.identityFile)),
    catch: (cause) => cause as IdentityError
  })
