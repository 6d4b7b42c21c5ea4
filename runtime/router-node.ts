// A router: a dial-only libp2p node that watches the swarm (gossip, DHT, pings), chooses K experts of a tokenizer
// family from its registry for each generation, and loads each family's tokenizer from the models folder.
import { Effect, Scope } from "effect"
import { createRandom } from "../aggregator/random.ts"
import { type SwarmWatcher, startSwarmWatcher } from "../discovery/watcher.ts"
import { Inference } from "../experts/inference/service.ts"
import type { Tokenizer } from "../experts/inference/tokenizer.ts"
import type { GovernanceConfig, NodeGovernance } from "../governance/live.ts"
import { createBans } from "../router/bans.ts"
import { createRouterControls, type RouterControls } from "../router/controls.ts"
import { ExpertError, GenerationRequestError, TokenizerNotFoundError } from "../router/errors.ts"
import type { Dial } from "../router/expert-client.ts"
import { type GenerationEvent, type GenerationRequest, generate } from "../router/generation.ts"
import { asPeerId } from "../router/registry/events.ts"
import { chooseExperts } from "../router/registry/select.ts"
import { type ExpertRecord, expertsOf, families, getExpert, type RegistryState } from "../router/registry/state.ts"
import type { Failover } from "../router/session-slots.ts"
import { createStickySessions } from "../router/sticky-sessions.ts"
import { commonTokenizer } from "../router/swarm.ts"
import { findTokenizerFile } from "../router/tokenizer-lookup.ts"
import { governGeneration, startNodeGovernance } from "./node-governance.ts"
import { newIdentity, type PeerIdentity, verifyPeerSignature } from "./p2p/identity.ts"
import { acquireP2PNode, type P2PNode } from "./p2p/node.ts"

export interface RouterNodeOptions {
  readonly modelsDir: string
  readonly bootstrap?: ReadonlyArray<string>
  /** Experts to use without discovery: multiaddrs with /p2p/ ids, asked for their manifests directly. */
  readonly experts?: ReadonlyArray<string>
  readonly lan?: boolean
  readonly identity?: PeerIdentity
  readonly heartbeatIntervalMs?: number
  readonly pingIntervalMs?: number
  /**
   * Keep finished generations' sessions for a chat's next turn (see router/sticky-sessions.ts). Default true: parked
   * sessions are marked as such on the experts, which give them up at once to any router's new request.
   */
  readonly stickySessions?: boolean
  /** Multiaddrs to listen on (a node serving the control protocol); default none: dial only. */
  readonly listen?: ReadonlyArray<string>
  /** On-chain governance: halts end generations with MeshHaltedError. Without it the router ignores governance. */
  readonly governance?: GovernanceConfig
}

export interface RouterGenerationRequest extends Omit<GenerationRequest, "prompt"> {
  /** Text (encoded with the family's tokenizer, BOS where the model asks) or token ids. */
  readonly prompt: string | ReadonlyArray<number>
  /** Experts mixed per token. */
  readonly k: number
  /** Tokenizer hash of the family to use; default: the family with the most experts. */
  readonly family?: string
  /** Use exactly these experts (peer ids known to the registry) instead of choosing K. */
  readonly only?: ReadonlyArray<string>
}

export interface RouterNode {
  readonly peerId: string
  readonly watcher: SwarmWatcher
  /** The tokenizer hash with the most experts right now. */
  readonly largestFamily: () => string | undefined
  /** Experts of `family` that a generation may choose now (known and not banned after a failure). */
  readonly usableExperts: (family: string) => number
  /** Resolves true once `count` experts (of `family`, or of any one family) are known; false after `timeoutMs`. */
  readonly waitForExperts: (count: number, timeoutMs: number, family?: string) => Promise<boolean>
  readonly tokenizer: (family: string) => Promise<Tokenizer>
  readonly generate: (request: RouterGenerationRequest) => AsyncGenerator<GenerationEvent>
  /** Sticky sessions: generations parked now, how many later turns reused one, and parked sessions per expert. */
  readonly sticky: () => {
    readonly parked: number
    readonly reused: number
    readonly byExpert: ReadonlyMap<string, number>
  }
  /** K and mixture weights that later generations use (requests without their own). */
  readonly controls: RouterControls
  /** Peers kept out of every choice for a while. */
  readonly bans: ReturnType<typeof createBans>
  /** Opens a protocol stream (the expert protocol for sessions outside `generate`, e.g. grammar-constrained ones). */
  readonly dial: Dial
  /** The router's libp2p node: its addresses, and protocol handlers (the control protocol). */
  readonly node: Pick<P2PNode, "handle" | "multiaddrs">
  /** This router's governance view; undefined when started without a chain. */
  readonly governance: NodeGovernance | undefined
}

/** ExpertError codes that mean the peer itself is unusable, not that it refused one request. */
const PEER_FAILURES = new Set([
  "UNREACHABLE",
  "STREAM_CLOSED",
  "MALFORMED_FRAME",
  "UNEXPECTED_FRAME",
  "INTERNAL",
  "STALLED"
])

/** Failures after which a peer also leaves the registry until it shows itself alive again. */
const EVICTING_FAILURES = new Set(["UNREACHABLE", "STALLED"])

/**
 * How long a step may take before its expert counts as stalled: eight times the slowest chosen expert's measured
 * step (else ping) latency, and never under a second, so a busy machine is not taken for a dead one.
 */
const stepDeadline = (state: RegistryState, peerIds: ReadonlyArray<string>): number => {
  let slowest = 100
  for (const peerId of peerIds) {
    const expert = getExpert(state, asPeerId(peerId))
    slowest = Math.max(slowest, expert?.step?.ewmaMs ?? expert?.ping?.ewmaMs ?? 100)
  }
  return Math.max(1000, 8 * slowest)
}

/** Tries a bootstrap's snapshot until one is read (the bootstrap may still be starting), for at most 20 s. */
const loadSnapshotWithRetry = async (watcher: SwarmWatcher, address: string, signal: AbortSignal) => {
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    const loaded = await watcher.loadSnapshot(address, signal).then(
      () => true,
      () => false
    )
    if (loaded) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

export const startRouterNode = (options: RouterNodeOptions) =>
  Effect.gen(function* () {
    const inference = yield* Inference
    const scope = yield* Effect.scope
    const identity = options.identity ?? (yield* Effect.promise(() => newIdentity()))
    const node = yield* acquireP2PNode({
      role: "router",
      identity,
      listen: options.listen ?? [],
      bootstrap: options.bootstrap ?? [],
      ...(options.lan === undefined ? {} : { lan: options.lan })
    })
    const governance = yield* startNodeGovernance(options.governance, node)
    const watcher = startSwarmWatcher(node, verifyPeerSignature, {
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs })
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => watcher.stop()))
    // What the bootstraps already know, so a joining router need not wait for each expert's next manifest.
    const snapshots = new AbortController()
    yield* Effect.addFinalizer(() => Effect.sync(() => snapshots.abort()))
    for (const address of options.bootstrap ?? []) void loadSnapshotWithRetry(watcher, address, snapshots.signal)

    // Static experts: all must answer, and all must share one tokenizer (the user asked to mix exactly these).
    const direct = options.experts ?? []
    yield* Effect.tryPromise({
      try: () => Promise.all(direct.map((address) => watcher.addDirect(address))),
      catch: (cause) => cause
    })
    if (direct.length > 0) {
      const state = watcher.state()
      const handles = direct.map((address) => {
        const peerId = asPeerId(/\/p2p\/([^/]+)$/.exec(address)?.[1] ?? "")
        return { peerId, address, manifest: getExpert(state, peerId)!.manifest }
      })
      yield* Effect.try({ try: () => commonTokenizer(handles), catch: (cause) => cause })
    }

    const largestFamily = () => {
      let best: [string, number] | undefined
      for (const entry of families(watcher.state())) if (best === undefined || entry[1] > best[1]) best = entry
      return best?.[0]
    }

    const bans = createBans()
    const controls = createRouterControls()
    const sticky = createStickySessions()
    yield* Effect.addFinalizer(() => Effect.sync(() => sticky.closeAll()))
    const tokenizers = new Map<string, Promise<Tokenizer>>()
    const tokenizer = (family: string): Promise<Tokenizer> => {
      let loading = tokenizers.get(family)
      if (loading === undefined) {
        const models = [...watcher.state().experts].map(([, expert]) => expert.manifest.modelName)
        const tokenizerOf = (path: string) => Effect.runPromise(inference.inspect(path, { sha256: false }))
        loading = findTokenizerFile(options.modelsDir, family, models, tokenizerOf).then((path) =>
          // Loaded into the router's scope: released when the router stops.
          Effect.runPromise(Scope.extend(inference.loadTokenizer(path), scope))
        )
        loading.catch(() => tokenizers.delete(family))
        tokenizers.set(family, loading)
      }
      return loading
    }

    /**
     * K experts of the family, none banned if that is possible; otherwise banned ones fill in (a peer that failed a
     * moment ago is still a better try than refusing the request).
     */
    const usableExperts = (family: string) => {
      const banned = bans.banned()
      return expertsOf(watcher.state(), family).filter((expert) => !banned.has(expert.peerId)).length
    }
    const chooseAvoidingBans = (family: string, k: number, random: () => number) =>
      chooseExperts(watcher.state(), {
        tokenizerHash: family,
        k,
        random,
        ...(usableExperts(family) >= k ? { exclude: bans.banned() } : {})
      })

    async function* generateWithRegistry(request: RouterGenerationRequest): AsyncGenerator<GenerationEvent> {
      const pinned = (request.only ?? []).map((peerId) => {
        const expert = getExpert(watcher.state(), asPeerId(peerId))
        if (expert === undefined)
          throw new GenerationRequestError({ message: `expert ${peerId} is not in the registry` })
        return expert
      })
      const family = pinned[0]?.manifest.tokenizerHash ?? request.family ?? largestFamily()
      if (family === undefined) throw new TokenizerNotFoundError({ message: "no experts are known yet" })
      const familyTokenizer = await tokenizer(family)
      const prompt = typeof request.prompt === "string" ? familyTokenizer.encodePrompt(request.prompt) : request.prompt
      const random = createRandom(request.sampling?.seed)
      const toHandle = (expert: ExpertRecord) => ({
        peerId: expert.peerId,
        address: expert.peerId,
        manifest: expert.manifest
      })
      const chosen = (pinned.length > 0 ? pinned : chooseAvoidingBans(family, request.k, random)).map(toHandle)
      const failover: Failover = {
        // Pinned experts are the caller's choice: survivors go on, but no one else steps in.
        replacement: (exclude) => {
          if (pinned.length > 0) return undefined
          try {
            const excluded = new Set([...exclude, ...bans.banned()])
            const [expert] = chooseExperts(watcher.state(), { tokenizerHash: family, k: 1, random, exclude: excluded })
            return expert === undefined ? undefined : toHandle(expert)
          } catch {
            return undefined
          }
        },
        failed: (peerId, reason) => {
          // Experts closing sessions because the mesh halted are not failing.
          if (!PEER_FAILURES.has(reason) || governance?.state().halted === true) return
          bans.strike(peerId)
          // A peer that cannot be dialled or stopped answering leaves the registry (if it is alive, its next
          // heartbeat brings it back); one whose stream broke is only banned for a while: a reset link is not a
          // departure.
          if (EVICTING_FAILURES.has(reason)) {
            watcher.record({ _tag: "PeerFailed", at: Date.now(), peerId: asPeerId(peerId), reason })
          }
        },
        stepDeadlineMs: stepDeadline(
          watcher.state(),
          chosen.map((expert) => expert.peerId)
        )
      }
      try {
        const weighted = request.weights === undefined && controls.weights().size > 0
        for await (const event of generate(node.dial, familyTokenizer, chosen, {
          ...request,
          ...(weighted ? { weights: chosen.map((expert) => controls.weight(expert.peerId)) } : {}),
          prompt,
          failover,
          // Pinned experts are the caller's choice; parked sessions of others are not substituted for them.
          ...(pinned.length > 0 || options.stickySessions === false ? {} : { sticky })
        })) {
          if (event._tag === "Finished") {
            for (const expert of event.experts) {
              if (expert.steps === 0) continue
              const ms = expert.stepMsTotal / expert.steps
              watcher.record({
                _tag: "LatencyMeasured",
                at: Date.now(),
                peerId: asPeerId(expert.peerId),
                kind: "step",
                ms
              })
            }
          }
          yield event
        }
      } catch (cause) {
        // An expert that cannot be reached or broke the protocol is banned (and evicted when it cannot be dialled);
        // one that is busy (SESSION_LIMIT) or refused this request (context, tokens) is healthy and stays; nothing
        // counts as a failure while the mesh is halted.
        if (cause instanceof ExpertError && PEER_FAILURES.has(cause.code) && governance?.state().halted !== true) {
          bans.strike(cause.address)
          if (EVICTING_FAILURES.has(cause.code)) {
            watcher.record({ _tag: "PeerFailed", at: Date.now(), peerId: asPeerId(cause.address), reason: cause.code })
          }
        }
        throw cause
      }
    }

    const router: RouterNode = {
      peerId: node.peerId,
      watcher,
      largestFamily,
      usableExperts,
      waitForExperts: (count, timeoutMs, family) =>
        watcher.until((state) => {
          const counts = families(state)
          if (family !== undefined) return (counts.get(family) ?? 0) >= count
          for (const size of counts.values()) if (size >= count) return true
          return false
        }, timeoutMs),
      tokenizer,
      generate: (request) => governGeneration(governance, request, generateWithRegistry),
      sticky: () => ({ parked: sticky.parked(), reused: sticky.reused(), byExpert: sticky.parkedByExpert() }),
      governance,
      controls,
      bans,
      dial: node.dial,
      node
    }
    return router
  })
