// A running expert: one model, one libp2p node, serving /mesh/expert/1.0.0 until its scope closes.
import { Effect } from "effect"
import { EXPERT_PROTOCOL, type ExpertManifest } from "../proto/messages.ts"
import { acquireP2PNode } from "../runtime/p2p/node.ts"
import { Inference } from "./inference/service.ts"
import { DEFAULT_MAX_TOP_K, manifestOf } from "./manifest.ts"
import { createExpertServer } from "./server.ts"

export interface ExpertNodeOptions {
  readonly modelPath: string
  /** Multiaddrs to listen on. Default: an ephemeral TCP port on loopback. */
  readonly listen?: ReadonlyArray<string>
  readonly threads?: number
  readonly contextSize?: number
  readonly maxSessions?: number
  readonly maxTopK?: number
  readonly idleTimeoutMs?: number
}

export interface ExpertNode {
  readonly peerId: string
  readonly multiaddrs: ReadonlyArray<string>
  readonly manifest: ExpertManifest
  readonly openSessions: () => number
}

export const startExpertNode = (options: ExpertNodeOptions) =>
  Effect.gen(function* () {
    const inference = yield* Inference
    const model = yield* inference.loadExpert(options.modelPath, {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.contextSize === undefined ? {} : { contextSize: options.contextSize }),
      ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions })
    })
    const manifest = manifestOf(model, options.maxTopK ?? DEFAULT_MAX_TOP_K)
    const server = createExpertServer(model, manifest, {
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs })
    })
    const node = yield* acquireP2PNode({ listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"] })
    // Closed before the node stops (finalizers run in reverse), so sessions end with a reset, not a hang.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAll()))
    yield* Effect.promise(() =>
      node.handle(EXPERT_PROTOCOL, (stream) => server.handleStream(stream), {
        // Each session is one stream; a router may hold several sessions on one connection.
        maxInboundStreams: model.maxSessions * 2 + 8
      })
    )
    const expert: ExpertNode = {
      peerId: node.peerId,
      multiaddrs: node.multiaddrs(),
      manifest,
      openSessions: server.openSessions
    }
    return expert
  })
