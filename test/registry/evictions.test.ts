import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { apply, applyAll } from "../../router/registry/apply.ts"
import type { RegistryEvent } from "../../router/registry/events.ts"
import { emptyRegistry, evictionCounts, getExpert, SILENT } from "../../router/registry/state.ts"
import { eventArbitrary, INTERVAL_MS, manifestOf, peerIdOf } from "./arbitraries.ts"
import { recordsOf } from "./reference.ts"

const WINDOW_MS = 3 * INTERVAL_MS
const empty = () => emptyRegistry({ heartbeatIntervalMs: INTERVAL_MS })

describe("Tick", () => {
  test("after Tick(t) no expert was last seen before t - 3 intervals, and every expert seen since remains", () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 80 }), fc.integer({ min: 0, max: 15_000 }), (log, at) => {
        const before = applyAll(empty(), log)
        const after = apply(before, { _tag: "Tick", at })
        for (const record of recordsOf(after)) expect(record.lastSeen).toBeGreaterThanOrEqual(at - WINDOW_MS)
        const kept = recordsOf(before).filter((record) => record.lastSeen >= at - WINDOW_MS)
        expect(recordsOf(after)).toEqual(kept)
        const evicted = recordsOf(before).length - kept.length
        expect(evictionCounts(after).get(SILENT) ?? 0).toBe((evictionCounts(before).get(SILENT) ?? 0) + evicted)
      }),
      { numRuns: 500 }
    )
  })

  test("a peer that goes silent is evicted on the first Tick past 3 intervals, not before", () => {
    const scenario = fc.record({
      heartbeats: fc.array(fc.integer({ min: 1, max: 2 * INTERVAL_MS }), { maxLength: 8 }),
      ticks: fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 12 })
    })
    fc.assert(
      fc.property(scenario, ({ heartbeats, ticks }) => {
        const peerId = peerIdOf(0)
        const manifest = manifestOf("tok-llama", "a")
        let state = apply(empty(), { _tag: "ManifestSeen", at: 0, peerId, manifest, addresses: [], source: "gossip" })
        // Heartbeats while alive, each followed by a Tick that must keep the peer.
        let lastSeen = 0
        heartbeats.forEach((gap, index) => {
          lastSeen += gap
          const beat: RegistryEvent = {
            _tag: "Heartbeat",
            at: lastSeen,
            peerId,
            seq: index + 1,
            openSessions: 0,
            maxSessions: 4,
            queue: 0
          }
          state = applyAll(state, [beat, { _tag: "Tick", at: lastSeen }])
          expect(getExpert(state, peerId)).toBeDefined()
        })
        // Then silence, with Ticks at rising times: present up to lastSeen + 3 intervals inclusive, gone after.
        let at = lastSeen + WINDOW_MS - 2000
        for (const gap of ticks) {
          at += gap
          state = apply(state, { _tag: "Tick", at })
          expect(getExpert(state, peerId) !== undefined).toBe(at <= lastSeen + WINDOW_MS)
        }
      }),
      { numRuns: 300 }
    )
  })

  test("at exactly 3 intervals the peer stays; one millisecond later it goes", () => {
    const peerId = peerIdOf(0)
    const manifest = manifestOf("tok-llama", "a")
    const state = apply(empty(), { _tag: "ManifestSeen", at: 100, peerId, manifest, addresses: [], source: "gossip" })
    expect(getExpert(apply(state, { _tag: "Tick", at: 100 + WINDOW_MS }), peerId)).toBeDefined()
    expect(getExpert(apply(state, { _tag: "Tick", at: 101 + WINDOW_MS }), peerId)).toBeUndefined()
  })

  test("missedHeartbeats sets the window", () => {
    const peerId = peerIdOf(0)
    const manifest = manifestOf("tok-llama", "a")
    const seen: RegistryEvent = { _tag: "ManifestSeen", at: 0, peerId, manifest, addresses: [], source: "gossip" }
    const state = apply(emptyRegistry({ heartbeatIntervalMs: 500, missedHeartbeats: 5 }), seen)
    expect(getExpert(apply(state, { _tag: "Tick", at: 2500 }), peerId)).toBeDefined()
    expect(getExpert(apply(state, { _tag: "Tick", at: 2501 }), peerId)).toBeUndefined()
  })
})
