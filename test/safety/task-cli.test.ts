// `mesh task submit | list | show` as a user runs them: against a running node's admin API and control protocol,
// and from the level store on disk once the node has stopped. Bad flags exit 2 with one clear line.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { afterAll, beforeAll, expect, test } from "vitest"
import { startControlNode } from "../../control/control-node.ts"
import { InferenceLive } from "../../experts/inference/service.ts"
import { layerMemory } from "../../governance/service.ts"
import { taskStorePath } from "../../runtime/data-dir.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { loadOrCreateIdentity } from "../../runtime/p2p/identity.ts"
import { layerLevel } from "../../store/store.ts"
import { runMesh } from "../helpers/mesh-bin.ts"
import { startTestExpert } from "../helpers/runtime.ts"

const TOKEN = "cli-admin-token-0123456789"
const dir = mkdtempSync(join(tmpdir(), "mesh-task-cli-"))
const dataDir = join(dir, "data")
const tokenFile = join(dir, "token")
const identityFile = join(dir, "operator.key")
writeFileSync(tokenFile, `${TOKEN}\n`)
const runtime = ManagedRuntime.make(InferenceLive)
let scope: Scope.CloseableScope
let url: string
let control: string

beforeAll(async () => {
  const operator = await loadOrCreateIdentity(identityFile)
  scope = await runtime.runPromise(Scope.make())
  const node = await runtime.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const experts = yield* Effect.forEach(["stories260K.gguf", "stories260K-q8_0.gguf"], (name) =>
          startTestExpert({ modelPath: modelPath(name) })
        )
        // The store lives in the scope: closing it releases the folder to the command line.
        const services = yield* Layer.build(Layer.merge(layerMemory(), layerLevel(taskStorePath(dataDir))))
        return yield* Effect.provide(
          startControlNode({
            modelsDir: resolveModelsDir(),
            experts: experts.map((expert) => expert.multiaddrs()[0]!),
            listen: ["/ip4/127.0.0.1/tcp/0"],
            operators: [operator.peerId],
            safety: { sampling: { temperature: 1, seed: 11 } },
            gateway: { port: 0, host: "127.0.0.1", adminToken: TOKEN }
          }),
          services
        )
      }),
      scope
    )
  )
  url = node.url!
  control = node.router.node.multiaddrs()[0]!
}, 60_000)

afterAll(async () => {
  await runtime.runPromise(Scope.close(scope, Exit.void)).catch(() => undefined)
  await runtime.dispose()
  rmSync(dir, { recursive: true, force: true })
})

test("submit through the admin API and the control protocol; list and show; then read the store on disk", async () => {
  const viaGateway = await runMesh([
    "task",
    "submit",
    "Tell a story about a cat.",
    "--gateway",
    url,
    "--token-file",
    tokenFile,
    "--type",
    "answer",
    "--json"
  ])
  expect(viaGateway.code, viaGateway.stderr).toBe(0)
  const first = JSON.parse(viaGateway.stdout) as { id: string; decision: string; actionJson: string }
  expect(first.decision).toBe("ran")
  expect(JSON.parse(first.actionJson).type).toBe("answer")

  const capped = await runMesh([
    "task",
    "submit",
    "Ban a peer.",
    "--control",
    control,
    "--identity",
    identityFile,
    "--type",
    "ban_peer",
    "--max-tier",
    "1"
  ])
  expect(capped.code, capped.stderr).toBe(0)
  expect(capped.stdout).toMatch(/decision {2}refused: tier 2 is above this task's cap of tier 1/)

  const list = await runMesh(["task", "list", "--gateway", url, "--token-file", tokenFile])
  expect(list.code, list.stderr).toBe(0)
  expect(list.stdout.split("\n")[2]).toContain(first.id)
  const show = await runMesh(["task", "show", first.id, "--gateway", url, "--token-file", tokenFile])
  expect(show.stdout).toContain(`task ${first.id}`)
  expect(show.stdout).toContain("decision  ran")
  expect(show.stdout).toContain("Tell a story about a cat.")

  // While the node holds the store, reading it directly is refused with a clear message.
  const locked = await runMesh(["task", "list", "--data", dataDir])
  expect(locked.code).toBe(1)
  expect(locked.stderr).toContain("is open in another process")

  await runtime.runPromise(Scope.close(scope, Exit.void))
  const offline = await runMesh(["task", "list", "--data", dataDir, "--json"])
  expect(offline.code, offline.stderr).toBe(0)
  const tasks = JSON.parse(offline.stdout) as Array<{ id: string; decision: string }>
  expect(tasks.map((task) => task.decision)).toEqual(["refused", "ran"])
  const shown = await runMesh(["task", "show", first.id, "--data", dataDir, "--json"])
  expect(JSON.parse(shown.stdout)).toMatchObject({ id: first.id, source: "operator", decision: "ran" })
}, 120_000)

test("bad flags exit 2 with one line", async () => {
  const cases: Array<[string[], string]> = [
    [["task", "submit", "go", "--max-tier", "5", "--gateway", "http://x"], "--max-tier must be an integer in 0..3"],
    [["task", "submit", "go", "--type", "launch", "--gateway", "http://x"], 'unknown action type "launch"'],
    [["task", "submit", "go"], "give exactly one of --gateway URL or --control MULTIADDR"],
    [["task", "show", "42", "--data", dataDir], "42 is not a task id"],
    [["task", "list", "--limit", "0"], "--limit must be an integer in 1..1000"],
    [
      ["gateway", "start", "--experts", "/ip4/127.0.0.1/tcp/1/p2p/x", "--operator", "bob"],
      "--operator must be a peer id"
    ]
  ]
  for (const [args, message] of cases) {
    const result = await runMesh(args)
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2)
    expect(result.stderr).toContain(message)
  }
})
