// The models the gateway offers: one per tokenizer family in the swarm. A family's id is the name of the model most
// of its experts serve (ties: the first by name), so clients write "stories260K" rather than a hash; any model name
// served in the family, and `family-<first 12 hex of the tokenizer hash>`, name it too.
import { families, type RegistryState } from "../router/registry/state.ts"

export interface CatalogEntry {
  readonly id: string
  readonly tokenizerHash: string
  readonly experts: number
  /** Every model name served in the family, with its expert count. */
  readonly models: ReadonlyArray<{ readonly name: string; readonly experts: number }>
}

export const familyAlias = (tokenizerHash: string): string => `family-${tokenizerHash.slice(0, 12)}`

export const catalog = (state: RegistryState): CatalogEntry[] => {
  const byFamily = new Map<string, Map<string, number>>()
  for (const [, expert] of state.experts) {
    const names = byFamily.get(expert.manifest.tokenizerHash) ?? new Map<string, number>()
    names.set(expert.manifest.modelName, (names.get(expert.manifest.modelName) ?? 0) + 1)
    byFamily.set(expert.manifest.tokenizerHash, names)
  }
  return [...families(state)]
    .map(([tokenizerHash, experts]) => {
      const models = [...(byFamily.get(tokenizerHash) ?? new Map<string, number>())]
        .map(([name, count]) => ({ name, experts: count }))
        .sort((left, right) => right.experts - left.experts || left.name.localeCompare(right.name))
      return { id: models[0]?.name ?? familyAlias(tokenizerHash), tokenizerHash, experts, models }
    })
    .sort((left, right) => left.id.localeCompare(right.id))
}

/** The family a requested model name belongs to, or undefined. */
export const resolveModel = (state: RegistryState, model: string): CatalogEntry | undefined =>
  catalog(state).find(
    (entry) =>
      entry.id === model || familyAlias(entry.tokenizerHash) === model || entry.models.some((m) => m.name === model)
  )
