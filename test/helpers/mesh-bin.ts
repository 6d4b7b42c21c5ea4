// Runs the real `mesh` command in a child process, as a user would.
import { spawn } from "node:child_process"
import { MESH_BIN } from "../../runtime/expert-process.ts"

export interface CommandResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const runMesh = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<CommandResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MESH_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`mesh ${args.join(" ")} ran over ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
