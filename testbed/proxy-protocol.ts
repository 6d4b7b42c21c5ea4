// The JSON-line protocol of the fault proxy process: commands on stdin, exactly one reply line per command on stdout.
import type { FaultDirection, FaultProxy, FaultProxyCounts } from "./fault-proxy.ts"
import { type LinkFaults, requireNonNegative, validateFaults } from "./link-schedule.ts"

export type ProxyCommand =
  | { readonly op: "stall"; readonly ms: number }
  | { readonly op: "reset" }
  | ({ readonly op: "set"; readonly direction?: FaultDirection | "both" } & Partial<LinkFaults>)
  | { readonly op: "pause" }
  | { readonly op: "resume" }
  | { readonly op: "counts" }

export type ProxyReply =
  | { readonly event: "listening"; readonly host: string; readonly port: number }
  | { readonly event: "ok"; readonly op: ProxyCommand["op"]; readonly connections?: number }
  | ({ readonly event: "counts" } & FaultProxyCounts)
  | { readonly event: "error"; readonly message: string }

const DIRECTIONS = new Set<unknown>(["toTarget", "toClient", "both"])

/** Decodes one stdin line; throws with a message fit for an `error` reply. */
export const parseCommand = (line: string): ProxyCommand => {
  const value: unknown = JSON.parse(line)
  if (typeof value !== "object" || value === null) throw new Error("a command is a JSON object with an op")
  const fields = value as Record<string, unknown>
  switch (fields.op) {
    case "stall":
      requireNonNegative("ms", fields.ms)
      return { op: "stall", ms: fields.ms as number }
    case "set": {
      const faults: Partial<LinkFaults> = {
        delayMs: fields.delayMs as number | undefined,
        jitterMs: fields.jitterMs as number | undefined,
        bandwidthBytesPerSecond: fields.bandwidthBytesPerSecond as number | undefined
      }
      validateFaults(faults)
      if (fields.direction !== undefined && !DIRECTIONS.has(fields.direction)) {
        throw new Error(`direction must be toTarget, toClient or both, got ${String(fields.direction)}`)
      }
      return { op: "set", direction: fields.direction as FaultDirection | "both" | undefined, ...faults }
    }
    case "reset":
    case "pause":
    case "resume":
    case "counts":
      return { op: fields.op }
    default:
      throw new Error(`unknown op ${JSON.stringify(fields.op)}`)
  }
}

export const applyCommand = (proxy: FaultProxy, command: ProxyCommand): ProxyReply => {
  switch (command.op) {
    case "stall":
      proxy.stall(command.ms)
      return { event: "ok", op: command.op }
    case "reset":
      return { event: "ok", op: command.op, connections: proxy.resetAll() }
    case "set": {
      const { op, direction, ...faults } = command
      proxy.setFaults(faults, direction)
      return { event: "ok", op }
    }
    case "pause":
      proxy.pause()
      return { event: "ok", op: command.op }
    case "resume":
      proxy.resume()
      return { event: "ok", op: command.op }
    case "counts":
      return { event: "counts", ...proxy.counts() }
  }
}
