// The Store service: the one door to `level` (LevelDB on disk). Values are JSON; keys are strings that sort the way
// their readers list them. Opened with a scope and closed with it; a folder another process holds open is refused
// with a StoreError that says so.
import { Context, Data, Effect, Layer } from "effect"
import { Level } from "level"

export class StoreError extends Data.TaggedError("StoreError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface ListOptions {
  /** Keys that start with this. */
  readonly prefix: string
  /** Most entries returned. Default 100. */
  readonly limit?: number
  /** Newest (largest key) first. Default false. */
  readonly reverse?: boolean
}

export interface StoreApi {
  readonly path: string
  readonly put: (key: string, value: unknown) => Effect.Effect<void, StoreError>
  readonly get: (key: string) => Effect.Effect<unknown | undefined, StoreError>
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<readonly [string, unknown]>, StoreError>
}

export class Store extends Context.Tag("mesh/Store")<Store, StoreApi>() {}

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** The last character a key of this project uses sorts below it, so `prefix + HIGH` bounds a prefix range. */
const HIGH = "\uffff"

const open = (path: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const db = new Level<string, unknown>(path, { valueEncoding: "json" })
        await db.open()
        return db
      },
      catch: (cause) => {
        const detail = describe((cause as { cause?: unknown }).cause ?? cause)
        const locked = /lock/i.test(detail)
        return new StoreError({
          message: locked
            ? `the store ${path} is open in another process (a running node holds it): ${detail}`
            : `cannot open the store ${path}: ${detail}`,
          cause
        })
      }
    }),
    (db) => Effect.promise(() => db.close())
  )

/** A store over the level database in `path` (created if missing), open for the scope's life. */
export const makeStore = (path: string) =>
  Effect.map(
    open(path),
    (db): StoreApi => ({
      path,
      put: (key, value) =>
        Effect.tryPromise({
          try: () => db.put(key, value),
          catch: (cause) => new StoreError({ message: `cannot write ${key}: ${describe(cause)}`, cause })
        }),
      get: (key) =>
        Effect.tryPromise({
          try: () => db.get(key),
          catch: (cause) => new StoreError({ message: `cannot read ${key}: ${describe(cause)}`, cause })
        }),
      list: ({ prefix, limit = 100, reverse = false }) =>
        Effect.tryPromise({
          try: () => db.iterator({ gte: prefix, lt: prefix + HIGH, limit, reverse }).all(),
          catch: (cause) => new StoreError({ message: `cannot list ${prefix}: ${describe(cause)}`, cause })
        })
    })
  )

export const layerLevel = (path: string): Layer.Layer<Store, StoreError> => Layer.scoped(Store, makeStore(path))
