// The `mesh` command line: one binary, a subcommand per role. Command modules load on demand, so `--help` and usage
// errors answer without loading node-llama-cpp or libp2p.
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { UsageError } from "./usage-error.ts"

const overview = `mesh: free LLM inference from donated machines, a mesh of experts mixed token by token.

Usage:
  mesh bootstrap start [--listen MULTIADDR] [--identity FILE]         run a well-known peer: DHT, relay, gossip
  mesh expert start --model F.gguf --bootstrap ADDR [--listen MULTIADDR] [--topk 16]
                                                                      serve a model to the swarm
  mesh generate --bootstrap ADDR [--k 2] [--temperature T] [--seed S] [--max-tokens N] "prompt"
  mesh generate --experts A,B,C ...                                   the same with a fixed list of experts
  mesh gateway start --bootstrap ADDR [--port 8080]                   the OpenAI-compatible API with per-IP fair use
  mesh status --bootstrap ADDR                                        the swarm: families, experts, latency, load
  mesh chain start [--port 8545]                                      the embedded chain with governance deployed
  mesh gov status | propose | vote | queue | execute | cancel | halt  governance and the kill switch (viem)
  mesh gov advance | pass                                             embedded chain: mine blocks, pass a proposal
  mesh task submit "text" --gateway URL [--max-tier T]               an operator's task, written and gated by the mesh
  mesh task list | show ID [--gateway URL | --data DIR]               the tasks the mesh wrote and what became of them
  mesh demo [--models DIR]                                            a local swarm writes a story (npm start)

mesh COMMAND --help shows a command's options.
`

interface Command {
  readonly load: () => Promise<{
    readonly help: string
    readonly run: (args: ReadonlyArray<string>) => Effect.Effect<unknown, unknown>
  }>
}

const commands: Record<string, Command> = {
  "expert start": {
    load: async () => {
      const { expertStart, expertStartHelp } = await import("./expert-start.ts")
      const { withInference } = await import("./with-inference.ts")
      return { help: expertStartHelp, run: (args) => withInference(expertStart(args)) }
    }
  },
  generate: {
    load: async () => {
      const { generateCommand, generateHelp } = await import("./generate.ts")
      const { withInference } = await import("./with-inference.ts")
      return { help: generateHelp, run: (args) => withInference(generateCommand(args)) }
    }
  },
  "bootstrap start": {
    load: async () => {
      const { bootstrapStart, bootstrapStartHelp } = await import("./bootstrap-start.ts")
      return { help: bootstrapStartHelp, run: (args) => Effect.scoped(bootstrapStart(args)) }
    }
  },
  "gateway start": {
    load: async () => {
      const { gatewayStart, gatewayStartHelp } = await import("./gateway-start.ts")
      const { withInference } = await import("./with-inference.ts")
      return { help: gatewayStartHelp, run: (args) => withInference(gatewayStart(args)) }
    }
  },
  status: {
    load: async () => {
      const { statusCommand, statusHelp } = await import("./status.ts")
      const { withInference } = await import("./with-inference.ts")
      return { help: statusHelp, run: (args) => withInference(statusCommand(args)) }
    }
  },
  "chain start": {
    load: async () => {
      const { chainStart, chainStartHelp } = await import("./chain-start.ts")
      return { help: chainStartHelp, run: (args) => Effect.scoped(chainStart(args)) }
    }
  },
  ...Object.fromEntries(
    (["status", "propose", "vote", "queue", "execute", "cancel", "halt", "advance", "pass"] as const).map((name) => [
      `gov ${name}`,
      {
        load: async () => {
          const gov = await import("./gov-commands.ts")
          const key = `gov${name[0]!.toUpperCase()}${name.slice(1)}` as `gov${Capitalize<typeof name>}`
          return { help: gov[`${key}Help`], run: gov[key] }
        }
      }
    ])
  ),
  "task submit": {
    load: async () => {
      const { taskSubmit, taskSubmitHelp } = await import("./task-submit.ts")
      return { help: taskSubmitHelp, run: (args) => Effect.scoped(taskSubmit(args)) }
    }
  },
  "task list": {
    load: async () => {
      const { taskList, taskListHelp } = await import("./task-list.ts")
      return { help: taskListHelp, run: taskList }
    }
  },
  "task show": {
    load: async () => {
      const { taskShow, taskShowHelp } = await import("./task-list.ts")
      return { help: taskShowHelp, run: taskShow }
    }
  },
  demo: {
    load: async () => {
      const { demoCommand, demoHelp } = await import("./demo.ts")
      const { withInference } = await import("./with-inference.ts")
      return { help: demoHelp, run: (args) => withInference(demoCommand(args)) }
    }
  }
}

const route = (argv: ReadonlyArray<string>): Effect.Effect<unknown, unknown> => {
  const [first, second] = argv
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    return Effect.sync(() => process.stdout.write(overview))
  }
  const twoWord = `${first} ${second}`
  const name = commands[twoWord] === undefined ? first : twoWord
  const command = commands[name]
  if (command === undefined) {
    return Effect.fail(new UsageError({ message: `unknown command "${argv.slice(0, 2).join(" ")}". Run: mesh --help` }))
  }
  const args = argv.slice(name.split(" ").length)
  return Effect.flatMap(
    Effect.promise(() => command.load()),
    (loaded) =>
      args.includes("--help") || args.includes("-h")
        ? Effect.sync(() => process.stdout.write(loaded.help))
        : loaded.run(args)
  )
}

/** Prints a failure as one clear line (no stack trace for expected errors) and sets the exit status. */
const report = (exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return
  const error = Option.getOrElse(Cause.failureOption(exit.cause), () => Cause.squash(exit.cause))
  const message =
    typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
  process.stderr.write(`mesh: ${message}\n`)
  process.exitCode = error instanceof UsageError ? 2 : 1
}

// SIGINT / SIGTERM interrupt the command, so every scope closes (sessions, models, libp2p nodes) before exit.
const fiber = Effect.runFork(route(process.argv.slice(2)))
const interrupt = () => {
  Effect.runFork(Fiber.interrupt(fiber))
}
process.once("SIGINT", interrupt)
process.once("SIGTERM", interrupt)
fiber.addObserver((exit) => {
  process.removeListener("SIGINT", interrupt)
  process.removeListener("SIGTERM", interrupt)
  report(exit)
})
