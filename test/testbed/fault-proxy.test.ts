import { performance } from "node:perf_hooks"
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest"
import { type FaultProxy, startFaultProxy } from "../../testbed/fault-proxy.ts"
import type { LinkFaults } from "../../testbed/link-schedule.ts"
import { connectTo, type EchoServer, readBytes, roundTrip, sleep, socketOutcome, startEchoServer } from "./echo.ts"

let echo: EchoServer
const proxies: Array<FaultProxy> = []

const proxyToEcho = async (faults: Partial<LinkFaults> = {}) => {
  const proxy = await startFaultProxy({ targetHost: "127.0.0.1", targetPort: echo.port, faults })
  proxies.push(proxy)
  return proxy
}

beforeEach(async () => {
  echo = await startEchoServer()
})

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
  await echo.close()
})

describe("fault proxy", () => {
  test("a one-way delay of 25 ms makes every round trip at least 50 ms, and not much more", async () => {
    const proxy = await proxyToEcho({ delayMs: 25 })
    const socket = await connectTo(proxy.port)
    const times: Array<number> = []
    for (let trip = 0; trip < 5; trip += 1) times.push(await roundTrip(socket))
    socket.destroy()
    for (const ms of times) {
      expect(ms).toBeGreaterThanOrEqual(50)
      expect(ms).toBeLessThan(150)
    }
  })

  test("without faults it adds next to nothing", async () => {
    const proxy = await proxyToEcho()
    const socket = await connectTo(proxy.port)
    await roundTrip(socket)
    expect(await roundTrip(socket)).toBeLessThan(20)
    socket.destroy()
  })

  test("jitter never reorders: 200 messages come back in order", async () => {
    const proxy = await proxyToEcho({ delayMs: 2, jitterMs: 20 })
    const socket = await connectTo(proxy.port)
    const messages = Array.from({ length: 200 }, (_, index) => `message ${index};`)
    const expected = messages.join("")
    const echoed = readBytes(socket, Buffer.byteLength(expected))
    for (const message of messages) {
      socket.write(message)
      await sleep(1)
    }
    expect((await echoed).toString()).toBe(expected)
    // Sent about 1 ms apart under 20 ms of jitter, chunks would overtake each other all the time if not held back;
    // many separate reads reached the server, so order was tested across many scheduled chunks, not a few.
    expect(echo.chunksReceived()).toBeGreaterThan(10)
    socket.destroy()
  })

  test("a 300 ms stall holds a message at least 300 ms, then traffic flows again", async () => {
    const proxy = await proxyToEcho()
    const socket = await connectTo(proxy.port)
    await roundTrip(socket)
    proxy.stall(300)
    expect(await roundTrip(socket)).toBeGreaterThanOrEqual(300)
    expect(await roundTrip(socket)).toBeLessThan(50)
    socket.destroy()
  })

  test("pause holds traffic until resume", async () => {
    const proxy = await proxyToEcho()
    const socket = await connectTo(proxy.port)
    proxy.pause()
    const echoed = readBytes(socket, 5)
    socket.write("hello")
    await sleep(150)
    expect(proxy.counts().bytesToTarget).toBe(0)
    proxy.resume()
    expect((await echoed).toString()).toBe("hello")
    socket.destroy()
  })

  test("setFaults changes the delay of a running connection", async () => {
    const proxy = await proxyToEcho()
    const socket = await connectTo(proxy.port)
    expect(await roundTrip(socket)).toBeLessThan(40)
    proxy.setFaults({ delayMs: 40 })
    expect(await roundTrip(socket)).toBeGreaterThanOrEqual(80)
    proxy.setFaults({ delayMs: 0 }, "toClient")
    const oneWay = await roundTrip(socket)
    expect(oneWay).toBeGreaterThanOrEqual(40)
    expect(oneWay).toBeLessThan(80)
    expect(proxy.faults("toTarget").delayMs).toBe(40)
    socket.destroy()
  })

  test("resetAll tears connections down with RST on both sides", async () => {
    const proxy = await proxyToEcho()
    const socket = await connectTo(proxy.port)
    await roundTrip(socket)
    const outcome = socketOutcome(socket)
    expect(proxy.resetAll()).toBe(1)
    expect(["ECONNRESET", "close-with-error"]).toContain(await outcome)
    await sleep(20)
    expect(echo.errors()).toContain("ECONNRESET")
    expect(proxy.counts()).toMatchObject({ resets: 1, open: 0 })
  })

  test("pacing at 100 kB/s makes 50 kB take at least 0.4 s; unpaced it takes far less", async () => {
    const payload = Buffer.alloc(50_000, 7)
    const unpaced = await proxyToEcho()
    const fast = await connectTo(unpaced.port)
    expect(await roundTrip(fast, payload)).toBeLessThan(200)
    fast.destroy()
    const paced = await proxyToEcho({ bandwidthBytesPerSecond: 100_000 })
    const slow = await connectTo(paced.port)
    const ms = await roundTrip(slow, payload)
    expect(ms).toBeGreaterThanOrEqual(400)
    expect(ms).toBeLessThan(1500)
    slow.destroy()
  })

  test("counters are exact", async () => {
    const proxy = await proxyToEcho({ delayMs: 1 })
    const first = await connectTo(proxy.port)
    const second = await connectTo(proxy.port)
    await roundTrip(first, Buffer.alloc(1000, 1))
    await roundTrip(second, Buffer.alloc(3000, 2))
    await roundTrip(first, "x")
    expect(proxy.counts()).toEqual({
      accepted: 2,
      open: 2,
      bytesToTarget: 4001,
      bytesToClient: 4001,
      resets: 0,
      targetFailures: 0
    })
    first.end()
    expect(await socketOutcome(first)).toBe("clean")
    await vi.waitFor(() => expect(proxy.counts().open).toBe(1))
    const secondClosed = socketOutcome(second)
    expect(proxy.resetAll()).toBe(1)
    expect(await secondClosed).not.toBe("clean")
    expect(proxy.counts()).toEqual({
      accepted: 2,
      open: 0,
      bytesToTarget: 4001,
      bytesToClient: 4001,
      resets: 1,
      targetFailures: 0
    })
  })

  test("a client's end is passed on after its data, and the server's end comes back", async () => {
    const proxy = await proxyToEcho({ delayMs: 20 })
    const socket = await connectTo(proxy.port)
    const started = performance.now()
    const echoed = readBytes(socket, 3)
    socket.end("bye")
    expect((await echoed).toString()).toBe("bye")
    // The echo server ends its side when the client's FIN reaches it (allowHalfOpen off), and that comes back too,
    // each way no earlier than the data it followed.
    expect(await socketOutcome(socket)).toBe("clean")
    expect(performance.now() - started).toBeGreaterThanOrEqual(40)
  })

  test("an unreachable target resets the client and is counted", async () => {
    const closed = await startEchoServer()
    const port = closed.port
    await closed.close()
    const proxy = await startFaultProxy({ targetHost: "127.0.0.1", targetPort: port })
    proxies.push(proxy)
    const socket = await connectTo(proxy.port)
    expect(["ECONNRESET", "close-with-error"]).toContain(await socketOutcome(socket))
    expect(proxy.counts()).toMatchObject({ accepted: 1, targetFailures: 1, open: 0 })
  })

  test("bad faults are refused", async () => {
    await expect(proxyToEcho({ delayMs: -1 })).rejects.toThrow(RangeError)
    const proxy = await proxyToEcho()
    expect(() => proxy.setFaults({ jitterMs: Number.NaN })).toThrow(/jitterMs/)
    expect(() => proxy.stall(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})
