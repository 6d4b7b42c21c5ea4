// A LAN of real hosts: network namespaces joined by veth pairs to one bridge in the root namespace, on a private /24
// of their own. No default route and no forwarding, so traffic stays between the hosts and the root namespace.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process"
import { deleteResourcesSync, killNamespaceProcesses, listResources, type TestbedResources } from "./netns-cleanup.ts"
import { cleanUpOnProcessEnd } from "./process-end.ts"
import { isAlreadyGone, runCommand, runCommandSync, TestbedCommandError } from "./system-command.ts"
import { MAX_HOSTS, ownerPid, processAlive, type TestbedNames, testbedNames } from "./testbed-names.ts"

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Default 30000; past it the process is killed and the promise rejects. */
  readonly timeoutMs?: number
  /** Written to stdin, which is then closed. */
  readonly input?: string
}

export interface TestbedHost {
  /** The namespace's name. */
  readonly name: string
  /** 1-based, as in the name and the address (host n has .10+n). */
  readonly index: number
  readonly address: string
  /** The host's interface, inside its namespace. */
  readonly interfaceName: string
  /** The other end of the host's veth pair, on the bridge in the root namespace. */
  readonly rootInterface: string
  /** Spawns `command` inside the namespace (`ip netns exec`); give node as `process.execPath`, PATH may differ. */
  exec(command: string, args?: ReadonlyArray<string>, options?: SpawnOptions): ChildProcess
  run(command: string, args?: ReadonlyArray<string>, options?: RunOptions): Promise<RunResult>
}

export interface Testbed {
  /** The prefix of every namespace and link name of this testbed. */
  readonly id: string
  readonly bridge: string
  /** e.g. "10.123.45.0/24". */
  readonly subnet: string
  /** The bridge's address in the root namespace (.1), which the hosts reach directly. */
  readonly rootAddress: string
  readonly hosts: ReadonlyArray<TestbedHost>
  /** Host `n`, counting from 1; throws when there is none. */
  host(index: number): TestbedHost
  /** Kills what runs in the namespaces and deletes namespaces, veths and bridge; safe to call twice. */
  destroy(): Promise<void>
}

export interface TestbedOptions {
  readonly hosts: number
}

const HOST_INTERFACE = "eth0"
let serial = 0

const runInNamespace = (
  namespace: string,
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", namespace, command, ...args], { stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timeoutMs = options.timeoutMs ?? 30_000
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${command} ${args.join(" ")} in ${namespace} ran over ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
    child.stdin.on("error", () => {}) // the command may exit without reading its input
    child.stdin.end(options.input ?? "")
  })

/** 10.x.y.0/24 networks already in use here, as "10.x.y". */
const networksInUse = (): Set<string> => {
  const listing = runCommandSync("ip", ["-4", "-o", "addr", "show"]) + runCommandSync("ip", ["-4", "route", "show"])
  return new Set([...listing.matchAll(/\b10\.(\d+)\.(\d+)\.\d+/g)].map((match) => `10.${match[1]}.${match[2]}`))
}

/** A free 10.x.y.0/24, x in 100..199, starting from a point that differs between processes and testbeds. */
const pickNetwork = (pid: number, serialNumber: number): string => {
  const inUse = networksInUse()
  const size = 100 * 256
  const start = (pid * 7919 + serialNumber * 104_729) % size
  for (let step = 0; step < size; step += 1) {
    const slot = (start + step) % size
    const network = `10.${100 + Math.floor(slot / 256)}.${slot % 256}`
    if (!inUse.has(network)) return network
  }
  throw new Error("no free 10.x.y.0/24 network for a testbed")
}

const ignoreGone = (error: unknown) => {
  if (!isAlreadyGone(error)) throw error
}

const buildHost = async (names: TestbedNames, network: string, index: number): Promise<void> => {
  const namespace = names.namespace(index)
  const rootVeth = names.rootVeth(index)
  const inside = (...args: Array<string>) => runCommand("ip", ["-n", namespace, ...args])
  await runCommand("ip", ["netns", "add", namespace])
  await runCommand("ip", ["link", "add", rootVeth, "type", "veth", "peer", "name", HOST_INTERFACE, "netns", namespace])
  await runCommand("ip", ["link", "set", rootVeth, "master", names.bridge, "up"])
  await inside("link", "set", "lo", "up")
  await inside("addr", "add", `${network}.${10 + index}/24`, "dev", HOST_INTERFACE)
  await inside("link", "set", HOST_INTERFACE, "up")
  // Multicast (mDNS discovery) needs a route; it stays on the bridge since nothing forwards it further.
  await inside("route", "add", "224.0.0.0/4", "dev", HOST_INTERFACE)
}

const makeHost = (names: TestbedNames, network: string, index: number): TestbedHost => {
  const name = names.namespace(index)
  return {
    name,
    index,
    address: `${network}.${10 + index}`,
    interfaceName: HOST_INTERFACE,
    rootInterface: names.rootVeth(index),
    exec: (command, args = [], options = {}) => spawn("ip", ["netns", "exec", name, command, ...args], options),
    run: (command, args = [], options = {}) => runInNamespace(name, command, args, options)
  }
}

export const createTestbed = async (options: TestbedOptions): Promise<Testbed> => {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > MAX_HOSTS) {
    throw new RangeError(`hosts must be an integer in 1..${MAX_HOSTS}, got ${options.hosts}`)
  }
  serial += 1
  const names = testbedNames(process.pid, serial)
  const indices = Array.from({ length: options.hosts }, (_, offset) => offset + 1)
  const links = [...indices.map(names.rootVeth), names.bridge]
  const namespaces = indices.map(names.namespace)
  // Registered before anything exists, so a crash halfway through building still cleans up.
  const forgetCleanup = cleanUpOnProcessEnd(() => deleteResourcesSync({ links, namespaces }))
  let destroyed = false
  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    for (const namespace of namespaces) killNamespaceProcesses(namespace)
    for (const link of links) await runCommand("ip", ["link", "del", link]).catch(ignoreGone)
    for (const namespace of namespaces) await runCommand("ip", ["netns", "del", namespace]).catch(ignoreGone)
    forgetCleanup()
  }

  const network = pickNetwork(process.pid, serial)
  try {
    await runCommand("ip", ["link", "add", names.bridge, "type", "bridge", "forward_delay", "0"])
    await runCommand("ip", ["addr", "add", `${network}.1/24`, "dev", names.bridge])
    await runCommand("ip", ["link", "set", names.bridge, "up"])
    await Promise.all(indices.map((index) => buildHost(names, network, index)))
  } catch (error) {
    await destroy().catch(() => {})
    throw error
  }
  const hosts = indices.map((index) => makeHost(names, network, index))
  return {
    id: names.id,
    bridge: names.bridge,
    subnet: `${network}.0/24`,
    rootAddress: `${network}.1`,
    hosts,
    host: (index) => {
      const host = hosts[index - 1]
      if (host === undefined) throw new RangeError(`testbed ${names.id} has no host ${index}`)
      return host
    },
    destroy
  }
}

export interface BandwidthCapOptions {
  /** "up": what the host sends; "down": what it receives; default "both". */
  readonly direction?: "up" | "down" | "both"
  /** How long a packet may queue before tbf drops it; default 100. */
  readonly latencyMs?: number
}

const tbfArguments = (bytesPerSecond: number, latencyMs: number) => [
  "root",
  "tbf",
  "rate",
  `${Math.round(bytesPerSecond * 8)}bit`,
  // 20 ms worth of tokens, at least two full frames, so shaping is tight without starving a single packet.
  "burst",
  String(Math.max(3028, Math.ceil(bytesPerSecond / 50))),
  "latency",
  `${latencyMs}ms`
]

/** Caps a host's link with tc tbf: upload on its own veth end, download on the root end. */
export const capBandwidth = async (
  host: TestbedHost,
  bytesPerSecond: number,
  options: BandwidthCapOptions = {}
): Promise<void> => {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    throw new RangeError(`bytesPerSecond must be > 0, got ${bytesPerSecond}`)
  }
  const direction = options.direction ?? "both"
  const tbf = tbfArguments(bytesPerSecond, options.latencyMs ?? 100)
  if (direction !== "down") {
    await runCommand("tc", ["-n", host.name, "qdisc", "replace", "dev", host.interfaceName, ...tbf])
  }
  if (direction !== "up") await runCommand("tc", ["qdisc", "replace", "dev", host.rootInterface, ...tbf])
}

export const removeBandwidthCap = async (host: TestbedHost): Promise<void> => {
  const ignoreMissing = (error: unknown) => {
    if (!(error instanceof TestbedCommandError && /no such|invalid handle|cannot find/i.test(error.stderr))) throw error
  }
  await runCommand("tc", ["-n", host.name, "qdisc", "del", "dev", host.interfaceName, "root"]).catch(ignoreMissing)
  await runCommand("tc", ["qdisc", "del", "dev", host.rootInterface, "root"]).catch(ignoreMissing)
}

/** The namespaces and links of testbeds on this machine: all of them, or those of one testbed id. */
export const listTestbedResources = (id?: string): TestbedResources =>
  listResources((name) => ownerPid(name) !== undefined && (id === undefined || new RegExp(`^${id}[a-z]`).test(name)))

/** Deletes namespaces and links left by earlier runs whose process is gone; returns their names. */
export const sweepStaleTestbeds = (): Array<string> => {
  const stale = listResources((name) => {
    const pid = ownerPid(name)
    return pid !== undefined && !processAlive(pid)
  })
  deleteResourcesSync(stale)
  return [...stale.links, ...stale.namespaces]
}

export type NetnsAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string }

let availability: NetnsAvailability | undefined

/** Whether this process may build testbeds: tries a throwaway namespace, veth pair and bridge. Cached. */
export const netnsAvailable = (): NetnsAvailability => {
  if (availability !== undefined) return availability
  serial += 1
  const names = testbedNames(process.pid, serial)
  const namespace = `${names.id}probe`
  try {
    runCommandSync("ip", ["netns", "add", namespace])
    runCommandSync("ip", ["link", "add", names.bridge, "type", "bridge"])
    runCommandSync("ip", ["link", "add", names.rootVeth(1), "type", "veth", "peer", "name", "eth0", "netns", namespace])
    availability = { ok: true }
  } catch (error) {
    const detail = error instanceof TestbedCommandError ? error.message : String(error)
    const missing = (error as { cause?: NodeJS.ErrnoException }).cause?.code === "ENOENT"
    availability = { ok: false, reason: missing ? "iproute2 (`ip`) is not installed" : `ip netns refused: ${detail}` }
  } finally {
    deleteResourcesSync({ links: [names.rootVeth(1), names.bridge], namespaces: [namespace] })
  }
  return availability
}
