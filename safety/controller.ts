// The safety controller of a router node: it writes tasks through the experts under the catalog's grammar, gates
// each action by its tier and governance, runs what is allowed, turns the rest into proposals, and records every
// task in the store. Self-prompt loops run one per disjoint subset of experts; a halt (governance, or an operator's
// HaltMesh) stops every loop before its next step, and nothing starts afterwards.
import { Clock, Effect, FiberSet, Schema, Stream } from "effect"
import type { SamplingOptions } from "../aggregator/sampling.ts"
import { Governance } from "../governance/service.ts"
import type { GovernanceState, Tier } from "../governance/state.ts"
import { asPeerId } from "../router/registry/events.ts"
import { getExpert } from "../router/registry/state.ts"
import type { ExpertHandle } from "../router/swarm.ts"
import type { RouterNode } from "../runtime/router-node.ts"
import { Store, type StoreError } from "../store/store.ts"
import { actionHash } from "./action-hash.ts"
import { type ActionTargets, execute, invalidReason } from "./actions.ts"
import { type Action, ActionSchema, type ActionType, type CatalogContext, catalogSchema } from "./catalog.ts"
import { HaltedError, TaskWriteError } from "./errors.ts"
import { gate } from "./gate.ts"
import { compileGrammar, type Grammar } from "./grammar.ts"
import type { Decision, ProposalRecord, TaskRecord } from "./records.ts"
import { PROPOSAL_PREFIX, TASK_PREFIX, taskId } from "./records.ts"
import { routerTargets } from "./router-targets.ts"
import { partitionExperts, type SubsetError } from "./subsets.ts"
import { createMasker, type Masker, vocabularyOf } from "./token-mask.ts"
import { writeTask } from "./writer.ts"

/** Puts an action to a governance vote; returns the proposal's id. */
export interface Proposer {
  readonly propose: (action: Action, hash: string, reason: string) => Promise<string>
}

export interface SafetyOptions {
  /** The tokenizer family to work in; default: the one with the most experts. */
  readonly family?: string
  /** Sampling of the tasks' tokens. Default temperature 1 (a seed makes a run reproducible). */
  readonly sampling?: SamplingOptions
  /** Pause between a loop's cycles, ms. Default 1000. */
  readonly intervalMs?: number
  readonly setRequestsPerMinute?: (requestsPerMinute: number) => void
  /** Where gated actions go; default: recorded in the store as proposals waiting for a chain. */
  readonly proposer?: Proposer
  /** Called after each step of every write (observability, and tests that act mid-task). */
  readonly onStep?: (task: { readonly subset: number | undefined; readonly step: number }) => void
}

export type TaskRequest =
  | { readonly source: "self"; readonly subset: number; readonly experts: ReadonlyArray<string> }
  | {
      readonly source: "operator"
      readonly text: string
      readonly maxTier?: Tier
      /** Narrows the grammar to these action types. */
      readonly types?: ReadonlyArray<ActionType>
    }

export interface LoopStatus {
  readonly subset: number
  readonly experts: ReadonlyArray<string>
  readonly cycles: number
  readonly running: boolean
  /** Why it stopped: halted, cycles done, stopped by an operator, or a failure. */
  readonly stopped: string | undefined
  readonly lastTask: string | undefined
}

export interface SafetyStatus {
  readonly halted: boolean
  readonly haltReason: string | undefined
  readonly governance: { readonly phase: number; readonly maxTier: Tier; readonly chainReachable: boolean }
  readonly loops: ReadonlyArray<LoopStatus>
  readonly recent: ReadonlyArray<TaskRecord>
}

const RECENT = 20
const decodeAction = Schema.decodeUnknownEither(ActionSchema, { onExcessProperty: "error" })

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

export const startSafety = (router: RouterNode, options: SafetyOptions = {}) =>
  Effect.gen(function* () {
    const governance = yield* Governance
    const store = yield* Store
    const fibers = yield* FiberSet.make()
    let latest: GovernanceState = yield* governance.current
    let localHalt: string | undefined
    const running = new Set<AbortController>()
    const isHalted = () => localHalt !== undefined || latest.halted
    const abortAll = (reason: string) => {
      for (const controller of running) controller.abort(new HaltedError({ message: reason }))
    }
    const effectiveState = (): GovernanceState =>
      localHalt === undefined ? latest : { ...latest, halted: true, haltReason: localHalt }

    const family = () => options.family ?? router.largestFamily()
    // Without a chain, a proposal waits in the store (and in `pending`) for an approval that a vote would bring.
    const proposals: Proposer = options.proposer ?? {
      propose: async (_action, hash) => `local:${hash.slice(0, 18)}`
    }
    const pending = new Map<string, ProposalRecord>()
    for (const [, value] of yield* store.list({ prefix: PROPOSAL_PREFIX, limit: 10_000 })) {
      const proposal = value as ProposalRecord
      if (proposal.status === "pending") pending.set(proposal.hash, proposal)
    }
    const targets: ActionTargets = routerTargets(router, {
      family,
      phase: () => latest.phase,
      ...(options.setRequestsPerMinute === undefined ? {} : { setRequestsPerMinute: options.setRequestsPerMinute }),
      proposePhase: (phase) =>
        proposals.propose(
          { type: "propose_phase", phase },
          actionHash({ type: "propose_phase", phase }),
          "phase change"
        )
    })

    // One grammar (and its masks) per catalog context: the same peers and K bound reuse every mask computed.
    const grammars = new Map<string, { grammar: Grammar; masker: Masker }>()
    const grammarFor = async (tokenizerHash: string, context: CatalogContext) => {
      const key = `${tokenizerHash}|${context.maxK}|${context.types?.join(",") ?? "*"}|${context.peers.join(",")}`
      let entry = grammars.get(key)
      if (entry === undefined) {
        const grammar = compileGrammar(catalogSchema(context))
        const vocabulary = vocabularyOf(await router.tokenizer(tokenizerHash))
        entry = { grammar, masker: createMasker(grammar, vocabulary) }
        if (grammars.size > 64) grammars.clear()
        grammars.set(key, entry)
      }
      return entry
    }

    let sequence = 0
    const seeded = (task: number): SamplingOptions => {
      const sampling = options.sampling ?? { temperature: 1 }
      return sampling.seed === undefined ? sampling : { ...sampling, seed: sampling.seed + task }
    }
    const recent: TaskRecord[] = []
    const save = (record: TaskRecord) =>
      Effect.gen(function* () {
        yield* store.put(`${TASK_PREFIX}${record.id}`, record)
        recent.push(record)
        if (recent.length > RECENT) recent.shift()
        return record
      })

    const runTask = (request: TaskRequest): Effect.Effect<TaskRecord, HaltedError | TaskWriteError | StoreError> =>
      Effect.gen(function* () {
        if (isHalted()) {
          return yield* Effect.fail(new HaltedError({ message: `the mesh is halted: ${effectiveState().haltReason}` }))
        }
        const startedAt = yield* Clock.currentTimeMillis
        const id = taskId(startedAt, ++sequence)
        const tokenizerHash = family()
        if (tokenizerHash === undefined)
          return yield* Effect.fail(new TaskWriteError({ message: "no experts are known" }))
        const views = targets.experts()
        const k = Math.max(1, Math.min(targets.k(), views.length))
        // Banned peers write nothing (a loop's subset was dealt before the ban).
        const usable = (request.source === "self" ? request.experts : views.map((view) => view.peerId)).filter(
          (peerId) => !router.bans.isBanned(peerId)
        )
        const chosen = request.source === "self" ? usable : usable.slice(0, k)
        const handles: ExpertHandle[] = chosen.flatMap((peerId) => {
          const expert = getExpert(router.watcher.state(), asPeerId(peerId))
          return expert === undefined ? [] : [{ peerId, address: peerId, manifest: expert.manifest }]
        })
        if (handles.length === 0) return yield* Effect.fail(new TaskWriteError({ message: "the task's experts left" }))
        const prompt =
          request.source === "self"
            ? `The mesh has ${views.length} experts and K is ${targets.k()}. The next task is:`
            : `${request.text}\nThe task as an action is:`
        const tokenizer = yield* Effect.promise(() => router.tokenizer(tokenizerHash))
        const { grammar, masker } = yield* Effect.promise(() =>
          grammarFor(tokenizerHash, {
            peers: views.map((view) => view.peerId).sort(),
            maxK: views.length,
            ...(request.source === "operator" && request.types !== undefined ? { types: request.types } : {})
          })
        )
        const controller = new AbortController()
        running.add(controller)
        let haltSeenAtStep: number | undefined
        let steps = 0
        const subset = request.source === "self" ? request.subset : undefined
        const base = {
          id,
          source: request.source,
          subset,
          request: request.source === "operator" ? request.text : undefined,
          maxTier: request.source === "operator" ? request.maxTier : undefined,
          prompt,
          experts: handles.map((handle) => handle.peerId),
          startedAt
        }
        const written = yield* Effect.tryPromise({
          try: (interrupted) =>
            writeTask(router.dial, {
              prompt: tokenizer.encodePrompt(prompt),
              experts: handles,
              grammar,
              masker,
              vocabulary: vocabularyOf(tokenizer),
              // A seeded run is reproducible, and each task still draws its own tokens.
              sampling: seeded(sequence),
              weights: handles.map((handle) => router.controls.weight(handle.peerId)),
              signal: AbortSignal.any([interrupted, controller.signal]),
              halted: () => {
                if (isHalted()) {
                  haltSeenAtStep ??= steps
                  return true
                }
                steps++
                options.onStep?.({ subset, step: steps })
                return false
              }
            }),
          catch: (cause) => cause
          // The controller only stops the writing: forgotten as soon as writing ends, interrupted or not.
        }).pipe(Effect.ensuring(Effect.sync(() => running.delete(controller))), Effect.either)
        const finish = (
          decision: Decision,
          fields: Partial<Pick<TaskRecord, "output" | "action" | "actionHash" | "tier" | "reason" | "result">>
        ) =>
          Effect.gen(function* () {
            const finishedAt = yield* Clock.currentTimeMillis
            const state = effectiveState()
            const figures =
              written._tag === "Right"
                ? {
                    steps: written.right.steps,
                    tokens: written.right.tokens.length,
                    openMs: written.right.openMs,
                    writeMs: written.right.openMs + written.right.stepMs.reduce((sum, ms) => sum + ms, 0),
                    maskMsTotal: written.right.maskMs.reduce((sum, ms) => sum + ms, 0),
                    maskMsMax: Math.max(0, ...written.right.maskMs)
                  }
                : { steps, tokens: 0, openMs: 0, writeMs: 0, maskMsTotal: 0, maskMsMax: 0 }
            return yield* save({
              ...base,
              output: "",
              action: undefined,
              actionHash: undefined,
              tier: undefined,
              reason: undefined,
              result: undefined,
              ...fields,
              decision,
              governance: { phase: state.phase, maxTier: state.maxTier, halted: state.halted },
              finishedAt,
              figures: { ...figures, stepsAfterHalt: haltSeenAtStep === undefined ? 0 : steps - haltSeenAtStep }
            })
          })
        if (written._tag === "Left") {
          const cause = written.left
          if (cause instanceof HaltedError || isHalted()) {
            return yield* finish("halted", { reason: cause instanceof HaltedError ? cause.message : "halted" })
          }
          return yield* finish("failed", { reason: `writing the task failed: ${describe(cause)}` })
        }
        const output = written.right.text
        // The grammar guarantees JSON of the catalog's shape; decoding checks it all the same.
        const decoded = decodeAction(JSON.parse(output))
        if (decoded._tag === "Left") {
          return yield* finish("failed", {
            output,
            reason: `the output is not a catalog action: ${decoded.left.message}`
          })
        }
        const action = decoded.right
        const hash = actionHash(action)
        const known = { output, action, actionHash: hash }
        const verdict = gate(effectiveState(), action, request.source === "operator" ? request.maxTier : undefined)
        if (verdict._tag === "Refuse") {
          return yield* finish(isHalted() ? "halted" : "refused", {
            ...known,
            tier: verdict.tier,
            reason: verdict.reason
          })
        }
        const invalid = invalidReason(action, targets)
        if (invalid !== undefined) return yield* finish("rejected", { ...known, tier: verdict.tier, reason: invalid })
        if (verdict._tag === "Propose") {
          const open = pending.get(hash)
          if (open !== undefined) {
            // The same action waits for its vote already: no second proposal.
            return yield* finish("proposed", {
              ...known,
              tier: verdict.tier,
              reason: `${verdict.reason}; already proposed by task ${open.task}`,
              result: { proposal: open.proposal }
            })
          }
          const proposed = yield* Effect.tryPromise(() => proposals.propose(action, hash, verdict.reason)).pipe(
            Effect.either
          )
          if (proposed._tag === "Left") {
            return yield* finish("failed", {
              ...known,
              tier: verdict.tier,
              reason: `proposing failed: ${describe(proposed.left.error)}`
            })
          }
          const proposal: ProposalRecord = {
            hash,
            action,
            task: id,
            proposal: proposed.right,
            reason: verdict.reason,
            status: "pending"
          }
          yield* store.put(`${PROPOSAL_PREFIX}${hash}`, proposal)
          pending.set(hash, proposal)
          return yield* finish("proposed", {
            ...known,
            tier: verdict.tier,
            reason: verdict.reason,
            result: { proposal: proposed.right }
          })
        }
        const ran = yield* Effect.tryPromise({
          try: (interrupted) =>
            execute(action, targets, {
              experts: handles.map((handle) => handle.peerId),
              signal: AbortSignal.any([interrupted, controller.signal])
            }),
          catch: (cause) => cause
        }).pipe(Effect.either)
        if (ran._tag === "Left") {
          return yield* finish(isHalted() ? "halted" : "failed", {
            ...known,
            tier: verdict.tier,
            reason: `running it failed: ${describe(ran.left)}`
          })
        }
        return yield* finish("ran", {
          ...known,
          tier: verdict.tier,
          reason: verdict.approved ? "approved by an executed governance proposal" : undefined,
          result: ran.right
        })
      })

    /** Runs a proposed action once governance approved exactly it: the gate lets it through by its hash now. */
    const runApproved = (proposal: ProposalRecord) =>
      Effect.gen(function* () {
        pending.delete(proposal.hash)
        const startedAt = yield* Clock.currentTimeMillis
        const { action } = proposal
        const verdict = gate(effectiveState(), action)
        const invalid = verdict._tag === "Run" ? invalidReason(action, targets) : undefined
        const ran =
          verdict._tag !== "Run" || invalid !== undefined
            ? undefined
            : yield* Effect.either(
                Effect.tryPromise({
                  try: (signal) => execute(action, targets, { experts: [], signal }),
                  catch: (cause) => cause
                })
              )
        const decision: Decision =
          verdict._tag !== "Run"
            ? "refused"
            : invalid !== undefined
              ? "rejected"
              : ran?._tag === "Right"
                ? "ran"
                : "failed"
        const state = effectiveState()
        yield* store.put(`${PROPOSAL_PREFIX}${proposal.hash}`, { ...proposal, status: "ran" })
        yield* save({
          id: taskId(startedAt, ++sequence),
          source: "governance",
          subset: undefined,
          request: proposal.task,
          maxTier: undefined,
          prompt: "",
          experts: [],
          output: "",
          action,
          actionHash: proposal.hash,
          tier: verdict.tier,
          decision,
          reason:
            verdict._tag !== "Run"
              ? verdict.reason
              : (invalid ??
                (ran?._tag === "Left"
                  ? `running it failed: ${describe(ran.left)}`
                  : `approved by proposal ${proposal.proposal}`)),
          result: ran?._tag === "Right" ? ran.right : undefined,
          governance: { phase: state.phase, maxTier: state.maxTier, halted: state.halted },
          startedAt,
          finishedAt: yield* Clock.currentTimeMillis,
          figures: { steps: 0, tokens: 0, openMs: 0, writeMs: 0, maskMsTotal: 0, maskMsMax: 0, stepsAfterHalt: 0 }
        })
      })

    // Governance changes: a halt stops what runs; an approval runs the action it approves.
    yield* FiberSet.run(
      fibers,
      Stream.runForEach(governance.changes, (state) =>
        Effect.gen(function* () {
          latest = state
          if (state.halted) {
            abortAll(`halted by governance: ${state.haltReason ?? "no reason given"}`)
            return
          }
          for (const [hash, proposal] of pending) {
            if (state.approvedActions.has(hash as `0x${string}`)) yield* Effect.either(runApproved(proposal))
          }
        })
      )
    )

    const loops = new Map<number, { status: LoopStatus }>()
    const update = (subset: number, change: Partial<LoopStatus>) => {
      const entry = loops.get(subset)
      if (entry !== undefined) entry.status = { ...entry.status, ...change }
    }

    const loop = (subset: number, experts: ReadonlyArray<string>, cycles: number | undefined) =>
      Effect.gen(function* () {
        for (let cycle = 0; cycles === undefined || cycle < cycles; cycle++) {
          const outcome = yield* Effect.either(runTask({ source: "self", subset, experts }))
          if (outcome._tag === "Left") {
            update(subset, {
              running: false,
              stopped: outcome.left._tag === "HaltedError" ? "halted" : outcome.left.message
            })
            return
          }
          update(subset, { cycles: cycle + 1, lastTask: outcome.right.id })
          if (outcome.right.decision === "halted" || isHalted()) {
            update(subset, { running: false, stopped: "halted" })
            return
          }
          yield* Effect.sleep(options.intervalMs ?? 1000)
        }
        update(subset, { running: false, stopped: "cycles done" })
      }).pipe(Effect.onInterrupt(() => Effect.sync(() => update(subset, { running: false, stopped: "stopped" }))))

    const controller = {
      targets,
      runTask,
      /** Splits the family's experts into `count` disjoint subsets and starts a loop on each. */
      startLoops: (count: number, cycles?: number) =>
        Effect.gen(function* () {
          if (isHalted()) return yield* Effect.fail(new HaltedError({ message: "the mesh is halted" }))
          const subsets = yield* Effect.try({
            try: () =>
              partitionExperts(
                targets.experts().map((view) => view.peerId),
                count
              ),
            catch: (cause) => cause as SubsetError
          })
          loops.clear()
          for (const [subset, experts] of subsets.entries()) {
            loops.set(subset, {
              status: { subset, experts, cycles: 0, running: true, stopped: undefined, lastTask: undefined }
            })
            yield* FiberSet.run(fibers, loop(subset, experts, cycles))
          }
          return subsets
        }),
      /** Waits until every loop has stopped. */
      awaitLoops: Effect.gen(function* () {
        while ([...loops.values()].some((entry) => entry.status.running)) yield* Effect.sleep("20 millis")
      }),
      /** An operator's halt: every loop stops before its next step, and nothing starts until this node restarts. */
      halt: (reason: string) =>
        Effect.sync(() => {
          localHalt ??= reason
          abortAll(`halted: ${reason}`)
        }),
      isHalted: Effect.sync(isHalted),
      status: Effect.sync(
        (): SafetyStatus => ({
          halted: isHalted(),
          haltReason: effectiveState().haltReason,
          governance: { phase: latest.phase, maxTier: latest.maxTier, chainReachable: latest.chainReachable },
          loops: [...loops.values()].map((entry) => entry.status),
          recent: [...recent]
        })
      ),
      tasks: (limit = 50) =>
        Effect.map(store.list({ prefix: TASK_PREFIX, limit, reverse: true }), (entries) =>
          entries.map(([, value]) => value as TaskRecord)
        ),
      task: (id: string) => Effect.map(store.get(`${TASK_PREFIX}${id}`), (value) => value as TaskRecord | undefined),
      /** Gated actions waiting for their vote. */
      pending: Effect.sync(() => [...pending.values()])
    }
    return controller
  })

export type SafetyController = Effect.Effect.Success<ReturnType<typeof startSafety>>
