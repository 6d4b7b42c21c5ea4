// A loaded model serving sessions: one context, one context sequence per session, exact top-k per step.
import type {
  ControlledEvaluateInputItem,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token
} from "node-llama-cpp"
import type { SparseDistribution } from "../../aggregator/distribution.ts"
import { ModelLoadError, SessionError } from "../errors.ts"
import type { ModelInfo } from "./model-file.ts"

export interface ExpertModelOptions {
  /** Decode threads per context. Default 1: the default thread count decoded 0.6-1.2 s per token on 2 cores (STACK.md). */
  readonly threads?: number
  /** Positions per session; default and maximum: the model's training context. */
  readonly contextSize?: number
  /** Concurrent sessions (context sequences). Default 4. */
  readonly maxSessions?: number
  /**
   * One context whose sequences node-llama-cpp evaluates in shared batches. Default false: each session gets its own
   * context and evaluates alone (in parallel with the others, a thread each). A batch's size and company change the
   * kernels' summation order, so in a shared batch a session's logits would depend on what other sessions did at the
   * same moment; alone, they depend only on its own tokens and their chunking, which is what lets a replacement
   * expert replay a prefix bit for bit (failover) and a checker reproduce an answer.
   */
  readonly batchSessions?: boolean
}

/** What one step asks for: the plain top-k, or the probabilities of exactly the allowed tokens. */
export type StepWant = { readonly topK: number } | { readonly allowed: ReadonlyArray<number> }

export interface ModelSequence {
  /** Tokens evaluated so far. */
  readonly length: number
  /**
   * Appends `tokens` (KV cache) and returns the distribution of the next position; with `keep`, first drops every
   * token after the first `keep` (a reused session rewinding to the prefix it shares with a new prompt).
   */
  evaluate(tokens: ReadonlyArray<number>, want: StepWant, keep?: number): Promise<SparseDistribution>
  dispose(): void
}

export interface ExpertModel {
  readonly info: ModelInfo
  /** Tokens one session can hold. */
  readonly contextSize: number
  readonly maxSessions: number
  readonly freeSessions: () => number
  /** A fresh sequence; SessionError SESSION_LIMIT when all are in use. */
  openSequence(): Promise<ModelSequence>
  dispose(): Promise<void>
}

export const loadExpertModel = async (
  llama: Llama,
  info: ModelInfo,
  options: ExpertModelOptions = {}
): Promise<ExpertModel> => {
  const maxSessions = options.maxSessions ?? 4
  const threads = options.threads ?? 1
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new RangeError("maxSessions must be a positive integer")
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError("threads must be a positive integer")
  const trainContext = info.trainContextSize > 0 ? info.trainContextSize : 4096
  const contextSize = Math.min(options.contextSize ?? trainContext, trainContext)
  let model: LlamaModel
  try {
    model = await llama.loadModel({ modelPath: info.path })
  } catch (cause) {
    throw new ModelLoadError({ path: info.path, message: `cannot load ${info.path}: ${String(cause)}`, cause })
  }
  // Separate sessions: one context per session, each evaluating alone (and in parallel with the others, a thread
  // each). Shared batches: one context whose sequences node-llama-cpp batches together.
  let contexts: LlamaContext[]
  try {
    contexts =
      options.batchSessions === true
        ? [await model.createContext({ contextSize, sequences: maxSessions, threads })]
        : await Promise.all(
            Array.from({ length: maxSessions }, () => model.createContext({ contextSize, sequences: 1, threads }))
          )
  } catch (cause) {
    await model.dispose()
    throw new ModelLoadError({ path: info.path, message: `cannot create a context: ${String(cause)}`, cause })
  }
  const vocabSize = info.vocabSize
  /** Contexts holding an open session (separate sessions only; a shared context is never taken). */
  const taken = new Set<LlamaContext>()
  let active = 0
  const limitError = () =>
    new SessionError({ code: "SESSION_LIMIT", message: `all ${maxSessions} sessions of this expert are in use` })
  // node-llama-cpp keeps one cell free and shifts the context (erasing early tokens) rather than fill it, which would
  // silently change what the model sees: a session holds at most contextSize - 1 tokens, and never shifts.
  const usableContext = contexts[0]!.contextSize - 1
  return {
    info: { ...info, addBos: model.tokens.shouldPrependBosToken },
    contextSize: usableContext,
    maxSessions,
    freeSessions: () => maxSessions - active,
    openSequence: async () => {
      if (active >= maxSessions) throw limitError()
      const context = options.batchSessions === true ? contexts[0]! : contexts.find((each) => !taken.has(each))
      if (context === undefined) throw limitError()
      active++
      if (options.batchSessions !== true) taken.add(context)
      const release = () => {
        active--
        taken.delete(context)
      }
      // node-llama-cpp hands a disposed sequence's slot back asynchronously: a slot this expert already counts as
      // free may take a moment to return.
      for (let waited = 0; context.sequencesLeft === 0 && waited < SLOT_RECLAIM_WAIT_MS; waited += 2) {
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      if (context.sequencesLeft === 0) {
        release()
        throw limitError()
      }
      return makeSequence(context.getSequence(), vocabSize, usableContext, release)
    },
    dispose: async () => {
      await Promise.all(contexts.map((context) => context.dispose()))
      await model.dispose()
    }
  }
}

/** How long opening a session waits for node-llama-cpp to hand back a slot this expert counts as free. */
const SLOT_RECLAIM_WAIT_MS = 1000

const makeSequence = (
  sequence: LlamaContextSequence,
  vocabSize: number,
  contextSize: number,
  onDispose: () => void
): ModelSequence => {
  let disposed = false
  return {
    get length() {
      return sequence.nextTokenIndex
    },
    evaluate: async (tokens, want, keep) => {
      if (disposed) throw new SessionError({ code: "INVALID_REQUEST", message: "the session is closed" })
      if (keep !== undefined) {
        if (!Number.isInteger(keep) || keep < 1 || keep > sequence.nextTokenIndex) {
          throw new SessionError({
            code: "INVALID_REQUEST",
            message: `keep ${keep} is outside 1..${sequence.nextTokenIndex} (the tokens this session holds)`
          })
        }
        if (keep < sequence.nextTokenIndex) {
          await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }])
        }
      }
      if (tokens.length === 0) throw new SessionError({ code: "INVALID_REQUEST", message: "no tokens to evaluate" })
      for (const token of tokens) checkToken(token, vocabSize)
      if ("allowed" in want) for (const token of want.allowed) checkToken(token, vocabSize)
      const free = contextSize - sequence.nextTokenIndex
      if (tokens.length > free) {
        throw new SessionError({
          code: "CONTEXT_FULL",
          message: `${tokens.length} tokens do not fit: ${free} of ${contextSize} positions are left`
        })
      }
      // includeTop >= 1 always: the top logit anchors totalLogitWeight (sum of exp(logit - top logit) over the vocab).
      const filter =
        "topK" in want ? { tokens: [], includeTop: want.topK } : { tokens: want.allowed as Token[], includeTop: 1 }
      const last = tokens.length - 1
      const input: ControlledEvaluateInputItem[] = tokens.map((token, index) =>
        index === last
          ? [token as Token, { generateNext: { logits: { filter }, totalLogitWeight: true } }]
          : (token as Token)
      )
      const output = await sequence.controlledEvaluate(input)
      const next = output[last]?.next
      if (next?.logits === undefined || next.totalLogitWeight === undefined) {
        throw new SessionError({ code: "INTERNAL", message: "the model returned no logits" })
      }
      return toDistribution(next.logits, next.totalLogitWeight, "allowed" in want ? want.allowed : undefined)
    },
    dispose: () => {
      if (disposed) return
      disposed = true
      sequence.dispose()
      onDispose()
    }
  }
}

const checkToken = (token: number, vocabSize: number): void => {
  if (!Number.isInteger(token) || token < 0 || token >= vocabSize) {
    throw new SessionError({
      code: "INVALID_TOKEN",
      message: `token ${token} is outside the vocabulary 0..${vocabSize - 1}`
    })
  }
}

/**
 * `logits` is sorted highest first, so its first entry is the top logit of the whole vocabulary
 * (includeTop >= 1), and p(t) = exp(logit_t - top) / totalLogitWeight.
 */
const toDistribution = (
  logits: ReadonlyMap<number, number>,
  totalLogitWeight: number,
  allowed: ReadonlyArray<number> | undefined
): SparseDistribution => {
  const entries = logits.entries()
  const first = entries.next()
  if (first.done === true) throw new SessionError({ code: "INTERNAL", message: "the model returned no logits" })
  const top = first.value[1]
  const logNormaliser = top + Math.log(totalLogitWeight)
  const allowedSet = allowed === undefined ? undefined : new Set(allowed)
  const tokens: number[] = []
  const logprobs: number[] = []
  let mass = 0
  for (const [token, logit] of logits) {
    if (allowedSet !== undefined && !allowedSet.has(token)) continue
    const logprob = logit - logNormaliser
    tokens.push(token)
    logprobs.push(logprob)
    mass += Math.exp(logprob)
  }
  return { tokens, logprobs, residual: Math.min(1, Math.max(0, 1 - mass)) }
}
