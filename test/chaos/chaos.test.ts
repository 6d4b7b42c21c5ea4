// The chaos suite, short: expert processes in their own network namespaces behind fault proxies are killed, frozen,
// stalled, reset, delayed and restarted while clients stream completions through the gateway. Every request must
// finish with exactly its fault-free answer, and no expert may keep a session nobody holds. `npm run chaos` runs the
// full 8 x 25 version and writes docs/reliability-report.md.
import { expect, test } from "vitest"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { runChaos } from "../../testbed/chaos/run.ts"
import { netnsAvailable, sweepStaleTestbeds } from "../../testbed/netns.ts"

const available = netnsAvailable()

test.skipIf(!available.ok)(
  "short chaos: every stream equals its fault-free reference, and no session leaks",
  async () => {
    sweepStaleTestbeds()
    const result = await runChaos({
      seed: 20261126,
      clients: 4,
      requestsPerClient: 6,
      experts: 5,
      k: 2,
      maxTokens: 32,
      meanGapMs: 300,
      maxDisrupted: 2,
      heartbeatMs: 500,
      // Each client pauses 1 s between requests, so the clients run at least 5 s: this seed's plan injects 8 faults
      // in its first 5 s (a stall, a graceful restart, a freeze, two delays and three resets).
      thinkMs: 1000,
      modelPath: modelPath("stories260K.gguf"),
      modelsDir: resolveModelsDir(),
      log: (line) => console.log(line)
    })
    const verdicts = result.requests.map((request) => request.verdict)
    expect(
      verdicts.filter((verdict) => verdict !== "ok"),
      JSON.stringify(result.requests)
    ).toEqual([])
    expect(result.requests).toHaveLength(24)
    // The faults really happened while the clients ran.
    expect(result.faults.filter((fault) => fault.error === undefined).length).toBeGreaterThanOrEqual(8)
    expect(result.sessionsAfterRun.filter((entry) => entry.open < 0 || entry.open > entry.parked)).toEqual([])
    expect(result.sessionsAfterGateway.filter((entry) => entry.open !== 0)).toEqual([])
  },
  180_000
)
