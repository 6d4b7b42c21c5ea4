// npm run bench:recovery — how long a stream waits when its expert dies mid-answer, against the prompt length the
// replacement must replay. K = 1 over two expert processes on loopback: after a few tokens the expert serving the
// generation is SIGKILLed; the time from the kill to the next token is the recovery (noticing the broken stream,
// opening a session on the other expert, evaluating the prompt as one batch, replaying the generated tokens one by
// one). The same is measured for a frozen expert (SIGSTOP), which is noticed only at the step deadline. Alongside,
// the plain prefill of the same prompt on a healthy expert, so the replay's share is visible on a noisy machine.

import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Exit, ManagedRuntime, Scope } from "effect"
import { InferenceLive } from "../experts/inference/service.ts"
import { type ExpertProcess, spawnBootstrap, spawnExpert } from "../runtime/expert-process.ts"
import { modelPath, resolveModelsDir } from "../runtime/models-dir.ts"
import { newIdentity } from "../runtime/p2p/identity.ts"
import { startRouterNode } from "../runtime/router-node.ts"
import { machine, median, percentile, table, writeResult } from "./report.ts"

const TRIALS = Number(process.env.BENCH_TRIALS ?? 8)
const KILL_AFTER = 4
const CASES = [
  { model: "stories260K.gguf", lengths: [16, 64, 256, 480] },
  { model: "llama-2-tiny-random.gguf", lengths: [1024, 2048, 4000] }
]

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const runtime = ManagedRuntime.make(InferenceLive)
const identities = mkdtempSync(join(tmpdir(), "mesh-recovery-"))
const rows: Array<Record<string, number | string>> = []

const bootstrap = await spawnBootstrap()
const bootstrapAddress = bootstrap.multiaddrs[0]!

for (const { model, lengths } of CASES) {
  // Two experts with kept identities and ports: a killed one comes back at the same address as the same peer.
  const ports = [0, 0]
  const start = (index: number) =>
    spawnExpert(modelPath(model), [
      "--listen",
      `/ip4/127.0.0.1/tcp/${ports[index]}`,
      "--identity",
      join(identities, `${model}-${index}.key`),
      "--sessions",
      "2",
      "--bootstrap",
      bootstrapAddress,
      "--heartbeat",
      "500"
    ])
  const experts: ExpertProcess[] = [await start(0), await start(1)]
  for (const [index, expert] of experts.entries()) ports[index] = Number(/\/tcp\/(\d+)/.exec(expert.multiaddrs[0]!)![1])
  const scope = await runtime.runPromise(Scope.make())
  const router = await runtime.runPromise(
    Scope.extend(
      startRouterNode({
        modelsDir: resolveModelsDir(),
        bootstrap: [bootstrapAddress],
        heartbeatIntervalMs: 500,
        identity: await newIdentity(),
        stickySessions: false
      }),
      scope
    )
  )
  await router.waitForExperts(2, 30_000, experts[0]!.manifest.tokenizerHash)
  const tokenizer = await router.tokenizer(experts[0]!.manifest.tokenizerHash)
  const story = tokenizer.encodePrompt(
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ".repeat(200)
  )

  for (const length of lengths) {
    const prompt = story.slice(0, length)
    for (const fault of ["kill", "freeze"] as const) {
      const recoveries: number[] = []
      const prefills: number[] = []
      for (let trial = 0; trial < (fault === "freeze" ? Math.min(3, TRIALS) : TRIALS); trial++) {
        let victim: ExpertProcess | undefined
        let faultAt = 0
        let recoveredAt = 0
        let tokens = 0
        for await (const event of router.generate({
          prompt,
          k: 1,
          maxTokens: KILL_AFTER + 4,
          sampling: { temperature: 0 }
        })) {
          if (event._tag === "Started") {
            victim = experts.find((expert) => expert.peerId === event.experts[0])
            prefills.push(event.openMs)
          }
          if (event._tag !== "Token") continue
          tokens++
          if (tokens === KILL_AFTER) {
            faultAt = performance.now()
            victim!.child.kill(fault === "kill" ? "SIGKILL" : "SIGSTOP")
          } else if (tokens === KILL_AFTER + 1) recoveredAt = performance.now()
        }
        recoveries.push(recoveredAt - faultAt)
        const index = experts.indexOf(victim!)
        if (fault === "kill") {
          await victim!.stop(0)
          experts[index] = await start(index)
        } else victim!.child.kill("SIGCONT")
        await router.waitForExperts(2, 30_000, experts[0]!.manifest.tokenizerHash)
        // Past the victim's ban (1 s, doubling on a repeat within twice its length).
        await sleep(fault === "kill" ? 2500 : 4500)
      }
      rows.push({
        model,
        promptTokens: length,
        fault,
        trials: recoveries.length,
        prefillMs: Math.round(median(prefills) * 10) / 10,
        p50Ms: Math.round(percentile(recoveries, 50) * 10) / 10,
        p99Ms: Math.round(percentile(recoveries, 99) * 10) / 10
      })
      console.log(JSON.stringify(rows.at(-1)))
    }
  }
  await runtime.runPromise(Scope.close(scope, Exit.void))
  await Promise.all(experts.map((expert) => expert.stop()))
}
await runtime.dispose()
await bootstrap.stop()

console.log(
  `\n${table(
    ["model", "prompt tokens", "fault", "trials", "prefill (healthy)", "recovery p50", "recovery p99"],
    rows.map((row) => [
      String(row.model),
      String(row.promptTokens),
      String(row.fault),
      String(row.trials),
      `${row.prefillMs} ms`,
      `${row.p50Ms} ms`,
      `${row.p99Ms} ms`
    ])
  )}`
)
console.log(`wrote ${writeResult("recovery", { machine: machine(), killAfterTokens: KILL_AFTER, rows })}`)
