// Runs `ip` and `tc` for the testbed: async while building, sync where it must be (exit handler, probes).
import { execFile, execFileSync } from "node:child_process"

export class TestbedCommandError extends Error {
  override readonly name = "TestbedCommandError"
  constructor(
    readonly command: string,
    readonly stderr: string,
    options?: ErrorOptions
  ) {
    super(`${command} failed: ${stderr.trim() || "no output"}`, options)
  }
}

const describe = (file: string, args: ReadonlyArray<string>) => [file, ...args].join(" ")

const stderrOf = (error: unknown): string => {
  const stderr = (error as { stderr?: unknown }).stderr
  if (typeof stderr === "string" && stderr !== "") return stderr
  if (Buffer.isBuffer(stderr) && stderr.length > 0) return stderr.toString()
  return error instanceof Error ? error.message : String(error)
}

export const runCommand = (file: string, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: "utf8", timeout: 10_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new TestbedCommandError(describe(file, args), stderr || error.message, { cause: error }))
    })
  })

export const runCommandSync = (file: string, args: ReadonlyArray<string>): string => {
  try {
    return execFileSync(file, [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 })
  } catch (error) {
    throw new TestbedCommandError(describe(file, args), stderrOf(error), { cause: error })
  }
}

/** Teardown tolerates what is already gone, so it can run twice or after a half-built testbed. */
export const isAlreadyGone = (error: unknown): boolean =>
  error instanceof TestbedCommandError && /cannot find|does not exist|no such|not found/i.test(error.stderr)
