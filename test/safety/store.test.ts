// The level adapter on disk: JSON values back as written, prefix listing in key order both ways, a reopened store
// keeps what was acknowledged, and a folder held by another open store is refused with a clear StoreError.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either } from "effect"
import { afterAll, expect, test } from "vitest"
import { makeStore } from "../../store/store.ts"

const dir = mkdtempSync(join(tmpdir(), "mesh-store-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test("put, get, list by prefix (both orders, limited), reopen", async () => {
  const path = join(dir, "a")
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(path)
        for (const id of ["003", "001", "002"]) yield* store.put(`task/${id}`, { id, nested: { n: Number(id) } })
        yield* store.put("proposal/x", { hash: "x" })
        expect(yield* store.get("task/002")).toEqual({ id: "002", nested: { n: 2 } })
        expect(yield* store.get("task/missing")).toBeUndefined()
        const forward = yield* store.list({ prefix: "task/" })
        expect(forward.map(([key]) => key)).toEqual(["task/001", "task/002", "task/003"])
        const newest = yield* store.list({ prefix: "task/", reverse: true, limit: 2 })
        expect(newest.map(([key]) => key)).toEqual(["task/003", "task/002"])
      })
    )
  )
  const reopened = await Effect.runPromise(
    Effect.scoped(Effect.flatMap(makeStore(path), (store) => store.list({ prefix: "" })))
  )
  expect(reopened).toHaveLength(4)
})

test("a store another handle holds open is refused with a StoreError that says so", async () => {
  const path = join(dir, "b")
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        yield* makeStore(path)
        const second = yield* Effect.either(Effect.scoped(makeStore(path)))
        expect(Either.isLeft(second)).toBe(true)
        if (Either.isLeft(second)) {
          expect(second.left._tag).toBe("StoreError")
          expect(second.left.message).toContain("is open in another process")
        }
      })
    )
  )
})
