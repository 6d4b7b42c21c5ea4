// One node-llama-cpp runtime per test file, and scoped helpers the model-backed tests share.
import { Effect, ManagedRuntime, type Scope } from "effect"
import { afterAll } from "vitest"
import { type ExpertNodeOptions, startExpertNode } from "../../experts/expert-node.ts"
import { type Inference, InferenceLive } from "../../experts/inference/service.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { startP2PNode } from "../../runtime/p2p/node.ts"

/** A runner for scoped effects that need Inference; the runtime is disposed after the file's tests. */
export const inferenceRunner = () => {
  const runtime = ManagedRuntime.make(InferenceLive)
  afterAll(() => runtime.dispose())
  return {
    run: <A, E>(effect: Effect.Effect<A, E, Inference | Scope.Scope>) => runtime.runPromise(Effect.scoped(effect)),
    runExit: <A, E>(effect: Effect.Effect<A, E, Inference | Scope.Scope>) =>
      runtime.runPromiseExit(Effect.scoped(effect))
  }
}

/** An expert in this process with a fresh identity, stopped with the scope. */
export const startTestExpert = (options: Omit<ExpertNodeOptions, "identity">) =>
  Effect.flatMap(
    Effect.promise(() => newIdentity()),
    (identity) => startExpertNode({ ...options, identity })
  )

/** A dial-only libp2p node for talking to experts directly, stopped with the scope. */
export const dialer = Effect.acquireRelease(
  Effect.promise(async () => startP2PNode({ role: "router", identity: await newIdentity(), listen: [] })),
  (node) => Effect.promise(() => node.stop())
)
