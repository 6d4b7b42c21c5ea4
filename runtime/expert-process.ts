// An expert in its own process (`mesh expert start --json`), as a donor would run it; used by the demo, tests, benches.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Data, Effect } from "effect"
import type { ExpertManifest } from "../proto/messages.ts"
import { PROJECT_ROOT } from "./models-dir.ts"

export class ExpertProcessError extends Data.TaggedError("ExpertProcessError")<{ readonly message: string }> {}

export interface ExpertProcess {
  readonly pid: number
  readonly multiaddrs: ReadonlyArray<string>
  readonly manifest: ExpertManifest
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
  readonly child: ChildProcess
}

export const MESH_BIN = join(PROJECT_ROOT, "bin/mesh.js")

export const spawnExpert = (
  modelPath: string,
  extraArgs: ReadonlyArray<string> = [],
  readyTimeoutMs = 30_000
): Promise<ExpertProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MESH_BIN, "expert", "start", "--model", modelPath, "--json", ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"]
    })
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
      reject(new ExpertProcessError({ message: `expert ${modelPath} did not start within ${readyTimeoutMs} ms` }))
    }, readyTimeoutMs)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(
        new ExpertProcessError({
          message: `expert ${modelPath} exited (${code ?? signal}) before serving: ${stderr.trim() || "no output"}`
        })
      )
    })
    const lines = createInterface({ input: child.stdout })
    lines.on("line", (line) => {
      let event: { event?: string; multiaddrs?: string[]; manifest?: ExpertManifest }
      try {
        event = JSON.parse(line)
      } catch {
        return
      }
      if (event.event !== "listening" || event.multiaddrs === undefined || event.manifest === undefined) return
      clearTimeout(timer)
      lines.close()
      child.stdout.resume()
      resolve({ pid: child.pid ?? -1, multiaddrs: event.multiaddrs, manifest: event.manifest, stop, child })
    })
  })

/** An expert process that lives as long as the scope. */
export const acquireExpertProcess = (modelPath: string, extraArgs: ReadonlyArray<string> = []) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => spawnExpert(modelPath, extraArgs),
      catch: (cause) =>
        cause instanceof ExpertProcessError ? cause : new ExpertProcessError({ message: String(cause) })
    }),
    (expert) => Effect.promise(() => expert.stop())
  )
