// Where a node keeps its level store (task records, proposals): --data DIR, else $MESH_DATA, else ~/.mesh/data.
import { homedir } from "node:os"
import { join, resolve } from "node:path"

export const resolveDataDir = (flag?: string): string => {
  const chosen = flag ?? process.env.MESH_DATA
  return chosen === undefined || chosen === "" ? join(homedir(), ".mesh", "data") : resolve(chosen)
}

/** The task store inside a data folder. */
export const taskStorePath = (dataDir: string): string => join(dataDir, "tasks")
