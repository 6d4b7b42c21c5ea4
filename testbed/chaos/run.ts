// A chaos run: a swarm of same-weight experts behind fault proxies, a gateway in this process, concurrent clients
// streaming greedy completions through it while the planned faults hit the experts. Every finished answer is
// compared with its fault-free reference, token for token (as text); afterwards no expert may hold a session that no
// router keeps for it.
import { Effect, Exit, ManagedRuntime, Scope } from "effect"
import { InferenceLive } from "../../experts/inference/service.ts"
import { startGatewayNode } from "../../gateway/gateway-node.ts"
import { asPeerId } from "../../router/registry/events.ts"
import { getExpert } from "../../router/registry/state.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { type RouterNode, startRouterNode } from "../../runtime/router-node.ts"
import { countByKind, type FaultKind, type PlannedFault, planFaults } from "./plan.ts"
import { longestGapMs, type StreamRecord, streamCompletion } from "./stream-client.ts"
import { type ChaosSwarm, startChaosSwarm } from "./swarm.ts"

export interface ChaosOptions {
  readonly seed: number
  readonly clients: number
  readonly requestsPerClient: number
  readonly experts: number
  /** The gateway's default K (experts mixed per token). */
  readonly k: number
  readonly maxTokens: number
  /** Mean gap between faults, ms. */
  readonly meanGapMs: number
  readonly maxDisrupted: number
  readonly heartbeatMs: number
  /** A client's pause between its requests, ms (a reader between two questions). Default 0. */
  readonly thinkMs?: number
  readonly modelPath: string
  readonly modelsDir: string
  readonly log?: (line: string) => void
}

export type RequestVerdict =
  /** Finished, and equal to its fault-free reference. */
  | "ok"
  /** Finished, but not equal to the reference: an answer silently wrong. */
  | "mismatch"
  /** Ended with a clear error (HTTP status or error event). */
  | "failed"
  /** Ended with neither an answer nor an error. */
  | "cut"

export interface RequestResult {
  readonly client: number
  readonly index: number
  readonly verdict: RequestVerdict
  readonly detail: string
  readonly longestGapMs: number
  readonly totalMs: number
  readonly replacements: number
  readonly degradedSteps: number
}

export interface InjectedFault extends PlannedFault {
  /** When it was injected, ms after the clients started; undefined when the clients were done before its time. */
  readonly injectedAtMs: number | undefined
  readonly error: string | undefined
}

export interface ExpertSessions {
  readonly peerId: string
  /** Sessions open on the expert by its last heartbeat. */
  readonly open: number
  /** Sessions the gateway's router keeps parked on it. */
  readonly parked: number
}

export interface ChaosResult {
  readonly options: Omit<ChaosOptions, "log">
  readonly faults: ReadonlyArray<InjectedFault>
  readonly injectedByKind: Record<FaultKind, number>
  readonly requests: ReadonlyArray<RequestResult>
  readonly runMs: number
  /** After the run, while the gateway still runs: open vs parked per expert. */
  readonly sessionsAfterRun: ReadonlyArray<ExpertSessions>
  /** After the gateway stopped: sessions still open per expert (all should be 0). */
  readonly sessionsAfterGateway: ReadonlyArray<ExpertSessions>
  /** Longest gap between text events of requests that lost an expert, ms, sorted. */
  readonly recoveryGapsMs: ReadonlyArray<number>
  /** The same for requests that lost none, sorted. */
  readonly undisturbedGapsMs: ReadonlyArray<number>
}

const NAMES = [
  "Lily",
  "Tom",
  "Sue",
  "Ben",
  "Max",
  "Anna",
  "Tim",
  "Mia",
  "Sam",
  "Jack",
  "Zoe",
  "Bob",
  "Kate",
  "Leo",
  "Amy",
  "Joe",
  "Ella",
  "Dan",
  "Rose",
  "Fred"
]
const OPENINGS = [
  "saw a big red ball",
  "wanted to play in the park",
  "found a small bird",
  "had a new toy car",
  "was very sad",
  "liked to eat cake",
  "went to the beach",
  "heard a loud noise",
  "made a pretty card",
  "lost a blue hat"
]

/** Distinct prompts, one per request. */
export const chaosPrompts = (count: number): ReadonlyArray<string> => {
  const prompts: string[] = []
  for (let index = 0; index < count; index++) {
    const name = NAMES[index % NAMES.length]!
    const opening = OPENINGS[Math.floor(index / NAMES.length) % OPENINGS.length]!
    const round = Math.floor(index / (NAMES.length * OPENINGS.length))
    prompts.push(`${name} ${opening}${round === 0 ? "" : ` on day ${round + 1}`}. One day`)
  }
  return prompts
}

const commonPrefix = (left: ReadonlyArray<number>, right: ReadonlyArray<number>) => {
  let index = 0
  while (index < left.length && index < right.length && left[index] === right[index]) index++
  return index
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Each expert's open sessions by its heartbeats in `router`'s registry, beside the sessions `parked` on it, polled
 * for up to 15 s until every entry passes `settled` (heartbeats lag); the last reading either way.
 */
const settledSessions = async (
  swarm: ChaosSwarm,
  router: RouterNode,
  parked: ReadonlyMap<string, number>,
  settled: (entry: ExpertSessions) => boolean
): Promise<ReadonlyArray<ExpertSessions>> => {
  const read = () =>
    swarm.experts.map((expert) => ({
      peerId: expert.peerId,
      open: getExpert(router.watcher.state(), asPeerId(expert.peerId))?.load?.openSessions ?? -1,
      parked: parked.get(expert.peerId) ?? 0
    }))
  let sessions = read()
  for (
    let waited = 0;
    waited < 15_000 && !sessions.every((entry) => entry.open >= 0 && settled(entry));
    waited += 250
  ) {
    await sleep(250)
    sessions = read()
  }
  return sessions
}

export const runChaos = async (options: ChaosOptions): Promise<ChaosResult> => {
  const log = options.log ?? (() => undefined)
  const requests = options.clients * options.requestsPerClient
  const swarm = await startChaosSwarm({
    modelPath: options.modelPath,
    experts: options.experts,
    heartbeatMs: options.heartbeatMs,
    sessions: 8
  })
  const runtime = ManagedRuntime.make(InferenceLive)
  const scope = await runtime.runPromise(Scope.make())
  const watcherScope = await runtime.runPromise(Scope.make())
  let scopeClosed = false
  try {
    const gateway = await runtime.runPromise(
      Scope.extend(
        startGatewayNode({
          modelsDir: options.modelsDir,
          bootstrap: [swarm.bootstrapAddress],
          heartbeatIntervalMs: options.heartbeatMs,
          identity: await newIdentity(),
          host: "127.0.0.1",
          port: 0,
          defaultK: options.k,
          fairUse: { requestBurst: 100_000, tokenBurst: 10_000_000, maxConcurrent: 4 * options.clients }
        }),
        scope
      )
    )
    const router = gateway.router
    if (!(await router.waitForExperts(options.experts, 30_000))) throw new Error("the experts did not all join")
    log(`swarm: ${options.experts} experts in namespaces behind fault proxies, gateway ${gateway.url}`)

    // Prompts that share too long a prefix would reuse each other's parked sessions, whose caches were filled in
    // other chunks than a fresh session's: the comparison below needs every request to start from scratch.
    const prompts = chaosPrompts(requests)
    const tokenizer = await router.tokenizer(router.largestFamily()!)
    const encoded = prompts.map((prompt) => tokenizer.encodePrompt(prompt))
    for (let left = 0; left < encoded.length; left++)
      for (let right = left + 1; right < encoded.length; right++)
        if (commonPrefix(encoded[left]!, encoded[right]!) >= 8)
          throw new Error(`prompts ${left} and ${right} share 8 tokens; a parked session would be reused`)

    // Fault-free references, each from two pinned experts (no parked sessions, no replacements).
    const pair = swarm.experts.slice(0, options.k).map((expert) => expert.peerId)
    const references: string[] = []
    for (let start = 0; start < prompts.length; start += options.clients) {
      const batch = prompts.slice(start, start + options.clients)
      const answers = await Promise.all(
        batch.map((prompt) =>
          streamCompletion(gateway.url, { prompt, maxTokens: options.maxTokens, k: options.k, experts: pair })
        )
      )
      for (const answer of answers) {
        if (answer.outcome._tag !== "Finished") throw new Error(`a reference failed: ${JSON.stringify(answer.outcome)}`)
        references.push(answer.text)
      }
    }
    log(`references: ${references.length} fault-free answers`)

    const plan = planFaults({
      seed: options.seed,
      experts: options.experts,
      durationMs: 30 * 60_000,
      meanGapMs: options.meanGapMs,
      maxDisrupted: options.maxDisrupted
    })
    const started = performance.now()
    let clientsDone = false
    const injected: InjectedFault[] = []
    const injector = (async () => {
      for (const fault of plan) {
        const wait = fault.atMs - (performance.now() - started)
        if (wait > 0) await sleep(wait)
        if (clientsDone) break
        const at = performance.now() - started
        const error = await swarm.inject(fault).then(
          () => undefined,
          (cause) => String(cause)
        )
        injected.push({ ...fault, injectedAtMs: at, error })
        log(
          `${(at / 1000).toFixed(1)} s  ${fault.kind} expert ${fault.expert}${fault.outageMs > 0 ? ` for ${fault.outageMs} ms` : ""}${error === undefined ? "" : ` (failed: ${error})`}`
        )
      }
    })()

    const results: RequestResult[] = []
    const verdictOf = (record: StreamRecord, reference: string): [RequestVerdict, string] => {
      switch (record.outcome._tag) {
        case "Finished":
          return record.text === reference
            ? ["ok", ""]
            : ["mismatch", `got ${JSON.stringify(record.text)}, expected ${JSON.stringify(reference)}`]
        case "Refused":
          return ["failed", `HTTP ${record.outcome.status}: ${record.outcome.message}`]
        case "ErrorEvent":
          return ["failed", `error event ${record.outcome.code}: ${record.outcome.message}`]
        case "Cut":
          return ["cut", record.outcome.detail]
      }
    }
    await Promise.all(
      Array.from({ length: options.clients }, async (_, client) => {
        for (let index = 0; index < options.requestsPerClient; index++) {
          if (index > 0 && (options.thinkMs ?? 0) > 0) await sleep(options.thinkMs!)
          const number = client * options.requestsPerClient + index
          // K is left to the gateway, as most callers leave it.
          const record = await streamCompletion(gateway.url, { prompt: prompts[number]!, maxTokens: options.maxTokens })
          const [verdict, detail] = verdictOf(record, references[number]!)
          if (verdict !== "ok") log(`request ${number}: ${verdict} ${detail}`)
          results.push({
            client,
            index,
            verdict,
            detail,
            longestGapMs: longestGapMs(record),
            totalMs: record.totalMs,
            replacements: record.mesh?.replacements ?? 0,
            degradedSteps: record.mesh?.degraded_steps ?? 0
          })
        }
      })
    )
    const runMs = performance.now() - started
    clientsDone = true
    await injector
    log(`clients done in ${(runMs / 1000).toFixed(1)} s; ending faults still running`)
    await swarm.settle()

    // Every expert back in the registry and reporting, through heartbeats, no more sessions than are parked on it.
    await router.waitForExperts(options.experts, 30_000)
    const sessionsAfterRun = await settledSessions(
      swarm,
      router,
      router.sticky().byExpert,
      (entry) => entry.open <= entry.parked
    )

    // Then the gateway goes away, and with it every parked session.
    await runtime.runPromise(Scope.close(scope, Exit.void))
    scopeClosed = true
    const watcher = await runtime.runPromise(
      Scope.extend(
        startRouterNode({
          modelsDir: options.modelsDir,
          bootstrap: [swarm.bootstrapAddress],
          heartbeatIntervalMs: options.heartbeatMs
        }),
        watcherScope
      ).pipe(Effect.orDie)
    )
    await watcher.waitForExperts(options.experts, 30_000)
    const sessionsAfterGateway = await settledSessions(swarm, watcher, new Map(), (entry) => entry.open === 0)

    const affected = (result: RequestResult) => result.replacements > 0 || result.degradedSteps > 0
    const sorted = (values: number[]) => values.sort((left, right) => left - right)
    return {
      options: { ...options, log: undefined } as Omit<ChaosOptions, "log">,
      faults: injected,
      injectedByKind: countByKind(injected.filter((fault) => fault.error === undefined)),
      requests: results.sort((left, right) => left.client - right.client || left.index - right.index),
      runMs,
      sessionsAfterRun,
      sessionsAfterGateway,
      recoveryGapsMs: sorted(results.filter(affected).map((result) => result.longestGapMs)),
      undisturbedGapsMs: sorted(results.filter((result) => !affected(result)).map((result) => result.longestGapMs))
    }
  } finally {
    if (!scopeClosed) await runtime.runPromise(Scope.close(scope, Exit.void)).catch(() => undefined)
    await runtime.runPromise(Scope.close(watcherScope, Exit.void)).catch(() => undefined)
    await runtime.dispose().catch(() => undefined)
    await swarm.destroy()
  }
}
