// The Inference service: the one door to node-llama-cpp. Nothing outside experts/inference imports the library.
import { Context, Effect, Layer, type Scope } from "effect"
import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp"
import { ModelFileError, ModelLoadError } from "../errors.ts"
import { type ExpertModel, type ExpertModelOptions, loadExpertModel } from "./expert-model.ts"
import { generateGreedyLocally, type LocalGeneration } from "./local-generation.ts"
import { type InspectOptions, inspectModelFile, type ModelInfo } from "./model-file.ts"
import { loadTokenizer, type Tokenizer, type TokenizerOptions } from "./tokenizer.ts"

export class Inference extends Context.Tag("mesh/Inference")<
  Inference,
  {
    /** Reads a GGUF header: identity, tokenizer hash, size. */
    readonly inspect: (path: string, options?: InspectOptions) => Effect.Effect<ModelInfo, ModelFileError>
    /** Loads a model for serving sessions, disposed with the scope. */
    readonly loadExpert: (
      path: string,
      options?: ExpertModelOptions
    ) => Effect.Effect<ExpertModel, ModelFileError | ModelLoadError, Scope.Scope>
    /** Loads a tokenizer only (vocab-only model), disposed with the scope. */
    readonly loadTokenizer: (
      path: string,
      options?: TokenizerOptions
    ) => Effect.Effect<Tokenizer, ModelFileError | ModelLoadError, Scope.Scope>
    /** node-llama-cpp's own greedy generation: the reference and the benchmark baseline. */
    readonly generateLocally: (
      path: string,
      prompt: ReadonlyArray<number>,
      maxTokens: number
    ) => Effect.Effect<LocalGeneration, ModelFileError | ModelLoadError>
  }
>() {}

const asModelFileError = (path: string) => (cause: unknown) =>
  cause instanceof ModelFileError
    ? cause
    : new ModelFileError({ path, reason: "Unreadable", message: `cannot read ${path}: ${String(cause)}` })

const asLoadError = (path: string) => (cause: unknown) =>
  cause instanceof ModelLoadError ? cause : new ModelLoadError({ path, message: String(cause), cause })

/** CPU only, and never build from source: a missing prebuilt binary fails fast instead of compiling. */
const acquireLlama = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error }),
    catch: (cause) =>
      new ModelLoadError({ path: "", message: `node-llama-cpp failed to start: ${String(cause)}`, cause })
  }),
  (llama: Llama) => Effect.promise(() => llama.dispose())
)

export const InferenceLive = Layer.scoped(
  Inference,
  Effect.gen(function* () {
    const llama = yield* Effect.orDie(acquireLlama)
    const inspect = (path: string, options?: InspectOptions) =>
      Effect.tryPromise({ try: () => inspectModelFile(path, options), catch: asModelFileError(path) })
    return {
      inspect,
      loadExpert: (path, options) =>
        Effect.flatMap(inspect(path), (info) =>
          Effect.acquireRelease(
            Effect.tryPromise({ try: () => loadExpertModel(llama, info, options), catch: asLoadError(path) }),
            (model) => Effect.promise(() => model.dispose())
          )
        ),
      loadTokenizer: (path, options) =>
        // The header alone: a tokenizer needs no file hash.
        Effect.flatMap(inspect(path, { sha256: false }), (info) =>
          Effect.acquireRelease(
            Effect.tryPromise({ try: () => loadTokenizer(llama, info, options), catch: asLoadError(path) }),
            (tokenizer) => Effect.promise(() => tokenizer.dispose())
          )
        ),
      generateLocally: (path, prompt, maxTokens) =>
        Effect.flatMap(inspect(path), (info) =>
          Effect.tryPromise({
            try: () => generateGreedyLocally(llama, info, prompt, maxTokens),
            catch: asLoadError(path)
          })
        )
    }
  })
)
