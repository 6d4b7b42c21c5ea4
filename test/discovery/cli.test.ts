// The swarm from the command line, as an operator runs it: a bootstrap and an expert as processes, then
// `mesh status` and `mesh generate` joining through the bootstrap alone.
import { afterAll, beforeAll, expect, test } from "vitest"
import { type ExpertProcess, type MeshProcess, spawnBootstrap, spawnExpert } from "../../runtime/expert-process.ts"
import { modelPath } from "../../runtime/models-dir.ts"
import { runMesh } from "../helpers/mesh-bin.ts"

let bootstrap: MeshProcess
let expert: ExpertProcess
beforeAll(async () => {
  bootstrap = await spawnBootstrap()
  expert = await spawnExpert(modelPath("stories260K.gguf"), [
    "--bootstrap",
    bootstrap.multiaddrs[0]!,
    "--heartbeat",
    "500"
  ])
}, 60_000)
afterAll(async () => {
  await expert?.stop()
  await bootstrap?.stop()
})

test("mesh status lists the expert; mesh generate finds it through the bootstrap", async () => {
  const status = await runMesh(["status", "--bootstrap", bootstrap.multiaddrs[0]!, "--listen-for", "3", "--json"])
  expect(status.code, status.stderr).toBe(0)
  const swarm = JSON.parse(status.stdout)
  expect(swarm.families).toEqual([{ tokenizerHash: expert.manifest.tokenizerHash, experts: 1 }])
  expect(swarm.experts[0].peerId).toBe(expert.peerId)
  expect(swarm.experts[0].model).toBe("stories260K")
  expect(swarm.rejected).toEqual({ oversized: 0, malformed: 0, forged: 0 })

  const generated = await runMesh([
    "generate",
    "--bootstrap",
    bootstrap.multiaddrs[0]!,
    "--k",
    "1",
    "--temperature",
    "0",
    "--max-tokens",
    "12",
    "Once upon a time"
  ])
  expect(generated.code, generated.stderr).toBe(0)
  expect(generated.stdout.startsWith(", there was a little girl named Lily")).toBe(true)

  const tooMany = await runMesh(["generate", "--bootstrap", bootstrap.multiaddrs[0]!, "--k", "2", "--wait", "2", "x"])
  expect(tooMany.code).toBe(1)
  // How many it knew by then depends on how fast it joined; the message says.
  expect(tooMany.stderr).toContain("2 experts of one family not found within 2 s (known: ")
}, 90_000)
