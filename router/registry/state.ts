// The registry's state: every usable expert with what the router has measured of it, indexed for selection and
// eviction. Immutable: `apply` returns a new state that shares all it did not change with the old one.
import { HashMap, Option } from "effect"
import type { ExpertManifest } from "../../proto/messages.ts"
import type { PeerId } from "./events.ts"
import { emptyOrderedSet, type OrderedSet, orderedSize, orderedToArray } from "./ordered-set.ts"
import { comparePeerIds, type RankKey } from "./score.ts"

export interface RegistryOptions {
  /** How often experts send heartbeats, ms. */
  readonly heartbeatIntervalMs: number
  /** Heartbeats a peer may miss before a Tick evicts it. Default 3. */
  readonly missedHeartbeats?: number
  /** Weight of a new latency sample in the moving average, in (0, 1]. Default 0.3. */
  readonly ewmaAlpha?: number
  /** Latency assumed for a peer with no ping or step measured yet, ms. Default 100. */
  readonly defaultLatencyMs?: number
}

export type RegistryConfig = Required<RegistryOptions>

export interface Load {
  readonly openSessions: number
  readonly maxSessions: number
  readonly queue: number
}

export interface LatencyEstimate {
  /** Exponentially weighted moving average, ms. */
  readonly ewmaMs: number
  /** `at` of the last sample taken in: a sample no newer is a replay and is ignored. */
  readonly lastAt: number
  readonly samples: number
}

export interface ExpertRecord {
  readonly peerId: PeerId
  readonly manifest: ExpertManifest
  readonly addresses: ReadonlyArray<string>
  readonly firstSeen: number
  /** The last time the peer showed it was alive: a manifest, a heartbeat, or an answered ping or step. */
  readonly lastSeen: number
  /** Sequence number of the last heartbeat taken in; undefined before the first (and after a model change). */
  readonly lastSeq: number | undefined
  readonly load: Load | undefined
  readonly ping: LatencyEstimate | undefined
  readonly step: LatencyEstimate | undefined
  /** `scoreOf` this record: its place in the family's ordering, lower is better. */
  readonly score: number
}

/** Orders experts by how long they have been silent; a Tick evicts from its front. */
export interface SilenceKey {
  readonly lastSeen: number
  readonly peerId: PeerId
}

export interface RegistryState {
  readonly config: RegistryConfig
  readonly experts: HashMap.HashMap<PeerId, ExpertRecord>
  /** Per tokenizer hash, its experts sorted by (score, peer id). A family with no expert has no entry. */
  readonly families: HashMap.HashMap<string, OrderedSet<RankKey>>
  readonly silence: OrderedSet<SilenceKey>
  /** Evictions so far, by reason: a PeerFailed's reason, or SILENT for a Tick. */
  readonly evictions: HashMap.HashMap<string, number>
}

/** The eviction reason a Tick records. */
export const SILENT = "silent"

export const compareSilence = (left: SilenceKey, right: SilenceKey): number =>
  left.lastSeen < right.lastSeen ? -1 : left.lastSeen > right.lastSeen ? 1 : comparePeerIds(left.peerId, right.peerId)

export const emptyRegistry = (options: RegistryOptions): RegistryState => {
  const config: RegistryConfig = {
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    missedHeartbeats: options.missedHeartbeats ?? 3,
    ewmaAlpha: options.ewmaAlpha ?? 0.3,
    defaultLatencyMs: options.defaultLatencyMs ?? 100
  }
  const positive = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} is ${value}; it must be positive`)
  }
  positive("heartbeatIntervalMs", config.heartbeatIntervalMs)
  positive("missedHeartbeats", config.missedHeartbeats)
  positive("defaultLatencyMs", config.defaultLatencyMs)
  if (!(config.ewmaAlpha > 0 && config.ewmaAlpha <= 1)) {
    throw new RangeError(`ewmaAlpha is ${config.ewmaAlpha}; it must lie in (0, 1]`)
  }
  return {
    config,
    experts: HashMap.empty(),
    families: HashMap.empty(),
    silence: emptyOrderedSet(compareSilence),
    evictions: HashMap.empty()
  }
}

export const getExpert = (state: RegistryState, peerId: PeerId): ExpertRecord | undefined =>
  Option.getOrUndefined(HashMap.get(state.experts, peerId))

export const expertCount = (state: RegistryState): number => HashMap.size(state.experts)

/** Tokenizer hash -> number of experts: the families a router could serve, and how wide each is. */
export const families = (state: RegistryState): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>()
  for (const [tokenizerHash, ranking] of state.families) counts.set(tokenizerHash, orderedSize(ranking))
  return counts
}

/** The experts of one family, best score first. */
export const expertsOf = (state: RegistryState, tokenizerHash: string): ExpertRecord[] => {
  const ranking = Option.getOrUndefined(HashMap.get(state.families, tokenizerHash))
  if (ranking === undefined) return []
  return orderedToArray(ranking).map((key) => getExpert(state, key.peerId)!)
}

export const evictionCounts = (state: RegistryState): ReadonlyMap<string, number> => new Map(state.evictions)
