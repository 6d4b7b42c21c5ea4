// A chaos run's fault schedule: a pure function of the seed, so a run is replayed by its seed alone. Faults arrive at
// exponentially distributed gaps and never take more than `maxDisrupted` experts out at once, so the mesh always
// has enough experts to go on with (the suite checks recovery, not what happens when every donor leaves).
import { createRandom, type RandomSource } from "../../aggregator/random.ts"

export type FaultKind = "kill" | "freeze" | "stall" | "reset" | "delay" | "restart"

export const FAULT_KINDS: ReadonlyArray<FaultKind> = ["kill", "freeze", "stall", "reset", "delay", "restart"]

/** What each kind does to its expert (see testbed/chaos/swarm.ts). */
export const FAULT_MEANING: Readonly<Record<FaultKind, string>> = {
  kill: "SIGKILL the expert process; start it again (same identity) after the outage",
  freeze: "SIGSTOP the expert process; SIGCONT after the outage",
  stall: "hold every byte between routers and the expert in its proxy for the outage, then release them",
  reset: "reset every connection through the expert's proxy (TCP RST both ways)",
  delay: "add one-way delay on the expert's link for the outage",
  restart: "SIGTERM the expert (a graceful leave); start it again after the outage"
}

export interface PlannedFault {
  /** Milliseconds after the clients start. */
  readonly atMs: number
  readonly kind: FaultKind
  /** Index of the expert (0-based). */
  readonly expert: number
  /** How long the expert stays down, frozen, stalled or delayed; 0 for a reset. */
  readonly outageMs: number
  /** The added one-way delay, for `delay`. */
  readonly delayMs: number
}

export interface PlanOptions {
  readonly seed: number
  readonly experts: number
  /** Faults are planned over this span; the run stops injecting when its clients are done. */
  readonly durationMs: number
  /** Mean gap between faults, ms. */
  readonly meanGapMs: number
  /** Experts out of service (killed, frozen, stalled, restarting) at once, at most. */
  readonly maxDisrupted: number
  /** Quiet time before the first fault, ms. Default 500. */
  readonly startMs?: number
}

/** Faults that take an expert out of service for their outage (a reset or a delay leaves it serving). */
export const disrupts = (kind: FaultKind): boolean => kind !== "reset" && kind !== "delay"

const uniform = (random: RandomSource, low: number, high: number) => Math.round(low + random() * (high - low))

export const planFaults = (options: PlanOptions): ReadonlyArray<PlannedFault> => {
  if (options.experts < 1) throw new RangeError("a chaos plan needs at least one expert")
  if (options.maxDisrupted < 0 || options.maxDisrupted >= options.experts) {
    throw new RangeError(`maxDisrupted must be within 0..${options.experts - 1}`)
  }
  const random = createRandom(options.seed)
  const faults: PlannedFault[] = []
  /** Per expert: when its current fault ends, and when it is back in service after a disrupting one. */
  const busyUntil = new Array<number>(options.experts).fill(0)
  const disruptedUntil = new Array<number>(options.experts).fill(0)
  let at = options.startMs ?? 500
  for (;;) {
    at += Math.max(50, Math.round(-Math.log(1 - random()) * options.meanGapMs))
    if (at >= options.durationMs) return faults
    const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!
    const disrupted = disruptedUntil.filter((end) => end > at).length
    const free = busyUntil.flatMap((end, index) => (end <= at ? [index] : []))
    if (free.length === 0 || (disrupts(kind) && disrupted >= options.maxDisrupted)) continue
    const expert = free[Math.floor(random() * free.length)]!
    const outageMs = kind === "reset" ? 0 : uniform(random, 1000, 4000)
    const delayMs = kind === "delay" ? uniform(random, 20, 150) : 0
    // A restarted expert needs time to load and announce itself before it counts as free again.
    busyUntil[expert] = at + outageMs + (kind === "kill" || kind === "restart" ? 3000 : 250)
    if (disrupts(kind)) disruptedUntil[expert] = busyUntil[expert]!
    faults.push({ atMs: at, kind, expert, outageMs, delayMs })
  }
}

/** How often each kind occurs in a plan. */
export const countByKind = (faults: ReadonlyArray<{ readonly kind: FaultKind }>): Record<FaultKind, number> => {
  const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>
  for (const fault of faults) counts[fault.kind]++
  return counts
}
