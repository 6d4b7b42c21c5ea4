// A TCP proxy that adds latency, jitter, pacing, stalls and resets to each direction, for tests and the WAN benchmark.
import { type AddressInfo, connect, createServer, type Socket } from "node:net"
import { performance } from "node:perf_hooks"
import { type DelayedDirection, delayDirection, type Gate } from "./delayed-direction.ts"
import { type LinkFaults, mergeFaults, NO_FAULTS, requireNonNegative, validateFaults } from "./link-schedule.ts"

/** `toTarget`: client to target; `toClient`: target back to client. */
export type FaultDirection = "toTarget" | "toClient"

export interface FaultProxyOptions {
  /** Default "127.0.0.1". */
  readonly listenHost?: string
  /** Default 0: any free port. */
  readonly listenPort?: number
  readonly targetHost: string
  readonly targetPort: number
  /** Applied to each direction; a one-way delay of 25 ms makes a round trip at least 50 ms. */
  readonly faults?: Partial<LinkFaults>
}

export interface FaultProxyCounts {
  readonly accepted: number
  readonly open: number
  /** Bytes written on to the target / back to clients (counted when released, not when received). */
  readonly bytesToTarget: number
  readonly bytesToClient: number
  /** Connections torn down with RST by `resetAll`. */
  readonly resets: number
  /** Connections whose target could not be reached; the client gets an RST. */
  readonly targetFailures: number
}

export interface FaultProxy {
  readonly host: string
  readonly port: number
  counts(): FaultProxyCounts
  faults(direction: FaultDirection): LinkFaults
  /** Changes faults for traffic that arrives from now on; queued chunks keep their times (and order). */
  setFaults(faults: Partial<LinkFaults>, direction?: FaultDirection | "both"): void
  /** Holds all traffic, both directions, for `ms`, then releases it in order. */
  stall(ms: number): void
  /** Holds all traffic until `resume()`. */
  pause(): void
  resume(): void
  /** Tears down every open connection with RST on both sides; returns how many. */
  resetAll(): number
  /** Stops listening and destroys open connections. */
  close(): Promise<void>
}

interface Connection {
  readonly client: Socket
  readonly target: Socket
  readonly directions: ReadonlyArray<DelayedDirection>
}

const resetSocket = (socket: Socket) => {
  if (!socket.destroyed) socket.resetAndDestroy()
}

export const startFaultProxy = async (options: FaultProxyOptions): Promise<FaultProxy> => {
  validateFaults(options.faults ?? {})
  const faults: Record<FaultDirection, LinkFaults> = {
    toTarget: mergeFaults(NO_FAULTS, options.faults ?? {}),
    toClient: mergeFaults(NO_FAULTS, options.faults ?? {})
  }
  const counts = { accepted: 0, bytesToTarget: 0, bytesToClient: 0, resets: 0, targetFailures: 0 }
  const connections = new Set<Connection>()
  let stalledUntil = Number.NEGATIVE_INFINITY
  let paused = false
  const gate: Gate = { openAt: () => (paused ? Number.POSITIVE_INFINITY : stalledUntil) }
  const wakeAll = () => {
    for (const connection of connections) for (const direction of connection.directions) direction.wake()
  }

  const accept = (client: Socket) => {
    counts.accepted += 1
    client.setNoDelay(true)
    let targetReached = false
    const target = connect({ host: options.targetHost, port: options.targetPort, noDelay: true, allowHalfOpen: true })
    target.once("connect", () => {
      targetReached = true
    })
    const directions = [
      delayDirection({
        source: client,
        destination: target,
        faults: () => faults.toTarget,
        gate,
        onDelivered: (bytes) => {
          counts.bytesToTarget += bytes
        }
      }),
      delayDirection({
        source: target,
        destination: client,
        faults: () => faults.toClient,
        gate,
        onDelivered: (bytes) => {
          counts.bytesToClient += bytes
        }
      })
    ]
    const connection: Connection = { client, target, directions }
    connections.add(connection)
    // An abrupt end on one side becomes an abrupt end on the other, as it would across a real network path.
    client.on("error", () => resetSocket(target))
    target.on("error", () => {
      if (!targetReached) counts.targetFailures += 1
      resetSocket(client)
    })
    const closed = () => {
      if (!client.destroyed || !target.destroyed) return
      for (const direction of directions) direction.dispose()
      connections.delete(connection)
    }
    client.on("close", closed)
    target.on("close", closed)
  }

  const server = createServer({ allowHalfOpen: true, noDelay: true }, accept)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen({ host: options.listenHost ?? "127.0.0.1", port: options.listenPort ?? 0 }, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo

  return {
    host: address.address,
    port: address.port,
    counts: () => ({ ...counts, open: connections.size }),
    faults: (direction) => faults[direction],
    setFaults: (partial, direction = "both") => {
      validateFaults(partial)
      for (const which of ["toTarget", "toClient"] as const) {
        if (direction === which || direction === "both") faults[which] = mergeFaults(faults[which], partial)
      }
    },
    stall: (ms) => {
      requireNonNegative("stall ms", ms)
      stalledUntil = Math.max(stalledUntil, performance.now() + ms)
      wakeAll()
    },
    pause: () => {
      paused = true
      wakeAll()
    },
    resume: () => {
      paused = false
      wakeAll()
    },
    resetAll: () => {
      const open = [...connections]
      for (const connection of open) {
        resetSocket(connection.client)
        resetSocket(connection.target)
        for (const direction of connection.directions) direction.dispose()
        connections.delete(connection)
      }
      counts.resets += open.length
      return open.length
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, target } of connections) {
          client.destroy()
          target.destroy()
        }
        server.close(() => resolve())
      })
  }
}
