import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { apply, applyAll } from "../../router/registry/apply.ts"
import type { RegistryEvent } from "../../router/registry/events.ts"
import { emptyRegistry, evictionCounts, expertsOf, families, getExpert } from "../../router/registry/state.ts"
import { eventArbitrary, INTERVAL_MS, logAndEventArbitrary, manifestOf, peerIdOf, TOKENIZERS } from "./arbitraries.ts"
import { expectedIndexes, recordsOf, referenceScore, snapshot } from "./reference.ts"

const runs = { numRuns: 300 }
const empty = () => emptyRegistry({ heartbeatIntervalMs: INTERVAL_MS })
const peer = peerIdOf(1)
const seen = (at: number, tokenizerHash = "tok-llama", model = "a"): RegistryEvent => ({
  _tag: "ManifestSeen",
  at,
  peerId: peer,
  manifest: manifestOf(tokenizerHash, model),
  addresses: ["/ip4/10.0.0.1/tcp/4001"],
  source: "gossip"
})
const heartbeat = (at: number, seq: number, openSessions = 1): RegistryEvent => ({
  _tag: "Heartbeat",
  at,
  peerId: peer,
  seq,
  openSessions,
  maxSessions: 4,
  queue: 0
})

describe("apply", () => {
  test("the family orderings and the silence ordering always agree with a full sort of the records", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 80 }), (log) => {
        let state = empty()
        for (const event of log) {
          state = apply(state, event)
          const { families: actualFamilies, silence } = snapshot(state)
          expect({ families: actualFamilies, silence }).toEqual(expectedIndexes(state))
          for (const record of recordsOf(state)) expect(record.score).toBe(referenceScore(record))
        }
      }),
      runs
    )
  })

  test("applying an event twice equals applying it once, for every kind of event", () => {
    fc.assert(
      fc.property(logAndEventArbitrary, ({ log, event }) => {
        const once = apply(applyAll(empty(), log), event)
        expect(snapshot(apply(once, event))).toEqual(snapshot(once))
      }),
      { numRuns: 1000 }
    )
  })

  test("lastSeen never moves back, whatever the order of times in the log", () => {
    fc.assert(
      fc.property(logAndEventArbitrary, ({ log, event }) => {
        const before = applyAll(empty(), log)
        const after = apply(before, event)
        for (const record of recordsOf(after)) {
          const previous = getExpert(before, record.peerId)
          if (previous !== undefined) expect(record.lastSeen).toBeGreaterThanOrEqual(previous.lastSeen)
        }
      }),
      runs
    )
  })

  test("heartbeats in any order give the state that seq order gives", () => {
    const peerArbitrary = fc.record({
      manifestAt: fc.integer({ min: 0, max: 2000 }),
      tokenizerHash: fc.constantFrom(...TOKENIZERS),
      beats: fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 1500 }),
          openSessions: fc.integer({ min: 0, max: 4 }),
          maxSessions: fc.integer({ min: 1, max: 4 }),
          queue: fc.integer({ min: 0, max: 3 })
        }),
        { maxLength: 12 }
      )
    })
    const scenario = fc.array(peerArbitrary, { minLength: 1, maxLength: 5 }).chain((peers) => {
      const manifests: RegistryEvent[] = []
      const beats: Array<RegistryEvent & { _tag: "Heartbeat" }> = []
      peers.forEach((description, index) => {
        const peerId = peerIdOf(index)
        const manifest = manifestOf(description.tokenizerHash, `m${index % 2}`)
        manifests.push({
          _tag: "ManifestSeen",
          at: description.manifestAt,
          peerId,
          manifest,
          addresses: [],
          source: "dht"
        })
        // The router's clock moves on between an expert's heartbeats; delivery may still reorder them.
        let at = description.manifestAt
        description.beats.forEach(({ gap, ...load }, seq) => {
          at += gap
          beats.push({ _tag: "Heartbeat", at, peerId, seq: seq + 1, ...load })
        })
      })
      return fc.record({
        manifests: fc.constant(manifests),
        inSeqOrder: fc.constant(beats),
        shuffled: fc.shuffledSubarray(beats, { minLength: beats.length, maxLength: beats.length }),
        tickAt: fc.integer({ min: 0, max: 25_000 })
      })
    })
    fc.assert(
      fc.property(scenario, ({ manifests, inSeqOrder, shuffled, tickAt }) => {
        const tick: RegistryEvent = { _tag: "Tick", at: tickAt }
        const ordered = applyAll(empty(), [...manifests, ...inSeqOrder, tick])
        const reordered = applyAll(empty(), [...manifests, ...shuffled, tick])
        expect(snapshot(reordered)).toEqual(snapshot(ordered))
        for (const record of recordsOf(reordered)) {
          const last = inSeqOrder.filter((beat) => beat.peerId === record.peerId).at(-1)
          expect(record.lastSeq).toBe(last?.seq)
          if (last !== undefined) expect(record.load?.openSessions).toBe(last.openSessions)
        }
      }),
      runs
    )
  })

  test("a manifest of another family moves the expert there", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 60 }), fc.integer({ min: 0, max: 5 }), (log, index) => {
        const before = applyAll(empty(), log)
        const peerId = peerIdOf(index)
        const known = getExpert(before, peerId)
        const from = known?.manifest.tokenizerHash
        const to = from === TOKENIZERS[0] ? TOKENIZERS[1] : TOKENIZERS[0]
        // Same model file, other tokenizer hash: only the family differs, so only the family can move it.
        const manifest = known === undefined ? manifestOf(to, "moved") : { ...known.manifest, tokenizerHash: to }
        const after = apply(before, {
          _tag: "ManifestSeen",
          at: 20_000,
          peerId,
          manifest,
          addresses: [],
          source: "direct"
        })
        const count = (state: typeof before, family: string | undefined) => families(state).get(family ?? "") ?? 0
        expect(count(after, to)).toBe(count(before, to) + 1)
        expect(expertsOf(after, to).map((record) => record.peerId)).toContain(peerId)
        if (from !== undefined) {
          expect(count(after, from)).toBe(count(before, from) - 1)
          expect(expertsOf(after, from).map((record) => record.peerId)).not.toContain(peerId)
        }
        expect(getExpert(after, peerId)?.manifest).toBe(manifest)
      }),
      runs
    )
  })

  test("a heartbeat from a peer without a manifest is ignored", () => {
    const state = apply(empty(), heartbeat(10, 1))
    expect(getExpert(state, peer)).toBeUndefined()
    // Its seq is not remembered either: the first heartbeat after the manifest counts.
    const later = applyAll(state, [seen(20), heartbeat(30, 1, 3)])
    expect(getExpert(later, peer)?.load?.openSessions).toBe(3)
  })

  test("a stale heartbeat changes nothing: load is not rolled back and lastSeen is not refreshed", () => {
    const state = applyAll(empty(), [seen(0), heartbeat(100, 5, 3)])
    expect(apply(state, heartbeat(200, 4, 0))).toBe(state)
    expect(apply(state, heartbeat(200, 5, 0))).toBe(state)
    const newer = apply(state, heartbeat(150, 6, 2))
    expect(getExpert(newer, peer)).toMatchObject({ lastSeq: 6, lastSeen: 150, load: { openSessions: 2 } })
  })

  test("a new manifest for a known peer replaces it and starts its heartbeat counter over", () => {
    const state = applyAll(empty(), [
      seen(0),
      heartbeat(100, 7),
      { _tag: "LatencyMeasured", at: 110, peerId: peer, kind: "ping", ms: 30 },
      { _tag: "LatencyMeasured", at: 120, peerId: peer, kind: "step", ms: 80 }
    ])
    const same = apply(state, seen(500))
    expect(getExpert(same, peer)).toMatchObject({ lastSeen: 500, lastSeq: 7, firstSeen: 0 })
    const restarted = apply(state, seen(500, "tok-llama", "b"))
    expect(getExpert(restarted, peer)).toMatchObject({
      lastSeen: 500,
      lastSeq: undefined,
      load: undefined,
      step: undefined
    })
    expect(getExpert(restarted, peer)?.ping?.ewmaMs).toBe(30)
    expect(getExpert(apply(restarted, heartbeat(600, 1)), peer)?.lastSeq).toBe(1)
  })

  test("latency: the first sample sets the average, later ones move it by alpha, per kind", () => {
    const state = applyAll(empty(), [
      seen(0),
      { _tag: "LatencyMeasured", at: 1, peerId: peer, kind: "ping", ms: 40 },
      { _tag: "LatencyMeasured", at: 2, peerId: peer, kind: "ping", ms: 140 },
      { _tag: "LatencyMeasured", at: 2, peerId: peer, kind: "ping", ms: 1000 }
    ])
    expect(getExpert(state, peer)?.ping).toEqual({ ewmaMs: 0.3 * 140 + 0.7 * 40, lastAt: 2, samples: 2 })
    expect(getExpert(state, peer)?.score).toBeCloseTo(70)
    const stepped = apply(state, { _tag: "LatencyMeasured", at: 3, peerId: peer, kind: "step", ms: 90 })
    expect(getExpert(stepped, peer)?.score).toBe(90)
  })

  test("PeerFailed evicts at once and counts the reason", () => {
    const failed: RegistryEvent = { _tag: "PeerFailed", at: 5, peerId: peer, reason: "dial failed" }
    const state = applyAll(empty(), [seen(0), failed, failed])
    expect(getExpert(state, peer)).toBeUndefined()
    expect(families(state).size).toBe(0)
    expect(evictionCounts(state)).toEqual(new Map([["dial failed", 1]]))
  })

  test("malformed numbers are ignored", () => {
    const state = apply(empty(), seen(0))
    expect(apply(state, seen(Number.NaN))).toBe(state)
    expect(apply(state, { _tag: "LatencyMeasured", at: 1, peerId: peer, kind: "step", ms: Number.NaN })).toBe(state)
    expect(apply(state, { _tag: "LatencyMeasured", at: 1, peerId: peer, kind: "step", ms: -1 })).toBe(state)
    expect(apply(state, heartbeat(1, 1, Number.POSITIVE_INFINITY))).toBe(state)
    expect(apply(state, heartbeat(1, 1, -1))).toBe(state)
  })

  test("the configuration is checked", () => {
    expect(() => emptyRegistry({ heartbeatIntervalMs: 0 })).toThrow(RangeError)
    expect(() => emptyRegistry({ heartbeatIntervalMs: 1000, ewmaAlpha: 0 })).toThrow(/ewmaAlpha/)
  })
})
