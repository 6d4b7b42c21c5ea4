// mesh task submit "...": an operator's free-text task. The mesh's experts write it as a catalog action under the
// grammar, the gate decides by its tier (and --max-tier), and the record comes back.
import { Effect } from "effect"
import { callControl } from "../../control/client.ts"
import { checkTask } from "../../control/codec.ts"
import type { TaskResult } from "../../control/messages.ts"
import { loadOrCreateIdentity } from "../p2p/identity.ts"
import { acquireP2PNode } from "../p2p/node.ts"
import { booleanFlag, integerFlag, parseFlags, stringFlag, stringsFlag } from "./flags.ts"
import { accessFlags, accessHelp, adminAccess, adminCall } from "./task-access.ts"
import { formatTask } from "./task-output.ts"
import { UsageError } from "./usage-error.ts"

export const taskSubmitHelp = `mesh task submit "text" (--gateway URL | --control MULTIADDR --identity FILE) [options]

The experts turn the text into one catalog action (grammar-constrained); it runs if its tier is within what
governance allows now and within --max-tier, becomes a governance proposal if only governance stands in the way,
and is refused when the mesh is halted. Prints the task's record.

${accessHelp}
  --control MULTIADDR   or call /mesh/control/1.0.0 on this node (with /p2p/ id) ...
  --identity FILE       ... as the operator whose key is in FILE (its peer id must be on the node's --operator list)
  --max-tier T          refuse actions above tier T (0..3), whatever governance allows
  --type NAME           only these action types (repeatable): answer, report_status, evaluate_expert, set_k,
                        set_weight, ban_peer, set_rate_limit, propose_phase
`

export const taskSubmit = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const command = "task submit"
    const parsed = yield* Effect.try({
      try: () => {
        const flags = parseFlags(
          command,
          args,
          {
            ...accessFlags,
            control: { type: "string" },
            identity: { type: "string" },
            "max-tier": { type: "string" },
            type: { type: "string", multiple: true }
          },
          true
        )
        if (flags.positionals.length !== 1)
          throw new UsageError({ message: `${command}: give the task as one argument (quote it)` })
        const checked = checkTask(
          flags.positionals[0]!,
          integerFlag(command, flags, "max-tier", { min: 0, max: 3 }),
          stringsFlag(flags, "type").flatMap((entry) => entry.split(","))
        )
        if (!checked.ok) throw new UsageError({ message: `${command}: ${checked.reason}` })
        const access = adminAccess(command, flags)
        const control = stringFlag(flags, "control")
        const identity = stringFlag(flags, "identity")
        if ((access === undefined) === (control === undefined)) {
          throw new UsageError({ message: `${command}: give exactly one of --gateway URL or --control MULTIADDR` })
        }
        if (control !== undefined && (identity === undefined || !control.includes("/p2p/"))) {
          throw new UsageError({ message: `${command}: --control needs a multiaddr with /p2p/ and --identity FILE` })
        }
        return { flags, task: checked.value, access, control, identity }
      },
      catch: (error) => error as UsageError
    })
    const { task } = parsed
    let result: TaskResult
    if (parsed.access !== undefined) {
      result = (yield* adminCall(parsed.access, "/admin/tasks", {
        text: task.text,
        ...(task.maxTier === undefined ? {} : { max_tier: task.maxTier }),
        ...(task.types === undefined ? {} : { types: task.types })
      })) as TaskResult
    } else {
      const identity = yield* Effect.promise(() => loadOrCreateIdentity(parsed.identity!))
      const node = yield* acquireP2PNode({ role: "router", identity, listen: [] })
      const answer = yield* Effect.tryPromise({
        try: () => callControl(node.dial, parsed.control!, { _tag: "SubmitSelfTask", ...task }),
        catch: (cause) => cause as Error
      })
      if (answer._tag !== "TaskResult") return yield* Effect.fail(new Error(`the node answered ${answer._tag}`))
      result = answer.task
    }
    process.stdout.write(`${booleanFlag(parsed.flags, "json") ? JSON.stringify(result) : formatTask(result)}\n`)
  })
