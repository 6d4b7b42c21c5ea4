// The chaos suite's swarm: a bootstrap and N expert processes, each expert in its own network namespace behind a
// fault proxy (its only way in), with a kept identity so a killed expert comes back as the same peer. `inject` starts
// a planned fault and schedules its end; `settle` ends every fault still running and waits for the experts to serve.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ExpertProcess, type MeshProcess, spawnBootstrap, spawnExpert } from "../../runtime/expert-process.ts"
import { createTestbed, type Testbed, type TestbedHost } from "../netns.ts"
import { type ProxyProcess, spawnFaultProxy } from "../proxy-process.ts"
import type { PlannedFault } from "./plan.ts"

export interface ChaosSwarmOptions {
  readonly modelPath: string
  readonly experts: number
  readonly heartbeatMs: number
  /** Sessions each expert serves at once. */
  readonly sessions: number
}

export interface ChaosExpert {
  readonly index: number
  readonly host: TestbedHost
  readonly proxy: ProxyProcess
  readonly peerId: string
  /** The running process; undefined while the expert is down (killed or restarting). */
  process: ExpertProcess | undefined
}

export interface ChaosSwarm {
  readonly testbed: Testbed
  readonly bootstrap: MeshProcess
  readonly bootstrapAddress: string
  readonly experts: ReadonlyArray<ChaosExpert>
  /** Starts a fault now; its end (restart, SIGCONT, release) runs after its outage on its own. */
  readonly inject: (fault: PlannedFault) => Promise<void>
  /** Ends every fault in progress at once and waits until every expert process is running again. */
  readonly settle: () => Promise<void>
  readonly destroy: () => Promise<void>
}

const EXPERT_PORT = 4001
const PROXY_PORT = 5001

export const startChaosSwarm = async (options: ChaosSwarmOptions): Promise<ChaosSwarm> => {
  const testbed = await createTestbed({ hosts: 1 + options.experts })
  const identities = await mkdtemp(join(tmpdir(), "mesh-chaos-"))
  const proxies: ProxyProcess[] = []
  const experts: ChaosExpert[] = []
  let bootstrap: MeshProcess | undefined
  /** Fault endings not yet run: each ends its fault early when called with `now = true`. */
  const endings = new Set<(now: boolean) => Promise<void>>()
  const running = new Set<Promise<void>>()

  const destroy = async () => {
    for (const expert of experts) expert?.process?.child.kill("SIGCONT")
    await Promise.all(experts.map((expert) => expert?.process?.stop(1000).catch(() => undefined)))
    await Promise.all(proxies.map((proxy) => proxy.stop(1000).catch(() => undefined)))
    await bootstrap?.stop(1000).catch(() => undefined)
    await testbed.destroy()
    await rm(identities, { recursive: true, force: true })
  }

  try {
    const bootstrapHost = testbed.host(1)
    bootstrap = await spawnBootstrap(["--listen", `/ip4/${bootstrapHost.address}/tcp/4001`], {
      prefix: ["ip", "netns", "exec", bootstrapHost.name]
    })
    const bootstrapAddress = bootstrap.multiaddrs[0]!

    const startExpert = (index: number) => {
      const host = testbed.host(2 + index)
      return spawnExpert(
        options.modelPath,
        [
          // The expert listens on its namespace's loopback only: the proxy is the one way in.
          "--listen",
          `/ip4/127.0.0.1/tcp/${EXPERT_PORT}`,
          "--announce",
          `/ip4/${host.address}/tcp/${PROXY_PORT}`,
          "--bootstrap",
          bootstrapAddress,
          "--heartbeat",
          String(options.heartbeatMs),
          "--sessions",
          String(options.sessions),
          "--identity",
          join(identities, `expert-${index}.key`)
        ],
        { prefix: ["ip", "netns", "exec", host.name], readyTimeoutMs: 60_000 }
      )
    }

    await Promise.all(
      Array.from({ length: options.experts }, async (_, index) => {
        const host = testbed.host(2 + index)
        const proxy = await spawnFaultProxy({
          namespace: host.name,
          listenHost: host.address,
          listenPort: PROXY_PORT,
          targetHost: "127.0.0.1",
          targetPort: EXPERT_PORT
        })
        proxies.push(proxy)
        const process = await startExpert(index)
        experts[index] = { index, host, proxy, peerId: process.peerId, process }
      })
    )

    /** Runs `end` after `ms`, or at once when the swarm settles. */
    const later = (ms: number, end: () => Promise<void>) => {
      let done = false
      const finish = async () => {
        if (done) return
        done = true
        endings.delete(ending)
        await end()
      }
      const timer = setTimeout(() => {
        const work = finish()
        running.add(work)
        void work.finally(() => running.delete(work))
      }, ms)
      const ending = async (now: boolean) => {
        if (!now) return
        clearTimeout(timer)
        await finish()
      }
      endings.add(ending)
    }

    const restart = async (expert: ChaosExpert) => {
      const process = await startExpert(expert.index)
      if (process.peerId !== expert.peerId) throw new Error(`expert ${expert.index} came back as another peer`)
      expert.process = process
    }

    const inject = async (fault: PlannedFault) => {
      const expert = experts[fault.expert]!
      switch (fault.kind) {
        case "kill":
        case "restart": {
          const process = expert.process
          if (process === undefined) return
          expert.process = undefined
          if (fault.kind === "kill") {
            process.child.kill("SIGKILL")
            await process.stop(0)
          } else await process.stop(5000)
          later(fault.outageMs, () => restart(expert))
          return
        }
        case "freeze": {
          const process = expert.process
          if (process === undefined) return
          process.child.kill("SIGSTOP")
          later(fault.outageMs, async () => {
            process.child.kill("SIGCONT")
          })
          return
        }
        case "stall":
          await expert.proxy.pause()
          later(fault.outageMs, () => expert.proxy.resume())
          return
        case "reset":
          await expert.proxy.resetAll()
          return
        case "delay":
          await expert.proxy.setFaults({ delayMs: fault.delayMs })
          later(fault.outageMs, () => expert.proxy.setFaults({ delayMs: 0 }))
          return
      }
    }

    return {
      testbed,
      bootstrap,
      bootstrapAddress,
      experts,
      inject,
      settle: async () => {
        await Promise.all([...endings].map((end) => end(true)))
        await Promise.all([...running])
      },
      destroy
    }
  } catch (cause) {
    await destroy()
    throw cause
  }
}
