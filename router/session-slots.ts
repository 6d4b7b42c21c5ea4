// The sessions of one generation, and what happens when an expert fails mid-answer: the step goes on with the
// survivors while a replacement is opened and brought to the same position by replaying the prefix with the
// original chunking (the prompt as one batch, then each generated token alone), so its logits are bit-identical.
import type { SparseDistribution } from "../aggregator/distribution.ts"
import { ExpertError } from "./errors.ts"
import { type Dial, type ExpertSession, openExpertSession } from "./expert-client.ts"
import type { ExpertHandle } from "./swarm.ts"

/** How a generation survives experts that die or stall. */
export interface Failover {
  /** Another expert of the family, none of `exclude` (the experts serving the generation now), or undefined. */
  readonly replacement: (exclude: ReadonlySet<string>) => ExpertHandle | undefined
  /** Reports an expert that failed (the router evicts or bans it). */
  readonly failed: (peerId: string, reason: string) => void
  /** A step slower than this counts as a stall. */
  readonly stepDeadlineMs: number
  /**
   * Opening a session (dial and prefill) slower than this counts as a stall. Default: the step deadline plus a
   * millisecond per prompt token (a dial takes a few round trips, which the step deadline's floor of 1 s covers up
   * to a few hundred ms of RTT; the step deadline itself grows with measured latency).
   */
  readonly openDeadlineMs?: number
  /** Replacements one generation may open, at most. Default 8. */
  readonly maxReplacements?: number
}

export interface Slot {
  readonly expert: ExpertHandle
  readonly session: ExpertSession
  /** Generated tokens this session has appended after the prompt. */
  appended: number
  /** Its distribution for the position after `appended` tokens. */
  latest: SparseDistribution
  /** A replay in progress (a replacement catching up). */
  replaying: Promise<void> | undefined
  /** Steps answered in the generation proper (not replays), and their total round-trip time, ms. */
  steps: number
  stepMsTotal: number
}

/**
 * A replacement this close to the generation's position is waited for: replaying one token per step, it would chase
 * the generation at the generation's own pace and never join. Replaying costs about one decode per token (about a
 * millisecond on the small models here), so the pause is short; a replacement further behind catches up while the
 * survivors go on, degraded.
 */
const CATCH_UP_WAIT_TOKENS = 256

interface OpenOptions {
  readonly prompt: ReadonlyArray<number>
  readonly topK: number
  readonly tokenizerHash: string
  readonly signal: AbortSignal | undefined
  /** Closes this router's parked sessions on an expert that is full; returns how many. */
  readonly releaseParked?: (peerId: string) => Promise<number>
}

/** An expert that failed in a generation is not asked again by the same generation for this long. */
const RETRY_AFTER_MS = 5000

const withDeadline = <A>(work: Promise<A>, ms: number, onStall: () => void): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onStall()
      reject(new Error(`no answer within ${ms} ms`))
    }, ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (cause) => {
        clearTimeout(timer)
        reject(cause)
      }
    )
  })

export const createSlots = (dial: Dial, options: OpenOptions, failover: Failover | undefined) => {
  const slots: Slot[] = []
  /** Every session opened, for the figures and for closing at the end. */
  const sessions: Slot[] = []
  /** When each expert last failed in this generation. */
  const failedAt = new Map<string, number>()
  let replacements = 0
  let degradedSteps = 0
  /** Set when the generation ends: replays stop, and nothing is replaced or reported any more. */
  let closed = false
  /** The last failure, thrown when no expert is left: it says more than "none left". */
  let lastFailure: unknown

  const open = async (expert: ExpertHandle): Promise<Slot> => {
    let session: ExpertSession
    const openDeadlineMs = failover?.openDeadlineMs ?? (failover?.stepDeadlineMs ?? 0) + options.prompt.length
    const deadline = failover === undefined ? undefined : AbortSignal.timeout(openDeadlineMs)
    const signal =
      deadline === undefined
        ? options.signal
        : options.signal === undefined
          ? deadline
          : AbortSignal.any([options.signal, deadline])
    try {
      session = await openExpertSession(dial, expert.address, options, signal).catch((cause) => {
        if (deadline?.aborted === true && options.signal?.aborted !== true) {
          throw new ExpertError({
            address: expert.address,
            code: "STALLED",
            message: `expert ${expert.address} opened no session within ${openDeadlineMs} ms`
          })
        }
        throw cause
      })
    } catch (cause) {
      // Busy with sessions this router parked for later turns: those give way to a request waiting now.
      const busy = cause instanceof ExpertError && cause.code === "SESSION_LIMIT"
      if (!busy || options.releaseParked === undefined || (await options.releaseParked(expert.peerId)) === 0)
        throw cause
      session = await openExpertSession(dial, expert.address, options, options.signal)
    }
    if (closed) {
      // The generation ended while this session was opening (a replacement that came too late): nobody would close it.
      await session.close()
      throw new ExpertError({ address: expert.address, code: "CANCELLED", message: "the generation has ended" })
    }
    const slot: Slot = {
      expert,
      session,
      appended: 0,
      latest: session.first,
      replaying: undefined,
      steps: 0,
      stepMsTotal: 0
    }
    sessions.push(slot)
    return slot
  }

  const fail = (slot: Slot, cause: unknown) => {
    if (closed) return
    lastFailure = cause
    const index = slots.indexOf(slot)
    if (index !== -1) slots.splice(index, 1)
    slot.session.abort("failed")
    failedAt.set(slot.expert.peerId, performance.now())
    failover?.failed(slot.expert.peerId, cause instanceof ExpertError ? cause.code : "STALLED")
  }

  /** Brings a slot to `tokens.length` appended tokens, one token per step as in the first run. */
  const replay = (slot: Slot, tokens: ReadonlyArray<number>) => {
    if (slot.replaying !== undefined || slot.appended >= tokens.length) return
    slot.replaying = (async () => {
      try {
        while (slot.appended < tokens.length && !closed) {
          slot.latest = await withDeadline(slot.session.step([tokens[slot.appended]!]), failover!.stepDeadlineMs, () =>
            slot.session.abort("stalled")
          )
          slot.appended++
        }
      } catch (cause) {
        fail(slot, cause)
        startReplacement(tokens)
      } finally {
        slot.replaying = undefined
      }
    })()
  }

  const startReplacement = (tokens: ReadonlyArray<number>) => {
    if (closed || failover === undefined || replacements >= (failover.maxReplacements ?? 8)) return
    // Any expert not serving this generation now and not failed in it lately: one that failed (or was full) may serve
    // again some seconds later, ban permitting (a long answer can outlast several faults).
    const now = performance.now()
    const exclude = new Set(slots.map((slot) => slot.expert.peerId))
    for (const [peerId, at] of failedAt) if (now - at < RETRY_AFTER_MS) exclude.add(peerId)
    const expert = failover.replacement(exclude)
    if (expert === undefined) return
    replacements++
    const pending: Slot = {
      expert,
      session: undefined as unknown as ExpertSession,
      appended: 0,
      latest: undefined as unknown as SparseDistribution,
      replaying: undefined,
      steps: 0,
      stepMsTotal: 0
    }
    slots.push(pending)
    pending.replaying = (async () => {
      try {
        const opened = await open(expert)
        sessions.splice(sessions.indexOf(opened), 1, pending)
        Object.assign(pending, { session: opened.session, latest: opened.latest })
      } catch (cause) {
        slots.splice(slots.indexOf(pending), 1)
        if (closed) return
        lastFailure = cause
        failedAt.set(expert.peerId, performance.now())
        failover.failed(expert.peerId, cause instanceof ExpertError ? cause.code : "UNREACHABLE")
        startReplacement(tokens)
        return
      } finally {
        pending.replaying = undefined
      }
      replay(pending, tokens)
    })()
  }

  return {
    /**
     * Takes over parked sessions for a new prompt: each rewinds to the `keep` tokens it shares with the prompt and
     * evaluates the rest as one batch. False when any of them fails (all are closed then; open fresh ones instead).
     */
    adopt: async (parked: ReadonlyArray<Slot>, keep: number, prompt: ReadonlyArray<number>): Promise<boolean> => {
      const rest = prompt.slice(keep)
      const answers = await Promise.allSettled(parked.map((slot) => slot.session.step(rest, undefined, keep)))
      if (answers.some((answer) => answer.status === "rejected")) {
        await Promise.all(parked.map((slot) => slot.session.close()))
        return false
      }
      for (const [index, slot] of parked.entries()) {
        const answer = answers[index] as PromiseFulfilledResult<SparseDistribution>
        const adopted: Slot = {
          ...slot,
          appended: 0,
          latest: answer.value,
          replaying: undefined,
          steps: 0,
          stepMsTotal: 0
        }
        slots.push(adopted)
        sessions.push(adopted)
      }
      return true
    },
    /**
     * Ends the generation without closing: the live sessions, if all are at one position with nothing in flight,
     * for parking; otherwise everything is closed and undefined returned.
     */
    detach: async (): Promise<ReadonlyArray<Slot> | undefined> => {
      closed = true
      const live = slots.filter((slot) => slot.session !== undefined && slot.replaying === undefined)
      const aligned =
        live.length === slots.length && live.length > 0 && live.every((slot) => slot.appended === live[0]!.appended)
      const keep = aligned ? new Set(live) : new Set<Slot>()
      await Promise.all(sessions.filter((slot) => !keep.has(slot)).map((slot) => slot.session.close()))
      return aligned ? live : undefined
    },
    /** Opens the first K; with failover, an expert that cannot open is replaced by another. */
    openAll: async (chosen: ReadonlyArray<ExpertHandle>, tokens: ReadonlyArray<number>) => {
      const settled = await Promise.allSettled(chosen.map((expert) => open(expert)))
      for (const [index, result] of settled.entries()) {
        if (result.status === "fulfilled") {
          slots.push(result.value)
          continue
        }
        if (failover === undefined) throw result.reason
        lastFailure = result.reason
        failedAt.set(chosen[index]!.peerId, performance.now())
        failover.failed(
          chosen[index]!.peerId,
          result.reason instanceof ExpertError ? result.reason.code : "UNREACHABLE"
        )
        startReplacement(tokens)
      }
    },
    /** The slots at the current position; waits for a replacement when none is (K = 1 after a failure). */
    ready: async (tokens: ReadonlyArray<number>): Promise<Slot[]> => {
      for (;;) {
        for (const slot of slots) if (slot.session !== undefined) replay(slot, tokens)
        const nearly = slots.filter(
          (slot) =>
            slot.replaying !== undefined &&
            slot.session !== undefined &&
            tokens.length - slot.appended <= CATCH_UP_WAIT_TOKENS
        )
        if (nearly.length > 0) {
          await Promise.all(nearly.map((slot) => slot.replaying))
          continue
        }
        const current = slots.filter((slot) => slot.replaying === undefined && slot.appended === tokens.length)
        if (current.length > 0) {
          if (current.length < slots.length || slots.length === 0) degradedSteps++
          return current
        }
        const catchingUp = slots.map((slot) => slot.replaying).filter((work) => work !== undefined)
        if (catchingUp.length === 0) {
          if (lastFailure instanceof ExpertError) throw lastFailure
          throw new ExpertError({
            address: "",
            code: "NO_EXPERTS",
            message: "every expert of this generation failed and no replacement is left"
          })
        }
        await Promise.race(catchingUp)
      }
    },
    /** Appends `token` on every current slot; a slot that fails or stalls is dropped and replaced. */
    step: async (current: ReadonlyArray<Slot>, token: number, tokens: ReadonlyArray<number>) => {
      await Promise.all(
        current.map(async (slot) => {
          try {
            const started = performance.now()
            const work = slot.session.step([token])
            slot.latest =
              failover === undefined
                ? await work
                : await withDeadline(work, failover.stepDeadlineMs, () => slot.session.abort("stalled"))
            slot.appended++
            slot.steps++
            slot.stepMsTotal += performance.now() - started
          } catch (cause) {
            if (failover === undefined) throw cause
            fail(slot, cause)
            startReplacement(tokens)
          }
        })
      )
    },
    sessions: () => sessions,
    degradedSteps: () => degradedSteps,
    replacements: () => replacements,
    closeAll: async () => {
      closed = true
      await Promise.all(sessions.map((slot) => slot.session.close()))
    }
  }
}
