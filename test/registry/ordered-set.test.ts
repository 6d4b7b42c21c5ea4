import fc from "fast-check"
import { describe, expect, test } from "vitest"
import {
  emptyOrderedSet,
  type OrderedSet,
  orderedAt,
  orderedInsert,
  orderedRemove,
  orderedSize,
  orderedToArray,
  orderedWalk
} from "../../router/registry/ordered-set.ts"

const byNumber = (left: number, right: number): number => left - right

type Operation = { readonly insert: boolean; readonly key: number }

const operationsArbitrary = fc.array(fc.record({ insert: fc.boolean(), key: fc.integer({ min: 0, max: 60 }) }), {
  maxLength: 300
})

/** Every node's height is one more than its taller child's, the children differ by at most one, sizes add up. */
const checkBalanced = (set: OrderedSet<number>): void => {
  type Node = { key: number; left?: Node; right?: Node; height: number; size: number }
  const visit = (node: Node | undefined): number => {
    if (node === undefined) return 0
    const left = visit(node.left)
    const right = visit(node.right)
    expect(Math.abs(left - right)).toBeLessThanOrEqual(1)
    expect(node.height).toBe(Math.max(left, right) + 1)
    expect(node.size).toBe((node.left?.size ?? 0) + (node.right?.size ?? 0) + 1)
    return node.height
  }
  visit(set.root as Node | undefined)
}

describe("OrderedSet", () => {
  test("agrees with a sorted array under any inserts and removes, and stays balanced", () => {
    fc.assert(
      fc.property(operationsArbitrary, (operations: Operation[]) => {
        let set = emptyOrderedSet(byNumber)
        const reference = new Set<number>()
        for (const { insert, key } of operations) {
          set = insert ? orderedInsert(set, key) : orderedRemove(set, key)
          if (insert) reference.add(key)
          else reference.delete(key)
        }
        const sorted = [...reference].sort(byNumber)
        expect(orderedToArray(set)).toEqual(sorted)
        expect(orderedSize(set)).toBe(sorted.length)
        for (const [index, key] of sorted.entries()) expect(orderedAt(set, index)).toBe(key)
        expect(orderedAt(set, -1)).toBeUndefined()
        expect(orderedAt(set, sorted.length)).toBeUndefined()
        checkBalanced(set)
      }),
      { numRuns: 300 }
    )
  })

  test("is persistent: an update leaves the old set as it was", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { maxLength: 50 }), fc.integer(), (keys, extra) => {
        const before = keys.reduce((set, key) => orderedInsert(set, key), emptyOrderedSet(byNumber))
        const listed = orderedToArray(before)
        orderedInsert(before, extra)
        if (keys.length > 0) orderedRemove(before, keys[0]!)
        expect(orderedToArray(before)).toEqual(listed)
      })
    )
  })

  test("removing an absent key returns the same set", () => {
    const set = orderedInsert(orderedInsert(emptyOrderedSet(byNumber), 1), 3)
    expect(orderedRemove(set, 2)).toBe(set)
  })

  test("a walk stops when asked", () => {
    const set = [5, 1, 4, 2, 3].reduce((current, key) => orderedInsert(current, key), emptyOrderedSet(byNumber))
    const seen: number[] = []
    orderedWalk(set, (key) => {
      seen.push(key)
      return key < 3
    })
    expect(seen).toEqual([1, 2, 3])
  })
})
