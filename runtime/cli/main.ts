// The `mesh` command line: one binary, a subcommand per role.
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Option } from "effect"
import { InferenceLive } from "../../experts/inference/service.ts"
import { demoCommand, demoHelp } from "./demo.ts"
import { expertStart, expertStartHelp } from "./expert-start.ts"
import { generateCommand, generateHelp } from "./generate.ts"
import { UsageError } from "./usage-error.ts"

const overview = `mesh: free LLM inference from donated machines, a mesh of experts mixed token by token.

Usage:
  mesh expert start --model F.gguf [--listen MULTIADDR] [--topk 16]   serve a model to the mesh
  mesh generate --experts A,B,C [--k 2] [--temperature T] [--seed S] [--max-tokens N] "prompt"
  mesh demo [--models DIR]                                            three local experts write a story (npm start)

mesh COMMAND --help shows a command's options.
`

const commands: Record<
  string,
  { readonly help: string; readonly run: (args: ReadonlyArray<string>) => Effect.Effect<unknown, unknown, never> }
> = {}

const withInference = <A, E>(
  effect: Effect.Effect<A, E, import("../../experts/inference/service.ts").Inference | import("effect").Scope.Scope>
) => Effect.scoped(effect).pipe(Effect.provide(InferenceLive))

commands["expert start"] = { help: expertStartHelp, run: (args) => withInference(expertStart(args)) }
commands.generate = { help: generateHelp, run: (args) => withInference(generateCommand(args)) }
commands.demo = { help: demoHelp, run: (args) => withInference(demoCommand(args)) }

const route = (argv: ReadonlyArray<string>): Effect.Effect<unknown, unknown> => {
  const [first, second] = argv
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    return Effect.sync(() => process.stdout.write(overview))
  }
  const twoWord = second === undefined ? undefined : commands[`${first} ${second}`]
  const name = twoWord === undefined ? first : `${first} ${second}`
  const command = twoWord ?? commands[first]
  if (command === undefined) {
    return Effect.fail(new UsageError({ message: `unknown command "${argv.slice(0, 2).join(" ")}". Run: mesh --help` }))
  }
  const args = argv.slice(name.split(" ").length)
  if (args.includes("--help") || args.includes("-h")) return Effect.sync(() => process.stdout.write(command.help))
  return command.run(args)
}

/** Prints a failure as one clear line (no stack trace for expected errors) and sets the exit status. */
const report = (exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit)) return
  if (Cause.isInterruptedOnly(exit.cause)) return
  const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
  const error = failure ?? Cause.squash(exit.cause)
  const message =
    error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
      ? String((error as { message: unknown }).message)
      : String(error)
  process.stderr.write(`mesh: ${message}\n`)
  process.exitCode = error instanceof UsageError ? 2 : 1
}

NodeRuntime.runMain(
  route(process.argv.slice(2)).pipe(
    Effect.exit,
    Effect.map((exit) => report(exit))
  ),
  { disableErrorReporting: true }
)
