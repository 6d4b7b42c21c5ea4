import { Data } from "effect"

/** The mesh is halted (by governance or by an operator): nothing starts, and what runs stops within one step. */
export class HaltedError extends Data.TaggedError("HaltedError")<{ readonly message: string }> {}

/** Writing a task failed: no experts, an expert failed, or the output broke the grammar (a bug, never expected). */
export class TaskWriteError extends Data.TaggedError("TaskWriteError")<{
  readonly message: string
  readonly cause?: unknown
}> {}
