// docs/reliability-report.md from a chaos run: what was injected and how often, what the clients saw, how long
// recovery took, whether sessions leaked, and the seed that replays it.

import { percentile } from "../../bench/report.ts"
import { FAULT_KINDS, FAULT_MEANING } from "./plan.ts"
import type { ChaosResult } from "./run.ts"

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? "n/a" : `${Math.round(value)} ms`

export const renderReport = (result: ChaosResult, context: { readonly date: string; readonly machine: string }) => {
  const { options, requests } = result
  const count = (verdict: string) => requests.filter((request) => request.verdict === verdict).length
  const affected = requests.filter((request) => request.replacements > 0 || request.degradedSteps > 0)
  const leaks = result.sessionsAfterRun.filter((entry) => entry.open > entry.parked)
  const leftOpen = result.sessionsAfterGateway.filter((entry) => entry.open !== 0)
  const lines = [
    "# Reliability report",
    "",
    `Written by \`npm run chaos\` on ${context.date} (${context.machine}). Replay it with`,
    `\`npm run chaos -- --seed ${options.seed} --clients ${options.clients} --requests ${options.requestsPerClient} --experts ${options.experts} --tokens ${options.maxTokens} --gap ${options.meanGapMs}\`.`,
    "",
    "## Set-up",
    "",
    `- ${options.experts} experts (${options.modelPath.split("/").at(-1)}, same weights), each a separate process in its own network`,
    "  namespace, reachable only through its own fault proxy; a bootstrap in another namespace; the gateway and the",
    "  clients in the root namespace.",
    `- ${options.clients} concurrent clients x ${options.requestsPerClient} streaming \`/v1/completions\` requests = ${requests.length} requests,`,
    `  greedy, ${options.maxTokens} tokens each, K = ${options.k}, every prompt distinct${(options.thinkMs ?? 0) > 0 ? `, ${options.thinkMs} ms between a client's requests` : ""}.`,
    "- Each finished answer is compared with its fault-free reference (the same prompt answered by two pinned experts",
    "  before any fault).",
    `- Faults: one every ${options.meanGapMs} ms on average (exponential gaps), at most ${options.maxDisrupted} experts out of service at`,
    `  once, heartbeats every ${options.heartbeatMs} ms.`,
    "",
    "## Injected",
    "",
    "| fault | what it does | injected |",
    "|---|---|---|",
    ...FAULT_KINDS.map((kind) => `| ${kind} | ${FAULT_MEANING[kind]} | ${result.injectedByKind[kind]} |`),
    `| all | | ${Object.values(result.injectedByKind).reduce((sum, value) => sum + value, 0)} in ${(result.runMs / 1000).toFixed(1)} s |`,
    "",
    "## Requests",
    "",
    "| outcome | requests |",
    "|---|---|",
    `| finished, equal to the fault-free reference | ${count("ok")} |`,
    `| finished, different from the reference | ${count("mismatch")} |`,
    `| failed with a clear error (HTTP status or error event) | ${count("failed")} |`,
    `| cut off with neither an answer nor an error | ${count("cut")} |`,
    "",
    `${affected.length} requests lost an expert mid-answer and went on (${affected.reduce((sum, request) => sum + request.replacements, 0)} replacements,`,
    `${affected.reduce((sum, request) => sum + request.degradedSteps, 0)} degraded steps).`,
    ...requests
      .filter((request) => request.verdict !== "ok")
      .map((request) => `- client ${request.client} request ${request.index}: ${request.verdict}: ${request.detail}`),
    "",
    "## Recovery",
    "",
    "The longest wait between two pieces of streamed text (or before the first) of each request:",
    "",
    "| requests | count | p50 | p90 | p99 | max |",
    "|---|---|---|---|---|---|",
    ...[
      ["that lost an expert", result.recoveryGapsMs],
      ["that lost none", result.undisturbedGapsMs]
    ].map(([label, gaps]) => {
      const sorted = gaps as ReadonlyArray<number>
      return `| ${label} | ${sorted.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 90))} | ${ms(percentile(sorted, 99))} | ${ms(sorted.at(-1))} |`
    }),
    "",
    "A stalled or frozen expert is given up after its step deadline (eight times its measured step latency, at least",
    "1 s), which bounds most waits; `npm run bench:recovery` measures recovery against the prompt length replayed.",
    "",
    "## Sessions afterwards",
    "",
    `- After the run: ${leaks.length === 0 ? "no expert held more sessions than the gateway keeps parked on it" : `${leaks.length} experts held sessions no router keeps: ${leaks.map((entry) => `${entry.peerId.slice(-8)} ${entry.open}/${entry.parked}`).join(", ")}`}.`,
    `- After the gateway stopped: ${leftOpen.length === 0 ? "every expert reported 0 open sessions" : `${leftOpen.map((entry) => `${entry.peerId.slice(-8)} ${entry.open}`).join(", ")} still open`}.`,
    "",
    "## Fault log",
    "",
    "| at | fault | expert | outage |",
    "|---|---|---|---|",
    ...result.faults.map(
      (fault) =>
        `| ${((fault.injectedAtMs ?? 0) / 1000).toFixed(1)} s | ${fault.kind}${fault.kind === "delay" ? ` +${fault.delayMs} ms` : ""}${fault.error === undefined ? "" : ` (failed: ${fault.error})`} | ${fault.expert} | ${fault.outageMs > 0 ? `${fault.outageMs} ms` : ""} |`
    ),
    ""
  ]
  return lines.join("\n")
}
