// One fault proxy as its own process, so it can run inside a network namespace:
//   node --import tsx testbed/fault-proxy-cli.ts --listen HOST:PORT --target HOST:PORT [--delay MS] [--jitter MS]
//     [--rate BYTES_PER_S]
// Prints {"event":"listening",...} when ready, then answers JSON-line commands on stdin (see proxy-protocol.ts).
// Exits on SIGTERM, SIGINT or the end of stdin.
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { startFaultProxy } from "./fault-proxy.ts"
import { parseHostPort } from "./host-port.ts"
import { applyCommand, type ProxyReply, parseCommand } from "./proxy-protocol.ts"

const reply = (message: ProxyReply) => process.stdout.write(`${JSON.stringify(message)}\n`)

const optionalNumber = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new Error(`--${flag} wants a number >= 0`)
  return value
}

const main = async () => {
  const { values } = parseArgs({
    options: {
      listen: { type: "string", default: "127.0.0.1:0" },
      target: { type: "string" },
      delay: { type: "string" },
      jitter: { type: "string" },
      rate: { type: "string" }
    }
  })
  if (values.target === undefined) throw new Error("--target HOST:PORT is required")
  const listen = parseHostPort(values.listen)
  const target = parseHostPort(values.target)
  const proxy = await startFaultProxy({
    listenHost: listen.host,
    listenPort: listen.port,
    targetHost: target.host,
    targetPort: target.port,
    faults: {
      delayMs: optionalNumber("delay", values.delay),
      jitterMs: optionalNumber("jitter", values.jitter),
      bandwidthBytesPerSecond: optionalNumber("rate", values.rate)
    }
  })
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await proxy.close()
    process.exit(0)
  }
  process.once("SIGTERM", stop)
  process.once("SIGINT", stop)
  const lines = createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line.trim() === "") return
    try {
      reply(applyCommand(proxy, parseCommand(line)))
    } catch (error) {
      reply({ event: "error", message: error instanceof Error ? error.message : String(error) })
    }
  })
  lines.once("close", stop)
  reply({ event: "listening", host: proxy.host, port: proxy.port })
}

main().catch((error: unknown) => {
  process.stderr.write(`fault-proxy: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
