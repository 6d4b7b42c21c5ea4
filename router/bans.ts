// Peers that failed a generation are kept out for a while, longer each time they fail again: a flapping expert that
// keeps re-announcing itself is not chosen over and over. A ban is forgotten once its peer has stayed clean for as
// long as its last ban lasted.
export interface BanOptions {
  /** First ban, ms. Default 1000. */
  readonly baseMs?: number
  /** Longest ban, ms. Default 5 minutes. */
  readonly maxMs?: number
}

interface Ban {
  readonly strikes: number
  readonly until: number
  readonly lengthMs: number
}

export const createBans = (options: BanOptions = {}, now: () => number = Date.now) => {
  const baseMs = options.baseMs ?? 1000
  const maxMs = options.maxMs ?? 5 * 60_000
  const bans = new Map<string, Ban>()
  return {
    /**
     * Records a failure: 1 s, then 2 s, 4 s, ... up to `maxMs`. Returns the ban's length. A failure seen while the peer
     * is banned already is the same incident (every generation that used the peer sees it fail at once) and changes
     * nothing: only a peer that fails again after its ban ended is banned for longer.
     */
    strike: (peerId: string): number => {
      const at = now()
      const previous = bans.get(peerId)
      if (previous !== undefined && previous.until > at) return previous.lengthMs
      // A peer that stayed clean as long as its last ban lasted starts over.
      const strikes = previous === undefined || at > previous.until + previous.lengthMs ? 1 : previous.strikes + 1
      const lengthMs = Math.min(maxMs, baseMs * 2 ** (strikes - 1))
      bans.set(peerId, { strikes, until: at + lengthMs, lengthMs })
      return lengthMs
    },
    /** Bans a peer for `lengthMs` at once (an operator's or a governed decision), however clean it has been. */
    ban: (peerId: string, lengthMs: number): void => {
      const previous = bans.get(peerId)
      bans.set(peerId, { strikes: (previous?.strikes ?? 0) + 1, until: now() + lengthMs, lengthMs })
    },
    isBanned: (peerId: string): boolean => (bans.get(peerId)?.until ?? 0) > now(),
    /** Peer ids banned right now (for a choice's `exclude`). */
    banned: (): Set<string> => {
      const at = now()
      const current = new Set<string>()
      for (const [peerId, ban] of bans) {
        if (ban.until > at) current.add(peerId)
        else if (at > ban.until + ban.lengthMs) bans.delete(peerId)
      }
      return current
    }
  }
}
