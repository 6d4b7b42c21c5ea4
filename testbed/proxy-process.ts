// A fault proxy in a child process (optionally inside a network namespace), driven over its JSON-line protocol.
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { FaultDirection, FaultProxyCounts } from "./fault-proxy.ts"
import { formatHostPort } from "./host-port.ts"
import type { LinkFaults } from "./link-schedule.ts"
import type { ProxyCommand, ProxyReply } from "./proxy-protocol.ts"

export class ProxyProcessError extends Error {
  override readonly name = "ProxyProcessError"
}

export interface ProxyProcessOptions {
  /** Default "127.0.0.1". */
  readonly listenHost?: string
  /** Default 0: any free port. */
  readonly listenPort?: number
  readonly targetHost: string
  readonly targetPort: number
  /** Applied to both directions. */
  readonly faults?: Partial<LinkFaults>
  /** Runs the proxy through `ip netns exec NAMESPACE`; default: the current namespace. */
  readonly namespace?: string
  /** Default 15000. */
  readonly readyTimeoutMs?: number
}

export interface ProxyProcess {
  readonly pid: number
  readonly host: string
  readonly port: number
  readonly child: ChildProcess
  counts(): Promise<FaultProxyCounts>
  setFaults(faults: Partial<LinkFaults>, direction?: FaultDirection | "both"): Promise<void>
  stall(ms: number): Promise<void>
  pause(): Promise<void>
  resume(): Promise<void>
  /** Resolves to the number of connections reset. */
  resetAll(): Promise<number>
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export const FAULT_PROXY_CLI = fileURLToPath(new URL("./fault-proxy-cli.ts", import.meta.url))
// `--import tsx` is resolved from the working directory, so the child runs from the project root.
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url))

const cliArguments = (options: ProxyProcessOptions): Array<string> => {
  const listen = formatHostPort({ host: options.listenHost ?? "127.0.0.1", port: options.listenPort ?? 0 })
  const target = formatHostPort({ host: options.targetHost, port: options.targetPort })
  const flags = ["--listen", listen, "--target", target]
  const { delayMs, jitterMs, bandwidthBytesPerSecond } = options.faults ?? {}
  if (delayMs !== undefined) flags.push("--delay", String(delayMs))
  if (jitterMs !== undefined) flags.push("--jitter", String(jitterMs))
  if (bandwidthBytesPerSecond !== undefined) flags.push("--rate", String(bandwidthBytesPerSecond))
  return [process.execPath, "--import", "tsx", FAULT_PROXY_CLI, ...flags]
}

export const spawnFaultProxy = (options: ProxyProcessOptions): Promise<ProxyProcess> =>
  new Promise((resolve, reject) => {
    const [command, ...args] = cliArguments(options)
    const child =
      options.namespace === undefined
        ? spawn(command!, args, { cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "pipe"] })
        : spawn("ip", ["netns", "exec", options.namespace, command!, ...args], {
            cwd: PROJECT_ROOT,
            stdio: ["pipe", "pipe", "pipe"]
          })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    // Every command gets exactly one reply, in order, so replies are matched to requests first in, first out.
    const waiting: Array<{ resolve: (reply: ProxyReply) => void; reject: (error: Error) => void }> = []
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    const readyTimeoutMs = options.readyTimeoutMs ?? 15_000
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new ProxyProcessError(`fault proxy did not start within ${readyTimeoutMs} ms: ${stderr.trim()}`))
    }, readyTimeoutMs)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      const error = new ProxyProcessError(`fault proxy exited (${code ?? signal}): ${stderr.trim() || "no output"}`)
      reject(error)
      for (const request of waiting.splice(0)) request.reject(error)
    })
    child.stdin.on("error", () => {}) // a write after exit; the exit handler has already failed the request

    const send = (command: ProxyCommand): Promise<ProxyReply> =>
      new Promise((resolveReply, rejectReply) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          rejectReply(new ProxyProcessError("fault proxy has exited"))
          return
        }
        waiting.push({ resolve: resolveReply, reject: rejectReply })
        child.stdin.write(`${JSON.stringify(command)}\n`)
      })
    const expectOk = async (command: ProxyCommand): Promise<Extract<ProxyReply, { event: "ok" }>> => {
      const reply = await send(command)
      if (reply.event === "ok") return reply
      throw new ProxyProcessError(`unexpected reply to ${command.op}: ${JSON.stringify(reply)}`)
    }

    const stop = async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      const killTimer = setTimeout(() => child.kill("SIGKILL"), graceMs)
      await exited
      clearTimeout(killTimer)
    }

    createInterface({ input: child.stdout }).on("line", (line) => {
      let reply: ProxyReply
      try {
        reply = JSON.parse(line)
      } catch {
        return
      }
      if (reply.event === "listening") {
        clearTimeout(timer)
        resolve({
          pid: child.pid ?? -1,
          host: reply.host,
          port: reply.port,
          child,
          counts: async () => {
            const { event, ...counts } = await send({ op: "counts" })
            if (event !== "counts") throw new ProxyProcessError(`unexpected reply to counts: ${event}`)
            return counts as FaultProxyCounts
          },
          setFaults: async (faults, direction) => {
            await expectOk({ op: "set", direction, ...faults })
          },
          stall: async (ms) => {
            await expectOk({ op: "stall", ms })
          },
          pause: async () => {
            await expectOk({ op: "pause" })
          },
          resume: async () => {
            await expectOk({ op: "resume" })
          },
          resetAll: async () => (await expectOk({ op: "reset" })).connections ?? 0,
          stop
        })
        return
      }
      const request = waiting.shift()
      if (request === undefined) return
      if (reply.event === "error") request.reject(new ProxyProcessError(reply.message))
      else request.resolve(reply)
    })
  })
