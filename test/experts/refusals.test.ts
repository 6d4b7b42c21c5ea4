// Bad input gets a clear error and costs nothing else: frames, tokenizers, model files, flags.
import { Effect } from "effect"
import { describe, expect, test } from "vitest"
import { Inference } from "../../experts/inference/service.ts"
import { frameChannel } from "../../proto/channel.ts"
import { decodeResponse, encodeRequest, newSessionId } from "../../proto/codec.ts"
import { EXPERT_PROTOCOL, WIRE_LIMITS } from "../../proto/messages.ts"
import { writeVarint } from "../../proto/varint.ts"
import { ExpertError, TokenizerMismatchError } from "../../router/errors.ts"
import { openExpertSession } from "../../router/expert-client.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { startRouterNode } from "../../runtime/router-node.ts"
import { runMesh } from "../helpers/mesh-bin.ts"
import { dialer, inferenceRunner, startTestExpert } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

describe("an expert under bad frames", () => {
  test("a malformed and an oversized frame get Error frames; the expert's other sessions go on", async () => {
    const outcome = await run(
      Effect.gen(function* () {
        const expert = yield* startTestExpert({ modelPath: modelPath("stories260K.gguf") })
        const node = yield* dialer
        const address = expert.multiaddrs()[0]!
        const hash = expert.manifest.tokenizerHash
        return yield* Effect.promise(async () => {
          const session = await openExpertSession(node.dial, address, {
            prompt: [1, 403, 407],
            topK: 8,
            tokenizerHash: hash
          })
          const before = await session.step([session.first.tokens[0]!])

          // Malformed: a frame whose bytes are not a protobuf Frame. The stream stays usable afterwards.
          const malformedStream = await node.dial(address, EXPERT_PROTOCOL)
          const malformed = frameChannel(malformedStream, WIRE_LIMITS.maxFrameBytes)
          await malformed.write(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))
          const malformedAnswer = await malformed.read()
          await malformed.write(encodeRequest({ _tag: "ManifestRequest" }))
          const afterMalformed = await malformed.read()
          await malformed.close()

          // Oversized: only a length prefix announcing 4 MiB is sent; the answer must not wait for the body.
          const oversizedStream = await node.dial(address, EXPERT_PROTOCOL)
          const oversized = frameChannel(oversizedStream, WIRE_LIMITS.maxFrameBytes)
          const prefix = new Uint8Array(5)
          oversizedStream.send(prefix.subarray(0, writeVarint(4 * 1024 * 1024, prefix, 0)))
          const oversizedAnswer = await oversized.read()
          const oversizedEnd = await oversized.read()

          // A valid frame in the wrong place: Step on a stream without a session.
          const strayStream = await node.dial(address, EXPERT_PROTOCOL)
          const stray = frameChannel(strayStream, WIRE_LIMITS.maxFrameBytes)
          await stray.write(
            encodeRequest({ _tag: "Step", sessionId: newSessionId(), tokens: [5], allowedTokens: undefined })
          )
          const strayAnswer = await stray.read()
          await stray.close()

          const after = await session.step([before.tokens[0]!])
          await session.close()
          const decode = (read: Awaited<ReturnType<typeof malformed.read>>) =>
            read._tag === "Frame" ? decodeResponse(read.bytes) : read
          return {
            malformed: decode(malformedAnswer),
            afterMalformed: decode(afterMalformed),
            oversized: decode(oversizedAnswer),
            oversizedEnd,
            stray: decode(strayAnswer),
            after
          }
        })
      })
    )
    expect(outcome.malformed).toMatchObject({ ok: true, value: { _tag: "Error", code: "MALFORMED_FRAME" } })
    expect(outcome.afterMalformed).toMatchObject({ ok: true, value: { _tag: "Manifest" } })
    expect(outcome.oversized).toMatchObject({ ok: true, value: { _tag: "Error", code: "FRAME_TOO_LARGE" } })
    expect(JSON.stringify(outcome.oversized)).toContain("4194304")
    expect(outcome.oversizedEnd).toMatchObject({ _tag: "End" })
    expect(outcome.stray).toMatchObject({ ok: true, value: { _tag: "Error", code: "UNKNOWN_SESSION" } })
    expect(outcome.after.tokens.length).toBe(8)
  })
})

describe("tokenizer families", () => {
  test("the router refuses to mix stories260K with aidreams260K, naming both", async () => {
    const failure = await run(
      Effect.gen(function* () {
        const stories = yield* startTestExpert({ modelPath: modelPath("stories260K.gguf") })
        const aidreams = yield* startTestExpert({ modelPath: modelPath("aidreams260K.gguf") })
        return yield* Effect.flip(
          startRouterNode({
            modelsDir: resolveModelsDir(),
            experts: [stories.multiaddrs()[0]!, aidreams.multiaddrs()[0]!]
          })
        )
      })
    )
    expect(failure).toBeInstanceOf(TokenizerMismatchError)
    expect((failure as TokenizerMismatchError).message).toContain("stories260K")
    expect((failure as TokenizerMismatchError).message).toMatch(/aidreams/i)
  })

  test("an expert refuses a session opened with another tokenizer", async () => {
    const failure = await run(
      Effect.gen(function* () {
        const inference = yield* Inference
        const aidreams = yield* inference.inspect(modelPath("aidreams260K.gguf"), { sha256: false })
        const stories = yield* startTestExpert({ modelPath: modelPath("stories260K.gguf") })
        const node = yield* dialer
        return yield* Effect.promise(() =>
          openExpertSession(node.dial, stories.multiaddrs()[0]!, {
            prompt: [1, 2, 3],
            topK: 4,
            tokenizerHash: aidreams.tokenizerHash
          }).catch((error: unknown) => error)
        )
      })
    )
    expect(failure).toBeInstanceOf(ExpertError)
    expect((failure as ExpertError).code).toBe("TOKENIZER_MISMATCH")
  })
})

describe("the mesh command refuses bad input with a clear message", () => {
  test("a file that is not GGUF, and a missing file", async () => {
    const notGguf = await runMesh(["expert", "start", "--model", "package.json"])
    expect(notGguf.code).toBe(1)
    expect(notGguf.stderr).toContain("package.json is not a GGUF model file")
    const missing = await runMesh(["expert", "start", "--model", "/nonexistent/model.gguf"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("model file not found: /nonexistent/model.gguf")
  })

  test("unknown flags, bad values and unknown commands exit 2", async () => {
    const unknown = await runMesh(["expert", "start", "--model", "x.gguf", "--bogus"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("--bogus")
    const badK = await runMesh(["generate", "--experts", "/ip4/127.0.0.1/tcp/1", "--k", "two", "hello"])
    expect(badK.code).toBe(2)
    expect(badK.stderr).toContain('--k must be an integer >= 1, got "two"')
    const badTemperature = await runMesh(["generate", "--experts", "/ip4/127.0.0.1/tcp/1", "--temperature", "-1", "x"])
    expect(badTemperature.code).toBe(2)
    const command = await runMesh(["frobnicate"])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('unknown command "frobnicate"')
  })
})
