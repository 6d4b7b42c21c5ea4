import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import {
  capBandwidth,
  createTestbed,
  listTestbedResources,
  netnsAvailable,
  removeBandwidthCap,
  sweepStaleTestbeds,
  type Testbed
} from "../../testbed/netns.ts"
import { spawnFaultProxy } from "../../testbed/proxy-process.ts"
import { runCommandSync } from "../../testbed/system-command.ts"
import { connectTo, roundTrip } from "./echo.ts"
import { echoFromHost, startEchoInHost } from "./host-scripts.ts"

const availability = netnsAvailable()
const skipReason = availability.ok ? "" : ` (skipped: ${availability.reason})`
if (!availability.ok) console.warn(`network namespace tests skipped: ${availability.reason}`)

const leftovers = (id: string) => {
  const { namespaces, links } = listTestbedResources(id)
  return [...namespaces, ...links].sort()
}

describe.skipIf(!availability.ok)(`testbed of network namespaces${skipReason}`, () => {
  let bed: Testbed

  beforeAll(async () => {
    sweepStaleTestbeds()
    bed = await createTestbed({ hosts: 3 })
  })

  afterAll(async () => {
    await bed?.destroy()
  })

  test("hosts sit on one private /24 with loopback up and no way out", async () => {
    const network = bed.subnet.replace(/\.0\/24$/, "")
    expect(bed.subnet).toMatch(/^10\.\d+\.\d+\.0\/24$/)
    expect(bed.hosts.map((host) => host.address)).toEqual([11, 12, 13].map((last) => `${network}.${last}`))
    for (const host of bed.hosts) {
      const addresses = await host.run("ip", ["-4", "-o", "addr", "show"])
      expect(addresses.stdout).toContain(`inet ${host.address}/24`)
      expect(addresses.stdout).toContain("inet 127.0.0.1/8")
      expect((await host.run("ip", ["route", "show", "default"])).stdout.trim()).toBe("")
    }
    // TEST-NET-2: with no route the kernel refuses before a packet is built.
    expect(await echoFromHost(bed.host(2), "198.51.100.1", 80)).toEqual({ ok: false, code: "ENETUNREACH" })
  })

  test("host 2 and the root namespace both reach an echo server on host 1", async () => {
    const server = await startEchoInHost(bed.host(1), bed.host(1).address)
    try {
      expect(await echoFromHost(bed.host(2), bed.host(1).address, server.port)).toMatchObject({ ok: true })
      const socket = await connectTo(server.port, bed.host(1).address)
      expect(await roundTrip(socket, "through the bridge")).toBeLessThan(100)
      socket.destroy()
    } finally {
      server.stop()
    }
  })

  test("a service on host 1's loopback is reached from host 2 only through the proxy in host 1", async () => {
    const host1 = bed.host(1)
    const server = await startEchoInHost(host1, "127.0.0.1")
    const proxy = await spawnFaultProxy({
      namespace: host1.name,
      listenHost: host1.address,
      targetHost: "127.0.0.1",
      targetPort: server.port,
      faults: { delayMs: 20 }
    })
    try {
      expect(await echoFromHost(bed.host(2), host1.address, server.port)).toEqual({ ok: false, code: "ECONNREFUSED" })
      const proxied = await echoFromHost(bed.host(2), host1.address, proxy.port)
      expect(proxied.ok && proxied.ms).toBeGreaterThanOrEqual(40)
      expect(await proxy.counts()).toMatchObject({ accepted: 1, bytesToTarget: 16, bytesToClient: 16 })
    } finally {
      await proxy.stop()
      server.stop()
    }
  })

  test("capBandwidth slows a 200 kB transfer, and removing the cap restores it", async () => {
    const server = await startEchoInHost(bed.host(1), bed.host(1).address)
    const transfer = async () => {
      const result = await echoFromHost(bed.host(3), bed.host(1).address, server.port, 200_000)
      if (!result.ok) throw new Error(`transfer failed: ${result.code}`)
      return result.ms
    }
    try {
      const uncapped = await transfer()
      await capBandwidth(bed.host(1), 250_000)
      const capped = await transfer()
      await removeBandwidthCap(bed.host(1))
      const restored = await transfer()
      // 200 kB each way at 250 kB/s: about 0.8 s, against a few ms on a bare veth.
      expect(capped).toBeGreaterThan(500)
      expect(capped).toBeGreaterThan(uncapped * 5)
      expect(restored).toBeLessThan(capped / 5)
    } finally {
      server.stop()
    }
  })

  test("destroy leaves no namespace, veth or bridge, and ends processes inside", async () => {
    const small = await createTestbed({ hosts: 2 })
    try {
      expect(leftovers(small.id)).toEqual(
        [small.bridge, ...small.hosts.flatMap((host) => [host.name, host.rootInterface])].sort()
      )
      const sleeper = small.host(2).exec("sleep", ["30"], { stdio: "ignore" })
      const sleeperExit = new Promise((resolve) => sleeper.once("exit", (_code, signal) => resolve(signal)))
      await small.destroy()
      expect(leftovers(small.id)).toEqual([])
      expect(runCommandSync("ip", ["-o", "link", "show"])).not.toContain(small.id)
      expect(await sleeperExit).toBe("SIGKILL")
    } finally {
      await small.destroy()
    }
  })

  test("sweepStaleTestbeds removes what a dead process left, and nothing of a live one", async () => {
    const dead = spawn("true")
    const deadPid = await new Promise<number>((resolve) => dead.once("exit", () => resolve(dead.pid ?? -1)))
    const staleId = `tb${deadPid}x1`
    runCommandSync("ip", ["netns", "add", `${staleId}h1`])
    runCommandSync("ip", ["link", "add", `${staleId}br`, "type", "bridge"])
    const swept = sweepStaleTestbeds()
    expect(swept.sort()).toEqual([`${staleId}br`, `${staleId}h1`].sort())
    expect(leftovers(staleId)).toEqual([])
    expect(leftovers(bed.id).length).toBe(1 + 2 * bed.hosts.length)
  })
})
