// How `mesh task ...` reaches the tasks: a running gateway's admin API (--gateway URL, with the admin token), the
// control protocol (--control MULTIADDR, as an operator whose key is --identity), or the store itself (--data DIR,
// when no node holds it open).
import { readFileSync } from "node:fs"
import { Data, Effect } from "effect"
import { type ParsedFlags, stringFlag } from "./flags.ts"
import { UsageError } from "./usage-error.ts"

export const accessFlags = {
  gateway: { type: "string" },
  "token-file": { type: "string" },
  json: { type: "boolean" }
} as const

export const accessHelp = `  --gateway URL         a gateway started with --admin-token-file (its admin API)
  --token-file F        the admin token (default $MESH_ADMIN_TOKEN)
  --json                print JSON`

/** The admin API answered with an error. */
export class AdminCallError extends Data.TaggedError("AdminCallError")<{
  readonly status: number
  readonly message: string
}> {}

export interface AdminAccess {
  readonly url: string
  readonly token: string
}

export const adminAccess = (command: string, flags: ParsedFlags): AdminAccess | undefined => {
  const url = stringFlag(flags, "gateway")
  if (url === undefined) return undefined
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new UsageError({ message: `${command}: --gateway must be an http(s) URL, got ${url}` })
  const tokenFile = stringFlag(flags, "token-file")
  let token = process.env.MESH_ADMIN_TOKEN
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, "utf8").trim()
    } catch (cause) {
      throw new UsageError({ message: `${command}: cannot read --token-file ${tokenFile}: ${String(cause)}` })
    }
  }
  if (token === undefined || token === "") {
    throw new UsageError({
      message: `${command}: --gateway needs the admin token (--token-file F or $MESH_ADMIN_TOKEN)`
    })
  }
  return { url: url.replace(/\/+$/, ""), token }
}

export const adminCall = (access: AdminAccess, path: string, body?: unknown) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(`${access.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${access.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const json = (await response.json()) as { error?: { message: string } }
      if (!response.ok) {
        throw new AdminCallError({
          status: response.status,
          message: `${response.status}: ${json.error?.message ?? "error"}`
        })
      }
      return json as unknown
    },
    catch: (cause) =>
      cause instanceof AdminCallError
        ? cause
        : new AdminCallError({ status: 0, message: `cannot reach ${access.url}: ${String(cause)}` })
  })
