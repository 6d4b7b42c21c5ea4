import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { type ProxyProcess, ProxyProcessError, spawnFaultProxy } from "../../testbed/proxy-process.ts"
import { connectTo, type EchoServer, roundTrip, socketOutcome, startEchoServer } from "./echo.ts"

let echo: EchoServer
let proxy: ProxyProcess

beforeAll(async () => {
  echo = await startEchoServer()
  proxy = await spawnFaultProxy({ targetHost: "127.0.0.1", targetPort: echo.port, faults: { delayMs: 5 } })
})

afterAll(async () => {
  await proxy?.stop()
  await echo?.close()
})

describe("fault proxy process", () => {
  test("forwards, takes a new delay on command, counts, resets, and stops on SIGTERM", async () => {
    const socket = await connectTo(proxy.port)
    const before = await roundTrip(socket, "hello")
    expect(before).toBeGreaterThanOrEqual(10)
    expect(before).toBeLessThan(60)

    await proxy.setFaults({ delayMs: 60 })
    const after = await roundTrip(socket, "hello")
    expect(after).toBeGreaterThanOrEqual(120)
    expect(after).toBeGreaterThan(before + 80)

    expect(await proxy.counts()).toEqual({
      accepted: 1,
      open: 1,
      bytesToTarget: 10,
      bytesToClient: 10,
      resets: 0,
      targetFailures: 0
    })
    await expect(proxy.setFaults({ delayMs: -5 })).rejects.toThrow(ProxyProcessError)

    const closed = socketOutcome(socket)
    expect(await proxy.resetAll()).toBe(1)
    expect(await closed).not.toBe("clean")

    const exit = new Promise((resolve) => proxy.child.once("exit", (code, signal) => resolve(code ?? signal)))
    await proxy.stop()
    expect(await exit).toBe(0)
    await expect(proxy.counts()).rejects.toThrow(/exited/)
  })

  test("exits cleanly when its stdin ends, so a crashed parent leaves no proxy behind", async () => {
    const orphan = await spawnFaultProxy({ targetHost: "127.0.0.1", targetPort: echo.port })
    const exit = new Promise((resolve) => orphan.child.once("exit", (code, signal) => resolve(code ?? signal)))
    orphan.child.stdin?.end()
    expect(await exit).toBe(0)
  })

  test("a bad flag fails start-up with the reason", async () => {
    await expect(
      spawnFaultProxy({ targetHost: "127.0.0.1", targetPort: echo.port, faults: { jitterMs: -1 } })
    ).rejects.toThrow(/--jitter/)
  })
})
