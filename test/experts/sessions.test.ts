// An expert's sessions end when the router closes them, disconnects or goes quiet, and never exceed their caps.
import { Effect } from "effect"
import { expect, test } from "vitest"
import { EXPERT_PROTOCOL } from "../../proto/messages.ts"
import { ExpertError, GenerationRequestError } from "../../router/errors.ts"
import { openExpertSession } from "../../router/expert-client.ts"
import { asPeerId } from "../../router/registry/events.ts"
import { getExpert } from "../../router/registry/state.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { dialer, inferenceRunner, startTestExpert } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

const stories = modelPath("stories260K.gguf")
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `check` holds, up to `ms`. */
const eventually = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await sleep(20)
  return check()
}

test("a session is freed by CloseSession, by the router disconnecting and by the idle timeout", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: stories, maxSessions: 1, idleTimeoutMs: 400 })
      const node = yield* dialer
      const address = expert.multiaddrs()[0]!
      const request = { prompt: [1, 403, 407], topK: 4, tokenizerHash: expert.manifest.tokenizerHash }
      return yield* Effect.promise(async () => {
        const first = await openExpertSession(node.dial, address, request)
        const whileOpen = expert.openSessions()
        const refused = await openExpertSession(node.dial, address, request).catch((error: unknown) => error)
        await first.close()
        const closed = await eventually(() => expert.openSessions() === 0, 2000)

        const second = await openExpertSession(node.dial, address, request)
        // The router vanishes without a word: its stream is reset.
        const raw = await node.dial(address, EXPERT_PROTOCOL)
        raw.abort(new Error("router gone"))
        await second.step([second.first.tokens[0]!])
        await node.stop()
        const disconnected = await eventually(() => expert.openSessions() === 0, 2000)
        return { whileOpen, refused, closed, disconnected }
      })
    })
  )
  expect(outcome.whileOpen).toBe(1)
  expect(outcome.refused).toBeInstanceOf(ExpertError)
  expect((outcome.refused as ExpertError).code).toBe("SESSION_LIMIT")
  expect(outcome.closed).toBe(true)
  expect(outcome.disconnected).toBe(true)

  const idle = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: stories, maxSessions: 1, idleTimeoutMs: 300 })
      const node = yield* dialer
      const address = expert.multiaddrs()[0]!
      return yield* Effect.promise(async () => {
        const session = await openExpertSession(node.dial, address, {
          prompt: [1, 403],
          topK: 4,
          tokenizerHash: expert.manifest.tokenizerHash
        })
        const expired = await eventually(() => expert.openSessions() === 0, 3000)
        const late = await session.step([5]).catch((error: unknown) => error)
        return { expired, late }
      })
    })
  )
  expect(idle.expired).toBe(true)
  expect(idle.late).toBeInstanceOf(ExpertError)
})

test("context limits: the expert refuses steps past its context; the router refuses a prompt that does not fit", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: stories, contextSize: 256 })
      const node = yield* dialer
      const contextSize = expert.manifest.contextSize
      const full = yield* Effect.promise(async () => {
        const prompt = [1, ...Array.from({ length: contextSize - 2 }, () => 403)] // one position left
        const session = await openExpertSession(node.dial, expert.multiaddrs()[0]!, {
          prompt,
          topK: 4,
          tokenizerHash: expert.manifest.tokenizerHash
        })
        await session.step([403])
        return session.step([403, 403]).catch((error: unknown) => error)
      })
      const router = yield* startRouterNode({ modelsDir: resolveModelsDir(), experts: expert.multiaddrs() })
      const tooLong = yield* Effect.promise(async () => {
        try {
          for await (const _ of router.generate({ prompt: Array(contextSize + 1).fill(403), k: 1, maxTokens: 4 })) {
            // unreachable: the request is refused before any expert is asked
          }
          return undefined
        } catch (error) {
          return error
        }
      })
      const reason = yield* Effect.promise(async () => {
        let reason = ""
        let tokens = 0
        for await (const event of router.generate({
          prompt: [1, ...Array(contextSize - 10).fill(403)],
          k: 1,
          maxTokens: 100,
          sampling: { temperature: 0 }
        })) {
          if (event._tag === "Finished") {
            reason = event.reason
            tokens = event.tokens.length
          }
        }
        return { reason, tokens }
      })
      return { contextSize, full, tooLong, reason }
    })
  )
  // 256 cells, one of which node-llama-cpp keeps free.
  expect(outcome.contextSize).toBe(255)
  expect(outcome.full).toBeInstanceOf(ExpertError)
  expect((outcome.full as ExpertError).code).toBe("CONTEXT_FULL")
  expect(outcome.tooLong).toBeInstanceOf(GenerationRequestError)
  expect(String((outcome.tooLong as Error).message)).toContain("255")
  // A generation that reaches the end of the context ends as "length": 9 positions were left, and the token sampled
  // from the last one is the 10th.
  expect(outcome.reason.reason === "length" || outcome.reason.reason === "eos").toBe(true)
  if (outcome.reason.reason === "length") expect(outcome.reason.tokens).toBe(10)
})

test("a busy expert refuses with SESSION_LIMIT and stays in the registry; its slot is free once a session closes", async () => {
  const outcome = await run(
    Effect.gen(function* () {
      const expert = yield* startTestExpert({ modelPath: stories, maxSessions: 1 })
      const router = yield* startRouterNode({ modelsDir: resolveModelsDir(), experts: expert.multiaddrs() })
      const request = { prompt: [1, 403], k: 1, maxTokens: 64, sampling: { temperature: 0 } }
      return yield* Effect.promise(async () => {
        const first = router.generate(request)
        await first.next() // the session is open
        const busy = await router
          .generate(request)
          .next()
          .catch((error: unknown) => error)
        const stillKnown = getExpert(router.watcher.state(), asPeerId(expert.peerId)) !== undefined
        for await (const _ of first) {
          // run the first generation to its end
        }
        // Sequential use right after: the closed session's slot is already free.
        let tokens = 0
        for await (const event of router.generate(request)) if (event._tag === "Finished") tokens = event.tokens.length
        return { busy, stillKnown, tokens }
      })
    })
  )
  expect(outcome.busy).toBeInstanceOf(ExpertError)
  expect((outcome.busy as ExpertError).code).toBe("SESSION_LIMIT")
  expect(outcome.stillKnown).toBe(true)
  expect(outcome.tokens).toBe(64)
})
