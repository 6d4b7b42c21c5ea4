import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { RecencyMap } from "../../../gateway/fair-use/recency-map.ts"

describe("RecencyMap", () => {
  test("the stalest entry is the one touched least recently", () => {
    const map = new RecencyMap<number>()
    expect(map.stalest()).toBeUndefined()
    map.touch("a", 1)
    map.touch("b", 2)
    map.touch("c", 3)
    expect(map.stalest()).toMatchObject({ key: "a", value: 1 })
    map.touch("a", 10)
    expect(map.stalest()).toMatchObject({ key: "b", value: 2 })
    expect(map.get("a")).toBe(10)
    // `get` does not count as a touch.
    map.get("b")
    map.delete("b")
    map.delete("missing")
    expect(map.stalest()).toMatchObject({ key: "c", value: 3 })
    expect(map.size).toBe(2)
  })

  test("agrees with a Map in insertion order under any sequence of touches and deletes", () => {
    const operation = fc.record({ touch: fc.boolean(), key: fc.constantFrom("a", "b", "c", "d", "e"), value: fc.nat() })
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 100 }), (operations) => {
        const map = new RecencyMap<number>()
        const model = new Map<string, number>()
        for (const { touch, key, value } of operations) {
          if (touch) {
            map.touch(key, value)
            model.delete(key)
            model.set(key, value)
          } else {
            map.delete(key)
            model.delete(key)
          }
          expect(map.size).toBe(model.size)
          const first = [...model][0]
          expect(map.stalest() && [map.stalest()!.key, map.stalest()!.value]).toEqual(first)
          for (const [modelKey, modelValue] of model) expect(map.get(modelKey)).toBe(modelValue)
        }
        // Draining from the stale end yields the model's order.
        const drained: string[] = []
        for (let entry = map.stalest(); entry !== undefined; entry = map.stalest()) {
          drained.push(entry.key)
          map.delete(entry.key)
        }
        expect(drained).toEqual([...model.keys()])
      })
    )
  })
})
