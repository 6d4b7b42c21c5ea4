// Disjoint subsets of the available experts: each runs its own loop, so the mesh works on several tasks at once
// without two loops ever sharing an expert.
import { Data } from "effect"

export class SubsetError extends Data.TaggedError("SubsetError")<{ readonly message: string }> {}

/**
 * Deals `experts` (best first) into `count` subsets round-robin: every subset gets one of the best before any gets a
 * second. Fails when there are fewer experts than subsets.
 */
export const partitionExperts = <A>(experts: ReadonlyArray<A>, count: number): A[][] => {
  if (!Number.isSafeInteger(count) || count < 1) throw new SubsetError({ message: `${count} subsets: give at least 1` })
  if (experts.length < count) {
    throw new SubsetError({ message: `${count} subsets need at least ${count} experts; ${experts.length} are known` })
  }
  const subsets: A[][] = Array.from({ length: count }, () => [])
  for (const [index, expert] of experts.entries()) subsets[index % count]!.push(expert)
  return subsets
}
