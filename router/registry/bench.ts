// Registry throughput: apply over a mixed event log and chooseExperts over a wide family. Called by the benchmark
// scripts; timings come from performance.now(), so run it on an otherwise idle machine.
import { createRandom, type RandomSource } from "../../aggregator/random.ts"
import type { ExpertManifest } from "../../proto/messages.ts"
import { apply, applyAll } from "./apply.ts"
import { asPeerId, type PeerId, type RegistryEvent } from "./events.ts"
import { chooseExperts } from "./select.ts"
import { emptyRegistry, type RegistryState } from "./state.ts"

export interface MeasureOptions {
  /** Peers the mixed log talks about. Default 10,000. */
  readonly peers?: number
  /** Length of the mixed log. Default 100,000. */
  readonly events?: number
  /** Experts in the one family chosen from. Default 10,000. */
  readonly familySize?: number
  /** Default 4. */
  readonly k?: number
  /** Choices timed. Default 10,000. */
  readonly choices?: number
  readonly seed?: number
}

export interface RegistryFigures {
  readonly applyMicrosPerEvent: number
  readonly chooseMicrosPerChoice: number
}

const HEARTBEAT_INTERVAL_MS = 1000
const MODELS = 16
const MAX_SESSIONS = 4

export const measureRegistry = (options: MeasureOptions = {}): RegistryFigures => {
  const random = createRandom(options.seed ?? 1)
  return {
    applyMicrosPerEvent: measureApply(options.peers ?? 10_000, options.events ?? 100_000, random),
    chooseMicrosPerChoice: measureChoose(
      options.familySize ?? 10_000,
      options.k ?? 4,
      options.choices ?? 10_000,
      random
    )
  }
}

const measureApply = (peers: number, eventCount: number, random: RandomSource): number => {
  const peerIds = Array.from({ length: peers }, (_, index) => peerIdOf(index))
  const known = applyAll(
    emptyRegistry({ heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS }),
    peerIds.map((peerId, index) => manifestSeen(0, peerId, index % 5 === 0 ? "family-b" : "family-a", index % MODELS))
  )
  const events = mixedLog(peerIds, eventCount, random)
  // The state is persistent: the warm-up run leaves `known` as it was.
  applyAll(known, events.slice(0, Math.ceil(eventCount / 10)))
  const started = performance.now()
  applyAll(known, events)
  return ((performance.now() - started) * 1000) / Math.max(1, eventCount)
}

/**
 * Each peer hears from itself about once per heartbeat interval, so a few percent fall silent for three intervals
 * and are evicted, then come back with a later manifest, as on a real swarm.
 */
const mixedLog = (peerIds: ReadonlyArray<PeerId>, eventCount: number, random: RandomSource): RegistryEvent[] => {
  const pick = () => Math.floor(random() * peerIds.length)
  const seqs = new Array<number>(peerIds.length).fill(0)
  const stepMs = HEARTBEAT_INTERVAL_MS / peerIds.length
  const events: RegistryEvent[] = []
  for (let index = 0; index < eventCount; index++) {
    const at = 1 + index * stepMs
    const draw = random()
    const peer = pick()
    const peerId = peerIds[peer]!
    if (draw < 0.65) {
      // One in twenty arrives late, behind a newer one: a stale heartbeat.
      const seq = random() < 0.05 ? seqs[peer]! - 1 : ++seqs[peer]!
      const openSessions = Math.floor(random() * (MAX_SESSIONS + 1))
      events.push({ _tag: "Heartbeat", at, peerId, seq, openSessions, maxSessions: MAX_SESSIONS, queue: 0 })
    } else if (draw < 0.9) {
      const kind = random() < 0.5 ? "ping" : "step"
      const ms = (kind === "ping" ? 20 : 60) * (1 + (peer % 10) / 5) * (0.8 + 0.4 * random())
      events.push({ _tag: "LatencyMeasured", at, peerId, kind, ms })
    } else if (draw < 0.95) {
      const model = random() < 0.1 ? Math.floor(random() * MODELS) : peer % MODELS
      events.push(manifestSeen(at, peerId, peer % 5 === 0 ? "family-b" : "family-a", model))
    } else if (draw < 0.96) {
      events.push({ _tag: "PeerFailed", at, peerId, reason: "dial failed" })
    } else {
      events.push({ _tag: "Tick", at })
    }
  }
  return events
}

const measureChoose = (familySize: number, k: number, choices: number, random: RandomSource): number => {
  let state: RegistryState = emptyRegistry({ heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS })
  for (let index = 0; index < familySize; index++) {
    const peerId = peerIdOf(index)
    state = apply(state, manifestSeen(0, peerId, "family-a", index % MODELS))
    const openSessions = Math.floor(random() * MAX_SESSIONS)
    state = apply(state, {
      _tag: "Heartbeat",
      at: 1,
      peerId,
      seq: 1,
      openSessions,
      maxSessions: MAX_SESSIONS,
      queue: 0
    })
    state = apply(state, { _tag: "LatencyMeasured", at: 1, peerId, kind: "step", ms: 20 + 200 * random() })
  }
  const choose = () => chooseExperts(state, { tokenizerHash: "family-a", k, random })
  for (let index = 0; index < Math.ceil(choices / 10); index++) choose()
  const started = performance.now()
  for (let index = 0; index < choices; index++) choose()
  return ((performance.now() - started) * 1000) / Math.max(1, choices)
}

const peerIdOf = (index: number): PeerId => asPeerId(`12D3KooWbench${index.toString().padStart(8, "0")}`)

const manifestSeen = (at: number, peerId: PeerId, tokenizerHash: string, model: number): RegistryEvent => ({
  _tag: "ManifestSeen",
  at,
  peerId,
  manifest: benchManifest(tokenizerHash, model),
  addresses: [`/ip4/10.0.0.1/tcp/4001/p2p/${peerId}`],
  source: "gossip"
})

const manifests = new Map<string, ExpertManifest>()

const benchManifest = (tokenizerHash: string, model: number): ExpertManifest => {
  const key = `${tokenizerHash}/${model}`
  let manifest = manifests.get(key)
  if (manifest === undefined) {
    manifest = {
      modelName: `bench-model-${model}`,
      fileSha256: `sha-${key}`,
      tokenizerHash,
      architecture: "llama",
      parameters: 1e9,
      quantization: "Q4_K_M",
      contextSize: 4096,
      vocabSize: 32_000,
      maxSessions: MAX_SESSIONS,
      maxTopK: 64,
      addBos: true,
      bosToken: 1,
      eosToken: 2
    }
    manifests.set(key, manifest)
  }
  return manifest
}
