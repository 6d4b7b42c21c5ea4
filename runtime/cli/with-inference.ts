import { Effect, type Scope } from "effect"
import { type Inference, InferenceLive } from "../../experts/inference/service.ts"

/** Runs a command with node-llama-cpp available, releasing every scoped resource at the end. */
export const withInference = <A, E>(effect: Effect.Effect<A, E, Inference | Scope.Scope>) =>
  Effect.scoped(effect).pipe(Effect.provide(InferenceLive))
