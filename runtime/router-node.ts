// A router: a dial-only libp2p node, the experts' manifests checked for one tokenizer, and that tokenizer loaded.
import { Effect } from "effect"
import { Inference } from "../experts/inference/service.ts"
import type { Tokenizer } from "../experts/inference/tokenizer.ts"
import { ExpertError, TokenizerMismatchError, TokenizerNotFoundError } from "../router/errors.ts"
import type { Dial } from "../router/expert-client.ts"
import { type GenerationEvent, type GenerationRequest, generate } from "../router/generation.ts"
import { commonTokenizer, connectExperts, type ExpertHandle } from "../router/swarm.ts"
import { findTokenizerFile } from "../router/tokenizer-lookup.ts"
import { acquireP2PNode } from "./p2p/node.ts"

export interface RouterNode {
  readonly experts: ReadonlyArray<ExpertHandle>
  readonly tokenizer: Tokenizer
  readonly dial: Dial
  readonly generate: (request: GenerationRequest) => AsyncGenerator<GenerationEvent>
}

const routerFailure = (cause: unknown) =>
  cause instanceof ExpertError || cause instanceof TokenizerMismatchError || cause instanceof TokenizerNotFoundError
    ? cause
    : new ExpertError({ address: "", code: "INTERNAL", message: String(cause) })

export const startRouterNode = (addresses: ReadonlyArray<string>, modelsDir: string) =>
  Effect.gen(function* () {
    const inference = yield* Inference
    const node = yield* acquireP2PNode({ listen: [] })
    const dial: Dial = node.dial
    const experts = yield* Effect.tryPromise({ try: () => connectExperts(dial, addresses), catch: routerFailure })
    const tokenizerHash = yield* Effect.try({ try: () => commonTokenizer(experts), catch: routerFailure })
    const tokenizerOf = (path: string) => Effect.runPromise(inference.inspect(path, { sha256: false }))
    const expertModels = experts.map((expert) => expert.manifest.modelName)
    const tokenizerPath = yield* Effect.tryPromise({
      try: () => findTokenizerFile(modelsDir, tokenizerHash, expertModels, tokenizerOf),
      catch: routerFailure
    })
    const tokenizer = yield* inference.loadTokenizer(tokenizerPath)
    const router: RouterNode = {
      experts,
      tokenizer,
      dial,
      generate: (request) => generate(dial, tokenizer, experts, request)
    }
    return router
  })
