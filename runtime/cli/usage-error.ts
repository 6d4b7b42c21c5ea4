import { Data } from "effect"

/** A command line that cannot run: unknown flag, bad value, missing argument. Exit status 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}
