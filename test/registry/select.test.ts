import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { createRandom } from "../../aggregator/random.ts"
import { applyAll } from "../../router/registry/apply.ts"
import { NotEnoughExpertsError } from "../../router/registry/errors.ts"
import type { RegistryEvent } from "../../router/registry/events.ts"
import { chooseExperts } from "../../router/registry/select.ts"
import { emptyRegistry, type RegistryState } from "../../router/registry/state.ts"
import { INTERVAL_MS, manifestOf, peerIdOf, TOKENIZERS } from "./arbitraries.ts"
import { referenceChoice } from "./reference.ts"

interface ExpertSpec {
  readonly tokenizerHash?: string
  readonly model: string
  readonly stepMs?: number
  readonly pingMs?: number
  readonly openSessions?: number
  readonly maxSessions?: number
}

/** A registry holding one expert per spec, peer i for spec i. */
const registryOf = (specs: ReadonlyArray<ExpertSpec>): RegistryState =>
  applyAll(
    emptyRegistry({ heartbeatIntervalMs: INTERVAL_MS }),
    specs.flatMap((spec, index): RegistryEvent[] => {
      const peerId = peerIdOf(index)
      const manifest = manifestOf(spec.tokenizerHash ?? "tok-llama", spec.model)
      const events: RegistryEvent[] = [
        { _tag: "ManifestSeen", at: 0, peerId, manifest, addresses: [], source: "gossip" }
      ]
      if (spec.openSessions !== undefined) {
        const { openSessions, maxSessions = 4 } = spec
        events.push({ _tag: "Heartbeat", at: 1, peerId, seq: 1, openSessions, maxSessions, queue: 0 })
      }
      if (spec.pingMs !== undefined)
        events.push({ _tag: "LatencyMeasured", at: 1, peerId, kind: "ping", ms: spec.pingMs })
      if (spec.stepMs !== undefined)
        events.push({ _tag: "LatencyMeasured", at: 1, peerId, kind: "step", ms: spec.stepMs })
      return events
    })
  )

/** Few distinct values, so ties in score and model are common. */
const specArbitrary: fc.Arbitrary<ExpertSpec> = fc.record(
  {
    tokenizerHash: fc.constantFrom(...TOKENIZERS),
    model: fc.constantFrom("x", "y", "z"),
    stepMs: fc.constantFrom(10, 20, 25, 40, 100),
    pingMs: fc.constantFrom(5, 30),
    openSessions: fc.integer({ min: 0, max: 4 }),
    maxSessions: fc.integer({ min: 0, max: 4 })
  },
  { requiredKeys: ["model", "tokenizerHash"] }
)

const scenarioArbitrary = fc.record({
  specs: fc.array(specArbitrary, { minLength: 1, maxLength: 40 }),
  k: fc.integer({ min: 1, max: 8 }),
  excluded: fc.uniqueArray(fc.integer({ min: 0, max: 45 }), { maxLength: 10 }),
  tokenizerHash: fc.constantFrom(...TOKENIZERS),
  seed: fc.integer(),
  lookahead: fc.integer({ min: 0, max: 6 }),
  explore: fc.constantFrom(0, 0.05, 1)
})

const peersOf = (experts: ReadonlyArray<{ peerId: string }>): string[] => experts.map((expert) => expert.peerId)

describe("chooseExperts", () => {
  test("returns exactly k distinct experts of the family, none excluded, or says how many there are", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ specs, k, excluded, tokenizerHash, seed, lookahead, explore }) => {
        const state = registryOf(specs)
        const exclude = new Set(excluded.map(peerIdOf))
        const available = specs.filter(
          (spec, index) => spec.tokenizerHash === tokenizerHash && !exclude.has(peerIdOf(index))
        ).length
        const choose = () =>
          chooseExperts(state, { tokenizerHash, k, random: createRandom(seed), exclude, lookahead, explore })
        if (available < k) {
          expect(choose).toThrow(NotEnoughExpertsError)
          expect(choose).toThrow(`has ${available} usable experts`)
          return
        }
        const chosen = choose()
        expect(chosen).toHaveLength(k)
        expect(new Set(peersOf(chosen)).size).toBe(k)
        for (const expert of chosen) {
          expect(expert.manifest.tokenizerHash).toBe(tokenizerHash)
          expect(exclude.has(expert.peerId)).toBe(false)
        }
      }),
      { numRuns: 500 }
    )
  })

  test("without exploration, the index-backed choice equals a full scan of the state", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.constantFrom(0, 0.25, 1),
        ({ specs, k, excluded, tokenizerHash, lookahead }, penalty) => {
          const state = registryOf(specs)
          const exclude = new Set<string>(excluded.map(peerIdOf))
          const options = { tokenizerHash, k, exclude, lookahead }
          let expected: string[]
          try {
            expected = referenceChoice(state, { ...options, penalty })
          } catch {
            return // fewer than k: covered above
          }
          const random = () => 0
          const chosen = chooseExperts(state, { ...options, random, explore: 0, diversityPenalty: penalty })
          expect(peersOf(chosen)).toEqual(expected)
        }
      ),
      { numRuns: 1000 }
    )
  })

  test("with clearly separated latencies the k fastest are chosen in at least 90% of draws", () => {
    const state = registryOf(
      Array.from({ length: 20 }, (_, index) => ({ model: `m${index}`, stepMs: 10 * (index + 1) }))
    )
    const fastest = [peerIdOf(0), peerIdOf(1), peerIdOf(2)]
    const random = createRandom(2024)
    let hits = 0
    for (let draw = 0; draw < 1000; draw++) {
      const chosen = peersOf(chooseExperts(state, { tokenizerHash: "tok-llama", k: 3, random }))
      if (fastest.every((peerId) => chosen.includes(peerId))) hits++
    }
    expect(hits).toBeGreaterThanOrEqual(900)
    // Exploration does happen: the slower ones are measured now and then.
    expect(hits).toBeLessThan(1000)
  })

  test("an unmeasured peer is tried now and then, even among faster measured ones", () => {
    const specs = [...Array.from({ length: 5 }, () => ({ model: "x", stepMs: 20 })), { model: "x" }]
    const state = registryOf(specs)
    const random = createRandom(7)
    let tried = 0
    for (let draw = 0; draw < 1000; draw++) {
      if (peersOf(chooseExperts(state, { tokenizerHash: "tok-llama", k: 2, random })).includes(peerIdOf(5))) tried++
    }
    expect(tried).toBeGreaterThan(0)
    expect(tried).toBeLessThan(50)
  })

  test("full experts are avoided while others are free", () => {
    const full = { model: "x", stepMs: 10, openSessions: 4, maxSessions: 4 }
    const free = { model: "x", stepMs: 50, openSessions: 3, maxSessions: 4 }
    const state = registryOf([full, free, full, free, full, free])
    const choose = (k: number) =>
      peersOf(chooseExperts(state, { tokenizerHash: "tok-llama", k, random: Math.random, explore: 0 }))
    expect(choose(3).sort()).toEqual([peerIdOf(1), peerIdOf(3), peerIdOf(5)])
    // When K needs them, full experts still serve: better a queue than no answer.
    expect(choose(4)).toHaveLength(4)
  })

  test("distinct models are preferred when latencies are equal, but not over a much faster model", () => {
    const equal = registryOf([
      { model: "x", stepMs: 50 },
      { model: "x", stepMs: 50 },
      { model: "x", stepMs: 50 },
      { model: "y", stepMs: 50 },
      { model: "z", stepMs: 50 }
    ])
    const chosen = chooseExperts(equal, { tokenizerHash: "tok-llama", k: 3, random: Math.random, explore: 0 })
    expect(chosen.map((expert) => expert.manifest.fileSha256).sort()).toEqual(["sha-x", "sha-y", "sha-z"])

    const faster = registryOf([
      { model: "x", stepMs: 10 },
      { model: "x", stepMs: 11 },
      { model: "y", stepMs: 100 }
    ])
    const picked = chooseExperts(faster, { tokenizerHash: "tok-llama", k: 2, random: Math.random, explore: 0 })
    expect(peersOf(picked)).toEqual([peerIdOf(0), peerIdOf(1)])
  })

  test("refuses an impossible k with a typed error", () => {
    const state = registryOf([{ model: "x" }, { model: "y" }, { model: "z", tokenizerHash: "tok-qwen" }])
    const choose = (k: number, tokenizerHash = "tok-llama", exclude = new Set<string>()) =>
      chooseExperts(state, { tokenizerHash, k, random: Math.random, exclude })
    expect(choose(2)).toHaveLength(2)
    expect(() => choose(3)).toThrow(NotEnoughExpertsError)
    expect(() => choose(2, "tok-llama", new Set([peerIdOf(0), peerIdOf(2)]))).toThrow(/has 1 usable experts/)
    expect(() => choose(1, "tok-unknown")).toThrow(/has 0 usable experts/)
    try {
      choose(5)
    } catch (error) {
      expect(error).toMatchObject({ _tag: "NotEnoughExpertsError", wanted: 5, available: 2 })
    }
    expect(() => choose(0)).toThrow(RangeError)
    const options = { tokenizerHash: "tok-llama", k: 1, random: Math.random }
    expect(() => chooseExperts(state, { ...options, diversityPenalty: -0.5 })).toThrow(RangeError)
    expect(() => chooseExperts(state, { ...options, explore: 2 })).toThrow(RangeError)
  })
})
