// A safety test's world: in-process experts on the real stories260K models, a router that knows them directly, a
// level store in a fresh folder, and an in-memory governance whose state the test sets.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { InferenceLive } from "../../experts/inference/service.ts"
import { Governance, GovernanceMemory, layerMemory } from "../../governance/service.ts"
import { type GovernanceState, initialGovernanceState } from "../../governance/state.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { type RouterNode, startRouterNode } from "../../runtime/router-node.ts"
import { type SafetyOptions, startSafety } from "../../safety/controller.ts"
import { layerLevel, Store } from "../../store/store.ts"
import { startTestExpert } from "../helpers/runtime.ts"

export const STORIES = ["stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"]

export interface SafetyWorldOptions {
  readonly models: ReadonlyArray<string>
  readonly governance?: GovernanceState
  readonly safety?: SafetyOptions
  /** Router options beyond the experts (a listening address for the control protocol). */
  readonly listen?: ReadonlyArray<string>
}

export const safetyWorld = async (options: SafetyWorldOptions) => {
  const dataDir = mkdtempSync(join(tmpdir(), "mesh-safety-"))
  const layer = Layer.mergeAll(
    InferenceLive,
    layerMemory(options.governance ?? initialGovernanceState),
    layerLevel(join(dataDir, "store"))
  )
  const runtime = ManagedRuntime.make(layer)
  const scope = await runtime.runPromise(Scope.make())
  const built = await runtime.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const experts = yield* Effect.forEach(options.models, (name) => startTestExpert({ modelPath: modelPath(name) }))
        const router: RouterNode = yield* startRouterNode({
          modelsDir: resolveModelsDir(),
          experts: experts.map((expert) => expert.multiaddrs()[0]!),
          ...(options.listen === undefined ? {} : { listen: options.listen })
        })
        const safety = yield* startSafety(router, options.safety)
        const memory = yield* GovernanceMemory
        const governance = yield* Governance
        const store = yield* Store
        return { experts, router, safety, memory, governance, store }
      }),
      scope
    )
  )
  return {
    ...built,
    runtime,
    run: <A, E>(effect: Effect.Effect<A, E, never>) => runtime.runPromise(effect),
    setGovernance: (update: (state: GovernanceState) => GovernanceState) =>
      runtime.runPromise(built.memory.set(update)),
    close: async () => {
      await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export type SafetyWorld = Awaited<ReturnType<typeof safetyWorld>>
