interface Entry<Value> {
  readonly key: string
  value: Value
  /** Neighbour seen just before (towards the stalest end). */
  older: Entry<Value> | undefined
  /** Neighbour seen just after (towards the freshest end). */
  newer: Entry<Value> | undefined
}

/**
 * A map that also knows which key was touched least recently, every operation O(1). A plain Map's insertion order
 * would do in principle, but V8 leaves deleted slots in place until it rehashes, so reading the oldest key of a busy
 * Map walks past up to half its capacity of holes: quadratic at 100,000 clients. Hence a linked list through the
 * entries.
 */
export class RecencyMap<Value> {
  private readonly entries = new Map<string, Entry<Value>>()
  private stalestEntry: Entry<Value> | undefined
  private freshestEntry: Entry<Value> | undefined

  get size(): number {
    return this.entries.size
  }

  /** The value under `key`, leaving its recency alone. */
  get(key: string): Value | undefined {
    return this.entries.get(key)?.value
  }

  /** Stores `value` under `key` and makes it the most recently touched. */
  touch(key: string, value: Value): void {
    const existing = this.entries.get(key)
    if (existing !== undefined) {
      existing.value = value
      this.unlink(existing)
      this.append(existing)
      return
    }
    const entry: Entry<Value> = { key, value, older: undefined, newer: undefined }
    this.entries.set(key, entry)
    this.append(entry)
  }

  /** The least recently touched key and its value, if any. */
  stalest(): { readonly key: string; readonly value: Value } | undefined {
    return this.stalestEntry
  }

  delete(key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.unlink(entry)
  }

  private append(entry: Entry<Value>): void {
    entry.older = this.freshestEntry
    entry.newer = undefined
    if (this.freshestEntry === undefined) this.stalestEntry = entry
    else this.freshestEntry.newer = entry
    this.freshestEntry = entry
  }

  private unlink(entry: Entry<Value>): void {
    if (entry.older === undefined) this.stalestEntry = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === undefined) this.freshestEntry = entry.older
    else entry.newer.older = entry.older
  }
}
