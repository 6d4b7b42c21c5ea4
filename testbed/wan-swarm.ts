// A swarm spread over real hosts: a bootstrap on host 1, experts on hosts 2.. each reachable only through a fault
// proxy in its own namespace (one-way delay = RTT / 2), and optionally experts behind NAT (no listen address at all,
// reached through the bootstrap's relay). The router runs in the calling process, in the root namespace.
import { type ExpertProcess, type MeshProcess, spawnBootstrap, spawnExpert } from "../runtime/expert-process.ts"
import { createTestbed, type Testbed, type TestbedHost } from "./netns.ts"
import { type ProxyProcess, spawnFaultProxy } from "./proxy-process.ts"

export interface WanSwarmOptions {
  /** One expert per entry: its model file and the round-trip time the router sees to it. */
  readonly experts: ReadonlyArray<{ readonly modelPath: string; readonly rttMs: number }>
  /** Experts with no listen address, one host each. */
  readonly natExperts?: ReadonlyArray<{ readonly modelPath: string }>
  readonly heartbeatMs: number
}

export interface WanExpert {
  readonly host: TestbedHost
  readonly process: ExpertProcess
  /** The proxy in front of it; undefined for an expert behind NAT. */
  readonly proxy: ProxyProcess | undefined
  readonly rttMs: number | undefined
}

export interface WanSwarm {
  readonly testbed: Testbed
  readonly bootstrap: MeshProcess
  readonly bootstrapAddress: string
  readonly experts: ReadonlyArray<WanExpert>
  readonly natExperts: ReadonlyArray<WanExpert>
  /** Sets every proxy's delay so the router sees `rttMs` to each expert. */
  readonly setRtt: (rttMs: number) => Promise<void>
  readonly destroy: () => Promise<void>
}

const EXPERT_PORT = 4001
const PROXY_PORT = 5001

const inNamespace = (host: TestbedHost) => ["ip", "netns", "exec", host.name]

export const startWanSwarm = async (options: WanSwarmOptions): Promise<WanSwarm> => {
  const natExperts = options.natExperts ?? []
  const testbed = await createTestbed({ hosts: 1 + options.experts.length + natExperts.length })
  const started: Array<{ stop: () => Promise<void> }> = []
  const destroy = async () => {
    await Promise.all(started.map((entry) => entry.stop().catch(() => undefined)))
    await testbed.destroy()
  }
  try {
    const bootstrapHost = testbed.host(1)
    const bootstrap = await spawnBootstrap(["--listen", `/ip4/${bootstrapHost.address}/tcp/4001`], {
      prefix: inNamespace(bootstrapHost)
    })
    started.push(bootstrap)
    const bootstrapAddress = bootstrap.multiaddrs[0]!
    const heartbeat = ["--bootstrap", bootstrapAddress, "--heartbeat", String(options.heartbeatMs)]

    const experts = await Promise.all(
      options.experts.map(async (expert, index): Promise<WanExpert> => {
        const host = testbed.host(2 + index)
        // The expert listens on the namespace's loopback only: the proxy is the one way in.
        const proxy = await spawnFaultProxy({
          namespace: host.name,
          listenHost: host.address,
          listenPort: PROXY_PORT,
          targetHost: "127.0.0.1",
          targetPort: EXPERT_PORT,
          faults: { delayMs: expert.rttMs / 2 }
        })
        started.push(proxy)
        const process = await spawnExpert(
          expert.modelPath,
          [
            "--listen",
            `/ip4/127.0.0.1/tcp/${EXPERT_PORT}`,
            "--announce",
            `/ip4/${host.address}/tcp/${PROXY_PORT}`,
            ...heartbeat
          ],
          { prefix: inNamespace(host), readyTimeoutMs: 60_000 }
        )
        started.push(process)
        return { host, process, proxy, rttMs: expert.rttMs }
      })
    )
    const nat = await Promise.all(
      natExperts.map(async (expert, index): Promise<WanExpert> => {
        const host = testbed.host(2 + options.experts.length + index)
        const process = await spawnExpert(expert.modelPath, ["--listen", "none", ...heartbeat], {
          prefix: inNamespace(host),
          readyTimeoutMs: 60_000
        })
        started.push(process)
        return { host, process, proxy: undefined, rttMs: undefined }
      })
    )
    return {
      testbed,
      bootstrap,
      bootstrapAddress,
      experts,
      natExperts: nat,
      setRtt: async (rttMs) => {
        await Promise.all(experts.map((expert) => expert.proxy?.setFaults({ delayMs: rttMs / 2 })))
      },
      destroy
    }
  } catch (cause) {
    await destroy()
    throw cause
  }
}
