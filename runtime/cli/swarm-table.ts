// The swarm as a router sees it, as text: families, then each expert with its latency and load.
import type { RegistryState } from "../../router/registry/state.ts"
import { families } from "../../router/registry/state.ts"

const milliseconds = (estimate: { readonly ewmaMs: number } | undefined) =>
  estimate === undefined ? "-" : `${estimate.ewmaMs.toFixed(1)} ms`

export const swarmSummary = (state: RegistryState) => {
  const experts = [...state.experts].map(([, expert]) => expert)
  return {
    families: [...families(state)].map(([tokenizerHash, count]) => ({ tokenizerHash, experts: count })),
    experts: experts
      .sort((left, right) => left.score - right.score)
      .map((expert) => ({
        peerId: expert.peerId,
        model: expert.manifest.modelName,
        quantization: expert.manifest.quantization,
        tokenizerHash: expert.manifest.tokenizerHash,
        addresses: expert.addresses,
        pingMs: expert.ping?.ewmaMs,
        stepMs: expert.step?.ewmaMs,
        openSessions: expert.load?.openSessions,
        maxSessions: expert.load?.maxSessions ?? expert.manifest.maxSessions,
        score: expert.score
      }))
  }
}

export const formatSwarm = (state: RegistryState): string => {
  const summary = swarmSummary(state)
  const rows = [...state.experts]
    .map(([, expert]) => expert)
    .sort((left, right) => left.score - right.score)
    .map((expert) => [
      `${expert.peerId.slice(0, 8)}..${expert.peerId.slice(-6)}`,
      `${expert.manifest.modelName} ${expert.manifest.quantization}`,
      expert.manifest.tokenizerHash.slice(0, 12),
      milliseconds(expert.ping),
      milliseconds(expert.step),
      expert.load === undefined ? "-" : `${expert.load.openSessions}/${expert.load.maxSessions}`
    ])
  const header = ["expert", "model", "family", "ping", "step", "sessions"]
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")
  const familyLines = summary.families.map(
    (family) => `  ${family.tokenizerHash.slice(0, 12)}: ${family.experts} experts`
  )
  return [
    `families: ${summary.families.length}`,
    ...familyLines,
    `experts: ${rows.length}`,
    ...(rows.length === 0 ? [] : [`  ${line(header)}`, ...rows.map((row) => `  ${line(row)}`)])
  ].join("\n")
}
