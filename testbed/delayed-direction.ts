// One direction of a proxied connection: each chunk is held until its scheduled release, then written on in order.
import type { Socket } from "node:net"
import { performance } from "node:perf_hooks"
import { IDLE_LINK, type LinkFaults, scheduleChunk, sliceSize } from "./link-schedule.ts"

/** Traffic-wide holds shared by every direction of a proxy (stall, pause). */
export interface Gate {
  /** `performance.now()` time before which nothing is released; Infinity while paused. */
  openAt(): number
}

export interface DelayedDirection {
  /** Looks at the queue again; called after the gate opens or moves. */
  wake(): void
  /** Drops whatever is still queued and stops the timer. */
  dispose(): void
}

export interface DelayedDirectionOptions {
  readonly source: Socket
  readonly destination: Socket
  /** Read for every chunk, so fault changes apply to traffic that arrives after them. */
  readonly faults: () => LinkFaults
  readonly gate: Gate
  readonly onDelivered: (bytes: number) => void
  readonly random?: () => number
}

/** A queued chunk; `null` is the source's end, delayed like data so the FIN never overtakes it. */
interface Pending {
  readonly chunk: Buffer | null
  readonly releaseAt: number
}

// Above this much held data the source is paused, so a slow or paused link pushes back instead of buffering forever.
const HIGH_WATER_BYTES = 4 * 1024 * 1024
const LOW_WATER_BYTES = 1024 * 1024

export const delayDirection = (options: DelayedDirectionOptions): DelayedDirection => {
  const { source, destination, gate, onDelivered } = options
  const random = options.random ?? Math.random
  let clock = IDLE_LINK
  let queue: Array<Pending> = []
  let head = 0
  let queuedBytes = 0
  let timer: NodeJS.Timeout | undefined
  let disposed = false

  const enqueue = (chunk: Buffer | null, now: number, faults: LinkFaults) => {
    const next = scheduleChunk(clock, now, chunk?.length ?? 0, faults, random)
    clock = next.clock
    queue.push({ chunk, releaseAt: next.releaseAt })
    queuedBytes += chunk?.length ?? 0
  }

  const arm = (dueAt: number, now: number) => {
    if (timer !== undefined) clearTimeout(timer)
    timer = Number.isFinite(dueAt) ? setTimeout(pump, Math.max(0, Math.ceil(dueAt - now))) : undefined
  }

  const resumeSourceIfDrained = () => {
    if (source.isPaused() && queuedBytes < LOW_WATER_BYTES && destination.writableLength < HIGH_WATER_BYTES) {
      source.resume()
    }
  }

  const deliver = (chunk: Buffer | null) => {
    if (destination.destroyed || destination.writableEnded) return
    if (chunk === null) {
      destination.end()
      return
    }
    destination.write(chunk)
    onDelivered(chunk.length)
  }

  function pump() {
    timer = undefined
    if (disposed) return
    const now = performance.now()
    const openAt = gate.openAt()
    while (head < queue.length) {
      const next = queue[head]!
      const dueAt = Math.max(next.releaseAt, openAt)
      if (dueAt > now) {
        arm(dueAt, now)
        break
      }
      head += 1
      queuedBytes -= next.chunk?.length ?? 0
      deliver(next.chunk)
    }
    if (head === queue.length) {
      queue = []
      head = 0
    }
    resumeSourceIfDrained()
  }

  source.on("data", (chunk: Buffer) => {
    const faults = options.faults()
    const size = sliceSize(faults)
    const now = performance.now()
    for (let offset = 0; offset < chunk.length; offset += size) {
      enqueue(chunk.subarray(offset, offset + size), now, faults)
    }
    if (queuedBytes + destination.writableLength > HIGH_WATER_BYTES) source.pause()
    pump()
  })
  source.on("end", () => {
    enqueue(null, performance.now(), options.faults())
    pump()
  })
  destination.on("drain", resumeSourceIfDrained)

  return {
    wake: pump,
    dispose: () => {
      disposed = true
      if (timer !== undefined) clearTimeout(timer)
      queue = []
      head = 0
      queuedBytes = 0
    }
  }
}
