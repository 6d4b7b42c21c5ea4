// npm run chaos [-- --seed N --clients N --requests N --experts N --tokens N --gap MS --out FILE]
// The chaos suite at full size: 8 clients x 25 streaming requests through the gateway while experts are killed,
// frozen, stalled, reset, delayed and restarted. Writes docs/reliability-report.md and bench/results/chaos.json, and
// exits 1 when more than one request failed, any was cut off, any answer differed from its reference, or a session
// leaked.
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { modelPath, PROJECT_ROOT, resolveModelsDir } from "../runtime/models-dir.ts"
import { renderReport } from "../testbed/chaos/report.ts"
import { runChaos } from "../testbed/chaos/run.ts"
import { netnsAvailable, sweepStaleTestbeds } from "../testbed/netns.ts"
import { machine, percentile, writeResult } from "./report.ts"

const usage =
  "usage: npm run chaos -- [--seed N] [--clients N] [--requests N] [--experts N] [--tokens N] [--gap MS] [--out FILE]"

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        seed: { type: "string" },
        clients: { type: "string" },
        requests: { type: "string" },
        experts: { type: "string" },
        tokens: { type: "string" },
        gap: { type: "string" },
        out: { type: "string" }
      }
    }).values
  } catch (cause) {
    console.error(`${cause instanceof Error ? cause.message : String(cause)}\n${usage}`)
    process.exit(2)
  }
})()

const integer = (name: keyof typeof parsed, fallback: number, min: number, max: number): number => {
  const text = parsed[name]
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer within ${min}..${max}, got ${text}\n${usage}`)
    process.exit(2)
  }
  return value
}

const seed = integer("seed", Math.floor(Math.random() * 1_000_000), 0, Number.MAX_SAFE_INTEGER)
const options = {
  seed,
  clients: integer("clients", 8, 1, 64),
  requestsPerClient: integer("requests", 25, 1, 1000),
  experts: integer("experts", 5, 3, 12),
  k: 2,
  maxTokens: integer("tokens", 24, 1, 200),
  meanGapMs: integer("gap", 1000, 100, 60_000),
  maxDisrupted: 2,
  heartbeatMs: 500,
  modelPath: modelPath("stories260K.gguf"),
  modelsDir: resolveModelsDir()
}
const available = netnsAvailable()
if (!available.ok) {
  console.error(`the chaos suite needs network namespaces: ${available.reason}`)
  process.exit(2)
}
sweepStaleTestbeds()

console.log(
  `chaos: seed ${seed}, ${options.clients} clients x ${options.requestsPerClient} requests, ${options.experts} experts`
)
const result = await runChaos({ ...options, log: (line) => console.log(line) })
const about = machine()
const report = renderReport(result, { date: about.date.slice(0, 10), machine: `${about.cpus} x ${about.cpuModel}` })
const out = parsed.out ?? join(PROJECT_ROOT, "docs/reliability-report.md")
writeFileSync(out, report)
const json = writeResult("chaos", { machine: about, ...result })

const gapMs = (p: number) => {
  const value = percentile(result.recoveryGapsMs, p)
  return Number.isNaN(value) ? "n/a" : `${value.toFixed(0)} ms`
}
const count = (verdict: string) => result.requests.filter((request) => request.verdict === verdict).length
const leaks =
  result.sessionsAfterRun.filter((entry) => entry.open > entry.parked).length +
  result.sessionsAfterGateway.filter((entry) => entry.open !== 0).length
console.log(
  `\n${count("ok")} ok, ${count("failed")} failed with an error, ${count("cut")} cut, ${count("mismatch")} wrong; ` +
    `recovery p50 ${gapMs(50)}, p99 ${gapMs(99)}; ` +
    `${leaks} leaked\nwrote ${out} and ${json}`
)
const passed = count("failed") <= 1 && count("cut") === 0 && count("mismatch") === 0 && leaks === 0
process.exit(passed ? 0 : 1)
