// Finding and deleting testbed namespaces and links, synchronously: for teardown at process end and stale sweeps.
import { runCommandSync } from "./system-command.ts"

export interface TestbedResources {
  readonly namespaces: ReadonlyArray<string>
  /** Bridges and root-side veths. */
  readonly links: ReadonlyArray<string>
}

/** Every namespace and link on this machine whose name passes `keep`. */
export const listResources = (keep: (name: string) => boolean): TestbedResources => ({
  namespaces: runCommandSync("ip", ["netns", "list"])
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "" && keep(name)),
  links: runCommandSync("ip", ["-o", "link", "show"])
    .split("\n")
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? "")
    .filter((name) => name !== "" && keep(name))
})

const namespacePids = (namespace: string): Array<number> => {
  try {
    return runCommandSync("ip", ["netns", "pids", namespace]).split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** A namespace lives on while a process is inside it, veth and all, so its processes go first. */
export const killNamespaceProcesses = (namespace: string): void => {
  for (const pid of namespacePids(namespace)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

/** Deletes links, then namespaces, ignoring whatever is already gone. */
export const deleteResourcesSync = ({ links, namespaces }: TestbedResources): void => {
  for (const namespace of namespaces) killNamespaceProcesses(namespace)
  for (const link of links) {
    try {
      runCommandSync("ip", ["link", "del", link])
    } catch {
      // already gone
    }
  }
  for (const namespace of namespaces) {
    try {
      runCommandSync("ip", ["netns", "del", namespace])
    } catch {
      // already gone
    }
  }
}
