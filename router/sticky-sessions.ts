// Sticky sessions: the OpenAI API is stateless, so the router keeps each finished generation's expert sessions,
// keyed by the tokens in their KV caches. A chat's next turn (the same prefix plus new messages) goes to the same
// experts and reuses their caches from the longest common prefix: the experts rewind to it and evaluate only the rest.
// The router owns idle expiry; experts still cap their sessions and close idle ones on their own.
import type { Slot } from "./session-slots.ts"

export interface ParkedSessions {
  readonly tokenizerHash: string
  readonly topK: number
  /** The tokens every session holds, in order. */
  readonly tokens: ReadonlyArray<number>
  readonly slots: ReadonlyArray<Slot>
}

export interface Reuse {
  readonly slots: ReadonlyArray<Slot>
  /** Tokens of the new prompt already in the sessions' caches. */
  readonly keep: number
}

export interface StickyOptions {
  /** Parked sessions closed after this long unused. Default 30 s (below the experts' own 60 s idle timeout). */
  readonly idleMs?: number
  /** Parked generations kept at most; the oldest is closed beyond. Default 64. */
  readonly maxParked?: number
  /** A prefix shorter than this is not worth keeping a session for. Default 8 tokens. */
  readonly minSharedTokens?: number
}

interface Entry extends ParkedSessions {
  readonly timer: NodeJS.Timeout
}

const commonPrefix = (left: ReadonlyArray<number>, right: ReadonlyArray<number>): number => {
  const limit = Math.min(left.length, right.length)
  let index = 0
  while (index < limit && left[index] === right[index]) index++
  return index
}

export const createStickySessions = (options: StickyOptions = {}) => {
  const idleMs = options.idleMs ?? 30_000
  const maxParked = options.maxParked ?? 64
  const minShared = options.minSharedTokens ?? 8
  const entries = new Set<Entry>()
  let reused = 0

  const close = (entry: Entry) => {
    clearTimeout(entry.timer)
    entries.delete(entry)
    for (const slot of entry.slots) void slot.session.close()
  }

  const parkedOn = (peerId: string) => {
    let count = 0
    for (const entry of entries) if (entry.slots.some((slot) => slot.expert.peerId === peerId)) count++
    return count
  }

  return {
    /**
     * Keeps a finished generation's sessions for a later turn. Parked sessions hold at most half of an expert's
     * sessions (the oldest give way), so conversations waiting for a next turn never starve new requests.
     */
    park: (parked: ParkedSessions) => {
      const fits = parked.slots.every((slot) => Math.floor(slot.expert.manifest.maxSessions / 2) > 0)
      if (!fits) {
        for (const slot of parked.slots) void slot.session.close()
        return
      }
      for (const slot of parked.slots) {
        const limit = Math.floor(slot.expert.manifest.maxSessions / 2)
        for (const entry of [...entries]) {
          if (parkedOn(slot.expert.peerId) < limit) break
          if (entry.slots.some((other) => other.expert.peerId === slot.expert.peerId)) close(entry)
        }
      }
      for (const slot of parked.slots) void slot.session.park()
      const entry: Entry = { ...parked, timer: setTimeout(() => close(entry), idleMs) }
      entry.timer.unref()
      entries.add(entry)
      while (entries.size > maxParked) close(entries.values().next().value!)
    },
    /** Closes every parked session on an expert (it answered SESSION_LIMIT); resolves once the expert freed them. */
    release: async (peerId: string): Promise<number> => {
      const releasing = [...entries].filter((entry) => entry.slots.some((slot) => slot.expert.peerId === peerId))
      for (const entry of releasing) {
        clearTimeout(entry.timer)
        entries.delete(entry)
      }
      await Promise.all(releasing.flatMap((entry) => entry.slots.map((slot) => slot.session.close())))
      return releasing.length
    },
    /**
     * Takes the parked sessions that share the longest prefix with `prompt` (same family, top-k and K), if at least
     * `minSharedTokens`. At least one prompt token is left to evaluate, so the sessions answer for the new position.
     */
    take: (prompt: ReadonlyArray<number>, tokenizerHash: string, topK: number, k: number): Reuse | undefined => {
      let best: { entry: Entry; keep: number } | undefined
      for (const entry of entries) {
        if (entry.tokenizerHash !== tokenizerHash || entry.topK !== topK || entry.slots.length !== k) continue
        const keep = Math.min(commonPrefix(entry.tokens, prompt), prompt.length - 1)
        if (keep >= minShared && (best === undefined || keep > best.keep)) best = { entry, keep }
      }
      if (best === undefined) return undefined
      clearTimeout(best.entry.timer)
      entries.delete(best.entry)
      reused++
      return { slots: best.entry.slots, keep: best.keep }
    },
    parked: () => entries.size,
    /** Parked sessions per expert (peer id). */
    parkedByExpert: (): ReadonlyMap<string, number> => {
      const counts = new Map<string, number>()
      for (const entry of entries) {
        for (const slot of entry.slots) counts.set(slot.expert.peerId, (counts.get(slot.expert.peerId) ?? 0) + 1)
      }
      return counts
    },
    reused: () => reused,
    closeAll: () => {
      for (const entry of [...entries]) close(entry)
    }
  }
}

export type StickySessions = ReturnType<typeof createStickySessions>
