// The registry's one transition: a pure fold step over RegistryEvents. Every rule makes a replayed event a no-op,
// so apply(apply(s, e), e) equals apply(s, e) and a log may be delivered at least once.
import { HashMap, Option } from "effect"
import type { ExpertManifest } from "../../proto/messages.ts"
import type { LatencyKind, RegistryEvent } from "./events.ts"
import { emptyOrderedSet, orderedInsert, orderedRemove, orderedSize, orderedWalk } from "./ordered-set.ts"
import { compareRank, rankKeyOf, scoreOf } from "./score.ts"
import {
  type ExpertRecord,
  getExpert,
  type LatencyEstimate,
  type RegistryState,
  SILENT,
  type SilenceKey
} from "./state.ts"

type EventOf<Tag extends RegistryEvent["_tag"]> = Extract<RegistryEvent, { _tag: Tag }>

export const apply = (state: RegistryState, event: RegistryEvent): RegistryState => {
  // A time that is not a number would poison the orderings by lastSeen.
  if (!Number.isFinite(event.at)) return state
  switch (event._tag) {
    case "ManifestSeen":
      return seeManifest(state, event)
    case "Heartbeat":
      return takeHeartbeat(state, event)
    case "LatencyMeasured":
      return measureLatency(state, event)
    case "PeerFailed": {
      const expert = getExpert(state, event.peerId)
      return expert === undefined ? state : evict(state, expert, event.reason)
    }
    case "Tick":
      return evictSilent(state, event.at)
  }
}

/** Folds a whole log, left to right. */
export const applyAll = (state: RegistryState, events: Iterable<RegistryEvent>): RegistryState => {
  let current = state
  for (const event of events) current = apply(current, event)
  return current
}

/**
 * A new peer joins with no load or latency known. A known peer takes the new manifest and addresses; a different
 * manifest means the expert restarted with another model, so its heartbeat counter, load and step latency (which
 * belong to the old process and model) start over, while the ping latency (the network path) stays.
 */
const seeManifest = (state: RegistryState, event: EventOf<"ManifestSeen">): RegistryState => {
  const known = getExpert(state, event.peerId)
  if (known === undefined) {
    const fresh = { load: undefined, ping: undefined, step: undefined }
    return store(state, undefined, {
      peerId: event.peerId,
      manifest: event.manifest,
      addresses: event.addresses,
      firstSeen: event.at,
      lastSeen: event.at,
      lastSeq: undefined,
      ...fresh,
      score: scoreOf(fresh, state.config.defaultLatencyMs)
    })
  }
  const restarted = !sameManifest(known.manifest, event.manifest)
  const lastSeen = Math.max(known.lastSeen, event.at)
  if (!restarted && lastSeen === known.lastSeen && sameAddresses(known.addresses, event.addresses)) return state
  const reset = restarted ? { lastSeq: undefined, load: undefined, step: undefined } : {}
  return store(
    state,
    known,
    rescore(state, { ...known, manifest: event.manifest, addresses: event.addresses, lastSeen, ...reset })
  )
}

/** Ignored from a peer with no manifest (it cannot be used yet), when stale (seq not above the last), or malformed. */
const takeHeartbeat = (state: RegistryState, event: EventOf<"Heartbeat">): RegistryState => {
  const known = getExpert(state, event.peerId)
  if (known === undefined) return state
  if (known.lastSeq !== undefined && !(event.seq > known.lastSeq)) return state
  const { seq, openSessions, maxSessions, queue } = event
  const finite = Number.isFinite(seq) && Number.isFinite(openSessions) && Number.isFinite(maxSessions)
  if (!(finite && Number.isFinite(queue) && openSessions >= 0 && queue >= 0)) return state
  const lastSeen = Math.max(known.lastSeen, event.at)
  const load = { openSessions, maxSessions, queue }
  return store(state, known, rescore(state, { ...known, lastSeq: seq, load, lastSeen }))
}

/** The first sample of a kind sets its average; a sample no newer than the last of its kind is a replay. */
const measureLatency = (state: RegistryState, event: EventOf<"LatencyMeasured">): RegistryState => {
  const known = getExpert(state, event.peerId)
  if (known === undefined || !(Number.isFinite(event.ms) && event.ms >= 0)) return state
  const previous = known[event.kind]
  if (previous !== undefined && !(event.at > previous.lastAt)) return state
  const alpha = state.config.ewmaAlpha
  const estimate: LatencyEstimate =
    previous === undefined
      ? { ewmaMs: event.ms, lastAt: event.at, samples: 1 }
      : { ewmaMs: alpha * event.ms + (1 - alpha) * previous.ewmaMs, lastAt: event.at, samples: previous.samples + 1 }
  const lastSeen = Math.max(known.lastSeen, event.at)
  return store(state, known, rescore(state, { ...known, ...latencyField(event.kind, estimate), lastSeen }))
}

const latencyField = (kind: LatencyKind, estimate: LatencyEstimate) =>
  kind === "ping" ? { ping: estimate } : { step: estimate }

/** Evicts, oldest first, every peer last seen before at - missedHeartbeats * heartbeatIntervalMs. */
const evictSilent = (state: RegistryState, at: number): RegistryState => {
  const { missedHeartbeats, heartbeatIntervalMs } = state.config
  const cutoff = at - missedHeartbeats * heartbeatIntervalMs
  const silent: SilenceKey[] = []
  orderedWalk(state.silence, (key) => {
    if (!(key.lastSeen < cutoff)) return false
    silent.push(key)
    return true
  })
  let current = state
  for (const key of silent) current = evict(current, getExpert(current, key.peerId)!, SILENT)
  return current
}

const rescore = (state: RegistryState, expert: Omit<ExpertRecord, "score">): ExpertRecord => ({
  ...expert,
  score: scoreOf(expert, state.config.defaultLatencyMs)
})

/** Writes `after` over `before`, moving it in the indexes only where its keys changed. */
const store = (state: RegistryState, before: ExpertRecord | undefined, after: ExpertRecord): RegistryState => {
  let families = state.families
  const family = after.manifest.tokenizerHash
  const rankChanged =
    before === undefined ||
    before.manifest.tokenizerHash !== family ||
    before.score !== after.score ||
    before.manifest.fileSha256 !== after.manifest.fileSha256
  if (rankChanged) {
    const sameFamily = before !== undefined && before.manifest.tokenizerHash === family
    if (before !== undefined && !sameFamily) families = removeRank(families, before)
    let ranking = Option.getOrElse(HashMap.get(families, family), () => emptyOrderedSet(compareRank))
    if (sameFamily) ranking = orderedRemove(ranking, rankKeyOf(before))
    families = HashMap.set(families, family, orderedInsert(ranking, rankKeyOf(after)))
  }
  let silence = state.silence
  if (before === undefined || before.lastSeen !== after.lastSeen) {
    if (before !== undefined) silence = orderedRemove(silence, silenceKeyOf(before))
    silence = orderedInsert(silence, silenceKeyOf(after))
  }
  return { ...state, experts: HashMap.set(state.experts, after.peerId, after), families, silence }
}

const evict = (state: RegistryState, expert: ExpertRecord, reason: string): RegistryState => ({
  ...state,
  experts: HashMap.remove(state.experts, expert.peerId),
  families: removeRank(state.families, expert),
  silence: orderedRemove(state.silence, silenceKeyOf(expert)),
  evictions: HashMap.set(state.evictions, reason, Option.getOrElse(HashMap.get(state.evictions, reason), () => 0) + 1)
})

const removeRank = (families: RegistryState["families"], expert: ExpertRecord): RegistryState["families"] => {
  const family = expert.manifest.tokenizerHash
  const ranking = Option.getOrUndefined(HashMap.get(families, family))
  if (ranking === undefined) return families
  const rest = orderedRemove(ranking, rankKeyOf(expert))
  return orderedSize(rest) === 0 ? HashMap.remove(families, family) : HashMap.set(families, family, rest)
}

const silenceKeyOf = (expert: ExpertRecord): SilenceKey => ({ lastSeen: expert.lastSeen, peerId: expert.peerId })

const sameAddresses = (left: ReadonlyArray<string>, right: ReadonlyArray<string>): boolean =>
  left.length === right.length && left.every((address, index) => address === right[index])

const sameManifest = (left: ExpertManifest, right: ExpertManifest): boolean => {
  if (left === right) return true
  const fields = Object.keys(left) as Array<keyof ExpertManifest>
  return fields.length === Object.keys(right).length && fields.every((field) => left[field] === right[field])
}
