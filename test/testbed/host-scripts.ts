// Small node programs run inside testbed hosts (`node -e`), and the helpers that start them and read their answers.
import type { ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import type { TestbedHost } from "../../testbed/netns.ts"

// argv: HOST PORT. Prints {"port":N} once listening; echoes everything back.
const ECHO_SERVER = `
const net = require("node:net")
const [host, port] = process.argv.slice(1)
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on("data", (chunk) => socket.write(chunk))
  socket.on("error", () => {})
})
server.listen({ host, port: Number(port) }, () => console.log(JSON.stringify({ port: server.address().port })))
`

// argv: HOST PORT BYTES. Sends BYTES, waits for them to come back, prints {"ok":true,"ms":N} or {"ok":false,"code":C}.
const ECHO_CLIENT = `
const net = require("node:net")
const [host, port, bytes] = process.argv.slice(1)
const payload = Buffer.alloc(Number(bytes), 97)
const done = (result) => { console.log(JSON.stringify(result)); process.exit(0) }
setTimeout(() => done({ ok: false, code: "TIMEOUT" }), 5000)
const socket = net.connect({ host, port: Number(port), noDelay: true })
let started = 0
let received = 0
socket.on("connect", () => { started = performance.now(); socket.write(payload) })
socket.on("data", (chunk) => {
  received += chunk.length
  if (received >= payload.length) done({ ok: true, ms: performance.now() - started })
})
socket.on("error", (error) => done({ ok: false, code: error.code }))
`

export type EchoResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly code: string }

export interface HostEchoServer {
  readonly port: number
  readonly child: ChildProcess
  stop(): void
}

export const startEchoInHost = (host: TestbedHost, listenAddress: string): Promise<HostEchoServer> =>
  new Promise((resolve, reject) => {
    const child = host.exec(process.execPath, ["-e", ECHO_SERVER, listenAddress, "0"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once("exit", (code) => reject(new Error(`echo server in ${host.name} exited (${code}): ${stderr}`)))
    createInterface({ input: child.stdout! }).once("line", (line) => {
      const { port } = JSON.parse(line) as { port: number }
      resolve({ port, child, stop: () => child.kill("SIGKILL") })
    })
  })

/** Echoes `bytes` from inside `host` to ADDRESS:PORT; the time excludes node's start-up. */
export const echoFromHost = async (
  host: TestbedHost,
  address: string,
  port: number,
  bytes = 16
): Promise<EchoResult> => {
  const result = await host.run(process.execPath, ["-e", ECHO_CLIENT, address, String(port), String(bytes)])
  if (result.code !== 0) throw new Error(`echo client in ${host.name} failed (${result.code}): ${result.stderr}`)
  return JSON.parse(result.stdout) as EchoResult
}
