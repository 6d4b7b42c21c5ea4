import OpenAI from "openai"
import type { ChatCompletion } from "openai/resources/chat/completions"
import type { Completion } from "openai/resources/completions"
import { describe, expect, test } from "vitest"
import {
  type ChatCompletionWire,
  chatCompletion,
  finishReason,
  type GenerationResult,
  meshWire,
  type ResponseHead,
  responseHead,
  responseId,
  type TextCompletionWire,
  textCompletion
} from "../../../gateway/openai/responses.ts"
import type { FinishReason } from "../../../router/generation.ts"
import { cannedTokens, fakeGateway, MESH, MODEL } from "./fake-gateway.ts"

const head: ResponseHead = { id: "chatcmpl-0123456789abcdef01234567", created: 1_700_000_000, model: MODEL }

const result: GenerationResult = {
  text: "Hi there.",
  reason: "eos",
  usage: { promptTokens: 12, completionTokens: 3 },
  mesh: {
    k: 2,
    experts: ["12D3KooWAlpha", "12D3KooWBeta"],
    tokensPerSecond: 41.23456,
    degradedSteps: 0,
    replacements: 0,
    reusedTokens: 5
  }
}

describe("ids and heads", () => {
  test("ids are chatcmpl-/cmpl- and 24 random hex digits, different each time", () => {
    expect(responseId("chat")).toMatch(/^chatcmpl-[0-9a-f]{24}$/)
    expect(responseId("completion")).toMatch(/^cmpl-[0-9a-f]{24}$/)
    expect(new Set(Array.from({ length: 100 }, () => responseId("chat"))).size).toBe(100)
  })

  test("created is whole seconds from the caller's clock", () => {
    const made = responseHead("completion", "m", 1_700_000_000_999)
    expect(made.created).toBe(1_700_000_000)
    expect(made.model).toBe("m")
    expect(made.id).toMatch(/^cmpl-/)
  })
})

describe("finish reasons", () => {
  test.each([
    ["eos", "stop"],
    ["stop", "stop"],
    ["length", "length"]
  ] as ReadonlyArray<readonly [FinishReason, string]>)("%s -> %s", (reason, wire) => {
    expect(finishReason(reason)).toBe(wire)
  })
})

describe("chat.completion", () => {
  test("the whole object", () => {
    const completion: ChatCompletion = chatCompletion(head, result) // checks the shape against the official types
    expect(completion).toStrictEqual({
      id: head.id,
      object: "chat.completion",
      created: 1_700_000_000,
      model: MODEL,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hi there.", refusal: null },
          logprobs: null,
          finish_reason: "stop"
        }
      ],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      mesh: {
        k: 2,
        experts: ["12D3KooWAlpha", "12D3KooWBeta"],
        tokens_per_second: 41.23,
        degraded_steps: 0,
        replacements: 0,
        reused_tokens: 5
      }
    })
  })

  test("logprobs appear in the chat shape when asked for", () => {
    const completion: ChatCompletion = chatCompletion(head, {
      ...result,
      reason: "length",
      logprobs: { tokens: cannedTokens(["Hi", " there"]), top: 2 }
    })
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe("length")
    expect(choice.logprobs?.content?.map((entry) => entry.token)).toStrictEqual(["Hi", " there"])
    expect(choice.logprobs?.content?.[0]?.top_logprobs.map((entry) => entry.token)).toStrictEqual(["Hi", "Hi?"])
    expect(choice.logprobs?.refusal).toBeNull()
  })
})

describe("text_completion", () => {
  test("the whole object", () => {
    const completion: Completion = textCompletion({ ...head, id: "cmpl-x" }, { ...result, reason: "stop" })
    expect(completion).toStrictEqual({
      id: "cmpl-x",
      object: "text_completion",
      created: 1_700_000_000,
      model: MODEL,
      choices: [{ index: 0, text: "Hi there.", logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      mesh: {
        k: 2,
        experts: ["12D3KooWAlpha", "12D3KooWBeta"],
        tokens_per_second: 41.23,
        degraded_steps: 0,
        replacements: 0,
        reused_tokens: 5
      }
    })
  })

  test("logprobs appear in the completions shape when asked for", () => {
    const completion: Completion = textCompletion(head, {
      ...result,
      logprobs: { tokens: cannedTokens(["Hi", " there"]), top: 1 }
    })
    expect(completion.choices[0]?.logprobs).toStrictEqual({
      tokens: ["Hi", " there"],
      token_logprobs: [-0.1, -0.2],
      top_logprobs: [{ Hi: -0.1 }, { " there": -0.2 }],
      text_offset: [0, 2]
    })
  })
})

describe("the mesh extension", () => {
  const figures = { k: 1, experts: ["a"], tokensPerSecond: 1, degradedSteps: 3, replacements: 1, reusedTokens: 0 }
  test("failover figures are reported as counted", () => {
    expect(meshWire(figures)).toMatchObject({ degraded_steps: 3, replacements: 1, reused_tokens: 0 })
  })
  test("tokens per second is rounded to hundredths; a non-finite rate reads 0", () => {
    expect(meshWire({ ...figures, tokensPerSecond: 7.891 }).tokens_per_second).toBe(7.89)
    expect(meshWire({ ...figures, tokensPerSecond: Number.POSITIVE_INFINITY }).tokens_per_second).toBe(0)
  })
})

describe("the official client reads our responses", () => {
  const seen: Parameters<typeof fakeGateway>[1] = []
  const client = new OpenAI({
    apiKey: "unused",
    baseURL: "http://mesh.test/v1",
    maxRetries: 0,
    fetch: fakeGateway({ tokens: cannedTokens(["Hello", ",", " world"]), reason: "eos", promptTokens: 9 }, seen)
  })

  test("chat.completions.create", async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Say hello" }],
      max_completion_tokens: 20,
      logprobs: true,
      top_logprobs: 2
    })
    expect(completion.choices[0]?.message.content).toBe("Hello, world")
    expect(completion.choices[0]?.finish_reason).toBe("stop")
    expect(completion.usage).toStrictEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 })
    expect(completion.choices[0]?.logprobs?.content?.[2]?.bytes).toStrictEqual([32, 119, 111, 114, 108, 100])
    expect((completion as ChatCompletion & Pick<ChatCompletionWire, "mesh">).mesh.experts).toStrictEqual(MESH.experts)
    expect(seen.at(-1)).toMatchObject({ maxTokens: 20, logprobs: { top: 2 } })
  })

  test("completions.create", async () => {
    const completion = await client.completions.create({ model: MODEL, prompt: "Say", max_tokens: 3, logprobs: 1 })
    expect(completion.choices[0]?.text).toBe("Hello, world")
    expect(completion.choices[0]?.logprobs?.text_offset).toStrictEqual([0, 5, 6])
    expect((completion as Completion & Pick<TextCompletionWire, "mesh">).mesh.k).toBe(2)
  })
})
