// mesh task list | show ID: the recorded tasks, from a running gateway's admin API or from the store on disk.
import { Effect } from "effect"
import type { TaskResult } from "../../control/messages.ts"
import { taskResult } from "../../control/service.ts"
import type { TaskRecord } from "../../safety/records.ts"
import { TASK_PREFIX } from "../../safety/records.ts"
import { makeStore } from "../../store/store.ts"
import { resolveDataDir, taskStorePath } from "../data-dir.ts"
import { booleanFlag, integerFlag, parseFlags, stringFlag } from "./flags.ts"
import { accessFlags, accessHelp, adminAccess, adminCall } from "./task-access.ts"
import { formatTask, formatTaskList } from "./task-output.ts"
import { UsageError } from "./usage-error.ts"

export const taskListHelp = `mesh task list [--gateway URL | --data DIR] [--limit N] [--json]

The tasks the mesh wrote and what became of them (newest first): prompt, experts, action, tier, decision, result.

${accessHelp}
  --data DIR            read the store directly (default $MESH_DATA or ~/.mesh/data; only while no node holds it)
  --limit N             (default 20, at most 1000)
`

export const taskShowHelp = `mesh task show ID [--gateway URL | --data DIR] [--json]

Every field of one task's record.

${accessHelp}
  --data DIR            read the store directly (default $MESH_DATA or ~/.mesh/data)
`

const flagSpec = { ...accessFlags, data: { type: "string" }, limit: { type: "string" } } as const

const readStore = <A>(
  dataDir: string,
  read: (store: Effect.Effect.Success<ReturnType<typeof makeStore>>) => Effect.Effect<A, unknown>
) => Effect.scoped(Effect.flatMap(makeStore(taskStorePath(dataDir)), read))

export const taskList = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const command = "task list"
    const { flags, access, limit } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(command, args, flagSpec, false)
        return {
          flags,
          access: adminAccess(command, flags),
          limit: integerFlag(command, flags, "limit", { min: 1, max: 1000 }) ?? 20
        }
      },
      catch: (error) => error as UsageError
    })
    const tasks: ReadonlyArray<TaskResult> =
      access !== undefined
        ? ((yield* adminCall(access, `/admin/tasks?limit=${limit}`)) as { tasks: TaskResult[] }).tasks
        : yield* readStore(resolveDataDir(stringFlag(flags, "data")), (store) =>
            Effect.map(store.list({ prefix: TASK_PREFIX, limit, reverse: true }), (entries) =>
              entries.map(([, value]) => taskResult(value as TaskRecord))
            )
          )
    process.stdout.write(`${booleanFlag(flags, "json") ? JSON.stringify(tasks) : formatTaskList(tasks)}\n`)
  })

export const taskShow = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const command = "task show"
    const { flags, access, id } = yield* Effect.try({
      try: () => {
        const flags = parseFlags(command, args, flagSpec, true)
        const id = flags.positionals[0]
        if (flags.positionals.length !== 1 || id === undefined) {
          throw new UsageError({ message: `${command}: give one task id (see mesh task list)` })
        }
        if (!/^[0-9]{14}-[0-9]{6}$/.test(id)) {
          throw new UsageError({ message: `${command}: ${id} is not a task id (they look like 00017000000000-000001)` })
        }
        return { flags, access: adminAccess(command, flags), id }
      },
      catch: (error) => error as UsageError
    })
    const found =
      access !== undefined
        ? ((yield* adminCall(access, `/admin/tasks/${id}`)) as TaskResult & { record: TaskRecord })
        : yield* readStore(resolveDataDir(stringFlag(flags, "data")), (store) =>
            Effect.map(store.get(`${TASK_PREFIX}${id}`), (value) =>
              value === undefined ? undefined : { ...taskResult(value as TaskRecord), record: value as TaskRecord }
            )
          )
    if (found === undefined) return yield* Effect.fail(new Error(`no task ${id} in the store`))
    const { record, ...task } = found
    process.stdout.write(
      `${booleanFlag(flags, "json") ? JSON.stringify(record) : formatTask(task, record as unknown as Record<string, unknown>)}\n`
    )
  })
