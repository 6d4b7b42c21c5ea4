import { fc, test as property } from "@fast-check/vitest"
import { Either } from "effect"
import { describe, expect, test } from "vitest"
import type { ApiError } from "../../../gateway/openai/errors.ts"
import { type CompletionRequest, decodeCompletionRequest } from "../../../gateway/openai/requests.ts"

const base = { model: "mesh-test", prompt: "Once upon a time" }

const decoded = (body: unknown): CompletionRequest => {
  const result = decodeCompletionRequest(body)
  if (Either.isLeft(result)) throw new Error(`expected a request, got ${result.left.code}: ${result.left.message}`)
  return result.right
}

const refused = (body: unknown): ApiError => {
  const result = decodeCompletionRequest(body)
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  return result.left
}

const failure = (error: ApiError) => ({ status: error.status, type: error.type, code: error.code, param: error.param })

describe("decodeCompletionRequest: accepted bodies", () => {
  test("a minimal body gets every default", () => {
    expect(decoded(base)).toStrictEqual({
      _tag: "CompletionRequest",
      model: "mesh-test",
      prompt: "Once upon a time",
      maxTokens: 256,
      sampling: { temperature: 1, topP: 1 },
      stop: [],
      stream: false,
      includeUsage: false,
      mesh: {}
    })
  })

  test("every supported field reaches the domain request", () => {
    expect(
      decoded({
        ...base,
        prompt: ["The sky is"],
        max_tokens: 16,
        temperature: 0.7,
        top_p: 0.5,
        n: 1,
        stream: true,
        stream_options: { include_usage: false },
        stop: ".",
        seed: 7,
        logprobs: 3,
        user: "u",
        mesh: { k: 8 },
        echo: false,
        suffix: "",
        best_of: 1
      })
    ).toStrictEqual({
      _tag: "CompletionRequest",
      model: "mesh-test",
      prompt: "The sky is",
      maxTokens: 16,
      sampling: { temperature: 0.7, topP: 0.5, seed: 7 },
      stop: ["."],
      stream: true,
      includeUsage: false,
      logprobs: { top: 3 },
      mesh: { k: 8 }
    })
  })

  test("logprobs 0 asks for the chosen tokens' logprobs without alternatives; an empty prompt is a prompt", () => {
    expect(decoded({ ...base, logprobs: 0 }).logprobs).toStrictEqual({ top: 0 })
    expect(decoded({ ...base, prompt: "" }).prompt).toBe("")
  })

  property.prop([fc.string()])("any string prompt is kept as is, bare or in a one-element array", (prompt) => {
    expect(decoded({ ...base, prompt }).prompt).toBe(prompt)
    expect(decoded({ ...base, prompt: [prompt] }).prompt).toBe(prompt)
  })
})

describe("decodeCompletionRequest: refusals", () => {
  const row = (code: ApiError["code"], param: string | null) => ({
    status: 400,
    type: "invalid_request_error",
    code,
    param
  })
  const cases: ReadonlyArray<readonly [string, unknown, ReturnType<typeof row>]> = [
    ["prompt missing", { model: "m" }, row("missing_required_parameter", "prompt")],
    ["prompt a number", { ...base, prompt: 5 }, row("invalid_type", "prompt")],
    ["prompt an object", { ...base, prompt: { text: "x" } }, row("invalid_type", "prompt")],
    ["prompt token ids", { ...base, prompt: [1, 2, 3] }, row("unsupported_value", "prompt")],
    ["prompt batched token ids", { ...base, prompt: [[1, 2], [3]] }, row("unsupported_value", "prompt")],
    ["prompt batch of strings", { ...base, prompt: ["a", "b"] }, row("unsupported_value", "prompt")],
    ["prompt empty array", { ...base, prompt: [] }, row("invalid_value", "prompt")],
    ["prompt array of an object", { ...base, prompt: [{}] }, row("invalid_type", "prompt[0]")],
    ["logprobs 6", { ...base, logprobs: 6 }, row("invalid_value", "logprobs")],
    ["logprobs true", { ...base, logprobs: true }, row("invalid_type", "logprobs")],
    ["n 3", { ...base, n: 3 }, row("unsupported_parameter", "n")],
    ["echo", { ...base, echo: true }, row("unsupported_parameter", "echo")],
    ["suffix", { ...base, suffix: "}" }, row("unsupported_parameter", "suffix")],
    ["best_of 2", { ...base, best_of: 2 }, row("unsupported_parameter", "best_of")],
    ["logit_bias", { ...base, logit_bias: { "1": 1 } }, row("unsupported_parameter", "logit_bias")],
    ["frequency_penalty", { ...base, frequency_penalty: 1 }, row("unsupported_parameter", "frequency_penalty")],
    ["presence_penalty", { ...base, presence_penalty: 2 }, row("unsupported_parameter", "presence_penalty")],
    ["max_tokens 0", { ...base, max_tokens: 0 }, row("invalid_value", "max_tokens")],
    ["top_p 2", { ...base, top_p: 2 }, row("invalid_value", "top_p")],
    ["stream_options without stream", { ...base, stream_options: {} }, row("invalid_value", "stream_options")],
    ["mesh.k 1.5", { ...base, mesh: { k: 1.5 } }, row("invalid_value", "mesh.k")]
  ]

  test.each(cases)("%s", (_name, body, expected) => {
    expect(failure(refused(body))).toStrictEqual(expected)
  })

  test("token-id and batched prompts are refused in plain words", () => {
    expect(refused({ ...base, prompt: [50256, 1] }).message).toBe(
      "Token-id prompts are not supported; send the prompt as text."
    )
    expect(refused({ ...base, prompt: ["a", "b", "c"] }).message).toMatch(/Batched prompts are not supported \(got 3\)/)
  })
})
