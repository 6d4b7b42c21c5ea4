// The self-prompt loop on four real experts: cycles recorded in the level store, subsets on disjoint experts, the
// gate against governance (memory layer), actions that really act, and a halt that stops a loop within one step.
import { Effect, Either } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import type { Tier } from "../../governance/state.ts"
import { actionHash } from "../../safety/action-hash.ts"
import { TIERS } from "../../safety/catalog.ts"
import type { TaskRecord } from "../../safety/records.ts"
import { type SafetyWorld, STORIES, safetyWorld } from "./swarm.ts"

let world: SafetyWorld
let onStep: ((task: { subset: number | undefined; step: number }) => void) | undefined
beforeAll(async () => {
  world = await safetyWorld({
    models: [...STORIES, "docs260K.gguf"],
    safety: { intervalMs: 0, sampling: { temperature: 1, seed: 3 }, onStep: (task) => onStep?.(task) }
  })
}, 60_000)
afterAll(() => world?.close())

const submit = (text: string, types: ReadonlyArray<keyof typeof TIERS>, maxTier?: Tier) =>
  world.run(world.safety.runTask({ source: "operator", text, types, ...(maxTier === undefined ? {} : { maxTier }) }))

const allTasks = () => world.run(world.safety.tasks(1000))

test("a loop writes two tasks; each is gated by its tier in phase 0 and recorded in full", async () => {
  await world.run(world.safety.startLoops(1, 2))
  await world.run(world.safety.awaitLoops)
  const tasks = await allTasks()
  expect(tasks).toHaveLength(2)
  for (const task of tasks) {
    expect(task.source).toBe("self")
    expect(task.prompt).toContain("next task")
    expect(task.experts.length).toBeGreaterThan(0)
    expect(JSON.parse(task.output)).toEqual(task.action)
    expect(task.tier).toBe(TIERS[task.action!.type])
    // Phase 0 allows tier 0 only: higher tiers became proposals.
    if (task.tier === 0) expect(["ran", "rejected"]).toContain(task.decision)
    else if (task.decision === "rejected") expect(task.reason).toBe("this node serves no gateway to limit")
    else expect(task.decision).toBe("proposed")
    expect(task.finishedAt).toBeGreaterThanOrEqual(task.startedAt)
    expect(task.figures.steps).toBeGreaterThan(0)
  }
  const status = await world.run(world.safety.status)
  expect(status.loops[0]).toMatchObject({ subset: 0, cycles: 2, running: false, stopped: "cycles done" })
  expect(status.recent.map((task) => task.id)).toEqual(tasks.map((task) => task.id).reverse())
})

test("two subsets run at once on disjoint experts", async () => {
  const before = (await allTasks()).length
  const subsets = await world.run(world.safety.startLoops(2, 3))
  expect(subsets).toHaveLength(2)
  expect(subsets[0]!.filter((peer) => subsets[1]!.includes(peer))).toEqual([])
  expect(new Set([...subsets[0]!, ...subsets[1]!]).size).toBe(4)
  await world.run(world.safety.awaitLoops)
  const tasks = (await allTasks()).slice(0, (await allTasks()).length - before)
  const bySubset = [0, 1].map((subset) => tasks.filter((task) => task.subset === subset))
  expect(bySubset.map((list) => list.length)).toEqual([3, 3])
  for (const [subset, list] of bySubset.entries()) {
    for (const task of list) for (const peer of task.experts) expect(subsets[subset]).toContain(peer)
  }
  // At once: some task of one subset was being written while a task of the other was.
  const overlaps = bySubset[0]!.some((left) =>
    bySubset[1]!.some((right) => left.startedAt < right.finishedAt && right.startedAt < left.finishedAt)
  )
  expect(overlaps).toBe(true)
})

test("escalation: a tier-2 ban is refused in phase 0, proposed, and runs once governance approves exactly it", async () => {
  const task = await submit("Ban the slowest expert.", ["ban_peer"])
  expect(task.action?.type).toBe("ban_peer")
  expect(task.tier).toBe(2)
  expect(task.decision).toBe("proposed")
  const peer = (task.action as { peer: string }).peer
  expect(world.router.bans.isBanned(peer)).toBe(false)
  expect((await world.run(world.safety.pending)).map((proposal) => proposal.hash)).toContain(task.actionHash)
  expect(task.actionHash).toBe(actionHash(task.action!))

  // An approval of another action changes nothing.
  await world.setGovernance((state) => ({ ...state, approvedActions: new Set([actionHash({ type: "set_k", k: 1 })]) }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(world.router.bans.isBanned(peer)).toBe(false)

  await world.setGovernance((state) => ({
    ...state,
    approvedActions: new Set([...state.approvedActions, task.actionHash as `0x${string}`])
  }))
  let ran: TaskRecord | undefined
  for (let waited = 0; ran === undefined && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    // Found by the action's hash: a loop above may have proposed the same action first (it is proposed once).
    ran = (await allTasks()).find((record) => record.source === "governance" && record.actionHash === task.actionHash)
  }
  expect(ran?.decision).toBe("ran")
  expect(ran?.reason).toContain("approved")
  expect(world.router.bans.isBanned(peer)).toBe(true)
  expect((await world.run(world.safety.pending)).map((proposal) => proposal.hash)).not.toContain(task.actionHash)
})

test("tier 1 in phase 1: set_k changes the K that later tasks use; a task's --max-tier cap still refuses it", async () => {
  await world.setGovernance((state) => ({ ...state, phase: 1, maxTier: 1 }))
  const capped = await submit("Use two experts.", ["set_k"], 0)
  expect(capped.decision).toBe("refused")
  expect(capped.reason).toContain("cap of tier 0")
  const task = await submit("Use two experts.", ["set_k"])
  expect(task.decision).toBe("ran")
  const k = (task.action as { k: number }).k
  expect(world.router.controls.k()).toBe(k)
  expect(task.result).toMatchObject({ after: k })
  const next = await submit("How are the experts?", ["report_status"])
  expect(next.decision).toBe("ran")
  // The banned expert writes nothing: three of the four are left to choose K from.
  expect(next.experts).toHaveLength(Math.min(k, 3))
}, 60_000)

test("tier 0: evaluate_expert scores held-out text; report_status returns the registry view", async () => {
  const evaluation = await submit("Check an expert.", ["evaluate_expert"])
  expect(evaluation.decision).toBe("ran")
  const result = evaluation.result as { meanLogprob: number; tokens: number; peer: string }
  expect(result.tokens).toBeGreaterThan(20)
  expect(result.meanLogprob).toBeLessThan(0)
  expect(result.meanLogprob).toBeGreaterThan(-10)
  const status = await submit("Report.", ["report_status"])
  expect((status.result as { experts: unknown[] }).experts).toHaveLength(4)
})

test("a parseable action that cannot act here is rejected with a reason", async () => {
  await world.setGovernance((state) => ({ ...state, phase: 2, maxTier: 2 }))
  const task = await submit("Fewer requests per minute.", ["set_rate_limit"])
  expect(task.decision).toBe("rejected")
  expect(task.reason).toBe("this node serves no gateway to limit")
})

test("a halt stops a running loop within one step, and nothing starts afterwards", async () => {
  await world.setGovernance((state) => ({ ...state, phase: 0, maxTier: 0 }))
  const before = (await allTasks()).length
  let haltedAtStep: number | undefined
  let tasksSeen = 0
  onStep = (task) => {
    if (task.step === 1) tasksSeen++
    // In the third task (or a later one, should the third be shorter), while it is being written.
    if (tasksSeen >= 3 && task.step === 3 && haltedAtStep === undefined) {
      haltedAtStep = task.step
      world.runtime.runFork(world.memory.set((state) => ({ ...state, halted: true, haltReason: "test halt" })))
    }
  }
  await world.run(world.safety.startLoops(1))
  await world.run(world.safety.awaitLoops)
  onStep = undefined
  expect(haltedAtStep).toBe(3)
  const tasks = (await allTasks()).slice(0, (await allTasks()).length - before)
  expect(tasks.length).toBeGreaterThanOrEqual(3)
  const last = tasks[0]!
  expect(last.decision).toBe("halted")
  expect(last.figures.steps).toBeLessThanOrEqual(haltedAtStep! + 1)
  expect(last.figures.stepsAfterHalt).toBe(0)
  const status = await world.run(world.safety.status)
  expect(status.halted).toBe(true)
  expect(status.loops[0]?.stopped).toBe("halted")

  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(await allTasks()).toHaveLength(before + tasks.length)
  const refused = await world.run(Effect.either(world.safety.runTask({ source: "operator", text: "Report." })))
  expect(Either.isLeft(refused) && refused.left._tag).toBe("HaltedError")
  const restarted = await world.run(Effect.either(world.safety.startLoops(1, 1)))
  expect(Either.isLeft(restarted) && restarted.left._tag).toBe("HaltedError")
  expect(await allTasks()).toHaveLength(before + tasks.length)
})
