// mesh roles in their own processes (`mesh ... start --json`), as donors and operators run them; used by the demo,
// tests and benchmarks.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Data, Effect } from "effect"
import type { ExpertManifest } from "../proto/messages.ts"
import { PROJECT_ROOT } from "./models-dir.ts"

export class ExpertProcessError extends Data.TaggedError("ExpertProcessError")<{ readonly message: string }> {}

export interface MeshProcess {
  readonly pid: number
  readonly peerId: string
  readonly multiaddrs: ReadonlyArray<string>
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
  readonly child: ChildProcess
}

export interface ExpertProcess extends MeshProcess {
  readonly manifest: ExpertManifest
}

export const MESH_BIN = join(PROJECT_ROOT, "bin/mesh.js")

interface ListeningLine {
  readonly event: "listening"
  readonly peerId: string
  readonly multiaddrs: string[]
  readonly manifest?: ExpertManifest
}

/**
 * Starts `mesh ARGS` and resolves with its {"event":"listening"} line. `prefix` runs it through another command
 * first (e.g. `ip netns exec NAME`).
 */
export const spawnMeshProcess = (
  args: ReadonlyArray<string>,
  options: { readonly readyTimeoutMs?: number; readonly prefix?: ReadonlyArray<string> } = {}
): Promise<MeshProcess & { readonly line: ListeningLine }> =>
  new Promise((resolve, reject) => {
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000
    const [command, ...commandArgs] = [...(options.prefix ?? []), process.execPath, MESH_BIN, ...args]
    const child = spawn(command!, commandArgs, { stdio: ["ignore", "pipe", "pipe"] })
    const what = `mesh ${args.slice(0, 2).join(" ")}`
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    const stop = async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
      await exited
      clearTimeout(timer)
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new ExpertProcessError({ message: `${what} did not start within ${readyTimeoutMs} ms: ${stderr.trim()}` }))
    }, readyTimeoutMs)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(
        new ExpertProcessError({
          message: `${what} exited (${code ?? signal}) before serving: ${stderr.trim() || "no output"}`
        })
      )
    })
    const lines = createInterface({ input: child.stdout })
    lines.on("line", (text) => {
      let line: ListeningLine
      try {
        line = JSON.parse(text)
      } catch {
        return
      }
      if (line.event !== "listening" || line.multiaddrs === undefined) return
      clearTimeout(timer)
      lines.close()
      child.stdout.resume()
      resolve({ pid: child.pid ?? -1, peerId: line.peerId, multiaddrs: line.multiaddrs, stop, child, line })
    })
  })

export const spawnExpert = async (
  modelPath: string,
  extraArgs: ReadonlyArray<string> = [],
  options: { readonly readyTimeoutMs?: number; readonly prefix?: ReadonlyArray<string> } = {}
): Promise<ExpertProcess> => {
  const started = await spawnMeshProcess(["expert", "start", "--model", modelPath, "--json", ...extraArgs], options)
  if (started.line.manifest === undefined) {
    await started.stop()
    throw new ExpertProcessError({ message: `expert ${modelPath} printed no manifest` })
  }
  return { ...started, manifest: started.line.manifest }
}

export const spawnBootstrap = (
  extraArgs: ReadonlyArray<string> = ["--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0/ws"],
  options: { readonly readyTimeoutMs?: number; readonly prefix?: ReadonlyArray<string> } = {}
): Promise<MeshProcess> => spawnMeshProcess(["bootstrap", "start", "--json", ...extraArgs], options)

const acquire = <A extends MeshProcess>(start: () => Promise<A>) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: start,
      catch: (cause) =>
        cause instanceof ExpertProcessError ? cause : new ExpertProcessError({ message: String(cause) })
    }),
    (started) => Effect.promise(() => started.stop())
  )

/** An expert process that lives as long as the scope. */
export const acquireExpertProcess = (modelPath: string, extraArgs: ReadonlyArray<string> = []) =>
  acquire(() => spawnExpert(modelPath, extraArgs))

/** A bootstrap process that lives as long as the scope. */
export const acquireBootstrapProcess = (extraArgs?: ReadonlyArray<string>) => acquire(() => spawnBootstrap(extraArgs))
