// LAN mode: with no bootstrap at all, a router and an expert on two hosts of one network find each other by mDNS.
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { type ExpertProcess, MESH_BIN, spawnExpert } from "../../runtime/expert-process.ts"
import { modelPath } from "../../runtime/models-dir.ts"
import { createTestbed, netnsAvailable, sweepStaleTestbeds, type Testbed } from "../../testbed/netns.ts"

const available = netnsAvailable()

describe.skipIf(!available.ok)(`LAN discovery${available.ok ? "" : ` (skipped: ${available.reason})`}`, () => {
  let testbed: Testbed
  let expert: ExpertProcess
  beforeAll(async () => {
    sweepStaleTestbeds()
    testbed = await createTestbed({ hosts: 2 })
    const host = testbed.host(1)
    expert = await spawnExpert(modelPath("stories260K.gguf"), ["--listen", `/ip4/${host.address}/tcp/4001`, "--lan"], {
      prefix: ["ip", "netns", "exec", host.name]
    })
  }, 60_000)
  afterAll(async () => {
    await expert?.stop()
    await testbed?.destroy()
  })

  test("mesh status --lan on another host lists the expert, with no bootstrap anywhere", async () => {
    const status = await testbed
      .host(2)
      .run(process.execPath, [MESH_BIN, "status", "--lan", "--listen-for", "4", "--json"], { timeoutMs: 30_000 })
    expect(status.code, status.stderr).toBe(0)
    const swarm = JSON.parse(status.stdout)
    expect(swarm.experts.map((entry: { peerId: string }) => entry.peerId)).toEqual([expert.peerId])
    expect(swarm.families[0].tokenizerHash).toBe(expert.manifest.tokenizerHash)
  }, 60_000)
})
