import { fc, test as property } from "@fast-check/vitest"
import OpenAI from "openai"
import type { ChatCompletionChunk } from "openai/resources/chat/completions"
import type { Completion, CompletionChoice, CompletionUsage } from "openai/resources/completions"
import { describe, expect, test } from "vitest"
import {
  chatContentChunk,
  chatFinishChunk,
  chatRoleChunk,
  chatUsageChunk,
  type StreamHead,
  type TextChunkWire,
  textContentChunk,
  textFinishChunk,
  textUsageChunk
} from "../../../gateway/openai/chunks.ts"
import { noExperts, timedOut } from "../../../gateway/openai/errors.ts"
import { SSE_DONE, SSE_HEADERS, sseComment, sseError, sseEvent } from "../../../gateway/openai/sse.ts"
import { cannedTokens, fakeGateway, MESH, MODEL } from "./fake-gateway.ts"

/** A streamed text_completion chunk: a Completion whose choice may not have finished, with `usage: null` meanwhile. */
type CompletionChunk = Omit<Completion, "choices" | "usage"> & {
  usage?: CompletionUsage | null
  choices: Array<Omit<CompletionChoice, "finish_reason"> & { finish_reason: CompletionChoice["finish_reason"] | null }>
}

const head: StreamHead = { id: "chatcmpl-abc", created: 1_700_000_000, model: MODEL, includeUsage: false }
const withUsage: StreamHead = { ...head, includeUsage: true }
const usage = { promptTokens: 4, completionTokens: 2 }

describe("chat.completion.chunk", () => {
  test("role first, then content, then the finish reason with the mesh field", () => {
    const role: ChatCompletionChunk = chatRoleChunk(head)
    const content: ChatCompletionChunk = chatContentChunk(head, "Hi")
    const finish: ChatCompletionChunk = chatFinishChunk(head, "eos", MESH)
    expect(role).toStrictEqual({
      id: "chatcmpl-abc",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: MODEL,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]
    })
    expect(content.choices).toStrictEqual([{ index: 0, delta: { content: "Hi" }, logprobs: null, finish_reason: null }])
    expect(finish.choices).toStrictEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }])
    expect(finish).toMatchObject({
      mesh: {
        k: 2,
        experts: MESH.experts,
        tokens_per_second: 12.35,
        degraded_steps: 1,
        replacements: 1,
        reused_tokens: 0
      }
    })
    expect("usage" in role || "usage" in content || "usage" in finish).toBe(false)
  })

  test("with include_usage: usage null on every chunk, then a usage chunk without choices", () => {
    for (const chunk of [
      chatRoleChunk(withUsage),
      chatContentChunk(withUsage, "x"),
      chatFinishChunk(withUsage, "length", MESH)
    ]) {
      expect(chunk.usage).toBeNull()
    }
    const last: ChatCompletionChunk = chatUsageChunk(withUsage, usage)
    expect(last.choices).toStrictEqual([])
    expect(last.usage).toStrictEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 })
  })

  test("a content chunk carries its tokens' logprobs in the chat shape", () => {
    const chunk: ChatCompletionChunk = chatContentChunk(head, "Hi", { tokens: cannedTokens(["Hi"]), top: 1 })
    expect(chunk.choices[0]?.logprobs).toStrictEqual({
      content: [
        {
          token: "Hi",
          logprob: -0.1,
          bytes: [72, 105],
          top_logprobs: [{ token: "Hi", logprob: -0.1, bytes: [72, 105] }]
        }
      ],
      refusal: null
    })
  })
})

describe("text_completion chunks", () => {
  test("text chunks, a finish chunk, and the usage chunk", () => {
    const first: CompletionChunk = textContentChunk(head, "Once")
    const finish: CompletionChunk = textFinishChunk(head, "stop", MESH)
    expect(first).toStrictEqual({
      id: "chatcmpl-abc",
      object: "text_completion",
      created: 1_700_000_000,
      model: MODEL,
      choices: [{ index: 0, text: "Once", logprobs: null, finish_reason: null }]
    })
    expect(finish.choices).toStrictEqual([{ index: 0, text: "", logprobs: null, finish_reason: "stop" }])
    const last: TextChunkWire = textUsageChunk(withUsage, usage)
    expect(last.choices).toStrictEqual([])
    expect(last.usage).toStrictEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 })
    expect(textContentChunk(withUsage, "x").usage).toBeNull()
  })

  test("text_offset continues from the offset given", () => {
    const chunk = textContentChunk(head, " upon", { tokens: cannedTokens([" up", "on"]), top: 0 }, 4)
    expect(chunk.choices[0]?.logprobs?.text_offset).toStrictEqual([4, 7])
  })
})

describe("SSE framing", () => {
  test("one data line per event, a blank line after it; [DONE] last", () => {
    expect(sseEvent({ a: "line one\nline two" })).toBe('data: {"a":"line one\\nline two"}\n\n')
    expect(SSE_DONE).toBe("data: [DONE]\n\n")
    expect(sseError(timedOut(3))).toBe(
      'data: {"error":{"message":"The request timed out after 3s. Try a smaller max_tokens, or retry.",' +
        '"type":"server_error","param":null,"code":"timeout"}}\n\n'
    )
    expect(sseComment("still\r\nthinking")).toBe(": still thinking\n\n")
    expect(SSE_HEADERS["content-type"]).toBe("text/event-stream; charset=utf-8")
  })

  property.prop([fc.jsonValue()])("any JSON payload survives the framing", (payload) => {
    const event = sseEvent(payload)
    expect(event.endsWith("\n\n")).toBe(true)
    const lines = event.slice(0, -2).split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]!.startsWith("data: ")).toBe(true)
    expect(JSON.parse(lines[0]!.slice("data: ".length))).toStrictEqual(JSON.parse(JSON.stringify(payload)))
  })
})

describe("the official client reads our streams", () => {
  const tokens = cannedTokens(["Hel", "lo", " wörld", " 🌍"])
  const client = (failAfter?: Parameters<typeof fakeGateway>[0]["failAfter"]) =>
    new OpenAI({
      apiKey: "unused",
      baseURL: "http://mesh.test/v1",
      maxRetries: 0,
      fetch: fakeGateway({
        tokens,
        reason: "length",
        promptTokens: 5,
        ...(failAfter === undefined ? {} : { failAfter })
      })
    })

  test("chat: deltas add up to the text, the finish reason, then usage", async () => {
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true
    })
    const chunks: ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant")
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Hello wörld 🌍")
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length")
    expect(chunks.at(-1)?.choices).toStrictEqual([])
    expect(chunks.at(-1)?.usage).toStrictEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 })
    expect(
      chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.content ?? []).map((entry) => entry.token)
    ).toStrictEqual(tokens.map((token) => token.text))
  })

  test("completions: text chunks, offsets in code points, no usage chunk unless asked", async () => {
    const stream = await client().completions.create({ model: MODEL, prompt: "x", stream: true, logprobs: 0 })
    const chunks: Completion[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("")).toBe("Hello wörld 🌍")
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.text_offset ?? [])).toStrictEqual([0, 3, 5, 11])
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("length")
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true)
  })

  test("an error event mid-stream makes the client throw our error", async () => {
    const stream = await client({ chunks: 2, error: noExperts("the experts went away") }).chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
      stream: true
    })
    const received: string[] = []
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "")
    })().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/the experts went away/)
    expect(received.join("")).toBe("Hello")
  })
})
