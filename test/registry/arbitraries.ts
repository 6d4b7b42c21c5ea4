import fc from "fast-check"
import type { ExpertManifest } from "../../proto/messages.ts"
import { asPeerId, type PeerId, type RegistryEvent } from "../../router/registry/events.ts"

export const INTERVAL_MS = 1000

export const TOKENIZERS = ["tok-llama", "tok-qwen"] as const

export const manifestOf = (tokenizerHash: string, model: string, maxSessions = 4): ExpertManifest => ({
  modelName: `model-${model}`,
  fileSha256: `sha-${model}`,
  tokenizerHash,
  architecture: "llama",
  parameters: 1e9,
  quantization: "Q4_K_M",
  contextSize: 4096,
  vocabSize: 32_000,
  maxSessions,
  maxTopK: 64,
  addBos: true,
  bosToken: 1,
  eosToken: 2
})

export const peerIdOf = (index: number): PeerId => asPeerId(`12D3KooW${index.toString().padStart(4, "0")}`)

/** A handful of peers, so random events keep hitting the same ones. */
const PEERS = Array.from({ length: 6 }, (_, index) => peerIdOf(index))

/** Two families of three models each: manifests collide, and a peer may switch model or family. */
const MANIFESTS = TOKENIZERS.flatMap((tokenizerHash) =>
  ["a", "b", "c"].map((model) => manifestOf(tokenizerHash, `${tokenizerHash}-${model}`))
)

const peerArbitrary = fc.constantFrom(...PEERS)
const atArbitrary = fc.integer({ min: 0, max: 10_000 })

export const manifestSeenArbitrary: fc.Arbitrary<RegistryEvent> = fc.record({
  _tag: fc.constant("ManifestSeen" as const),
  at: atArbitrary,
  peerId: peerArbitrary,
  manifest: fc.constantFrom(...MANIFESTS),
  addresses: fc.constantFrom(["/ip4/10.0.0.1/tcp/4001"], ["/ip4/10.0.0.2/tcp/4001", "/ip6/::1/tcp/4001"]),
  source: fc.constantFrom("gossip" as const, "dht" as const, "direct" as const)
})

export const heartbeatArbitrary: fc.Arbitrary<RegistryEvent> = fc.record({
  _tag: fc.constant("Heartbeat" as const),
  at: atArbitrary,
  peerId: peerArbitrary,
  seq: fc.integer({ min: 0, max: 20 }),
  openSessions: fc.integer({ min: 0, max: 5 }),
  maxSessions: fc.integer({ min: 0, max: 4 }),
  queue: fc.integer({ min: 0, max: 2 })
})

export const latencyArbitrary: fc.Arbitrary<RegistryEvent> = fc.record({
  _tag: fc.constant("LatencyMeasured" as const),
  at: atArbitrary,
  peerId: peerArbitrary,
  kind: fc.constantFrom("ping" as const, "step" as const),
  ms: fc.double({ min: 0, max: 500, noNaN: true })
})

export const eventArbitrary: fc.Arbitrary<RegistryEvent> = fc.oneof(
  { arbitrary: manifestSeenArbitrary, weight: 4 },
  { arbitrary: heartbeatArbitrary, weight: 4 },
  { arbitrary: latencyArbitrary, weight: 3 },
  {
    arbitrary: fc.record({
      _tag: fc.constant("PeerFailed" as const),
      at: atArbitrary,
      peerId: peerArbitrary,
      reason: fc.constantFrom("dial failed", "step failed")
    }),
    weight: 1
  },
  { arbitrary: fc.record({ _tag: fc.constant("Tick" as const), at: atArbitrary }), weight: 1 }
)

/** A log, and one more event that is either new or a replay of one in the log. */
export const logAndEventArbitrary: fc.Arbitrary<{ log: RegistryEvent[]; event: RegistryEvent }> = fc
  .array(eventArbitrary, { maxLength: 60 })
  .chain((log) =>
    fc.record({
      log: fc.constant(log),
      event: log.length === 0 ? eventArbitrary : fc.oneof(eventArbitrary, fc.constantFrom(...log))
    })
  )
