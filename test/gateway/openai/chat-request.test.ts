import { fc, test as property } from "@fast-check/vitest"
import { Effect, Either, Exit } from "effect"
import { describe, expect, test } from "vitest"
import { DEFAULT_MAX_TOKENS } from "../../../gateway/openai/constants.ts"
import type { ApiError } from "../../../gateway/openai/errors.ts"
import { type ChatRequest, decodeChatRequest, parseJsonBody } from "../../../gateway/openai/requests.ts"

const base = { model: "mesh-test", messages: [{ role: "user", content: "Hello" }] }

const decoded = (body: unknown): ChatRequest => {
  const result = decodeChatRequest(body)
  if (Either.isLeft(result)) throw new Error(`expected a request, got ${result.left.code}: ${result.left.message}`)
  return result.right
}

const refused = (body: unknown): ApiError => {
  const result = decodeChatRequest(body)
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  return result.left
}

const failure = (error: ApiError) => ({ status: error.status, type: error.type, code: error.code, param: error.param })

describe("decodeChatRequest: accepted bodies", () => {
  test("a minimal body gets every default", () => {
    expect(decoded(base)).toStrictEqual({
      _tag: "ChatRequest",
      model: "mesh-test",
      messages: [{ role: "user", content: "Hello" }],
      maxTokens: DEFAULT_MAX_TOKENS,
      sampling: { temperature: 1, topP: 1 },
      stop: [],
      stream: false,
      includeUsage: false,
      mesh: {}
    })
    expect(DEFAULT_MAX_TOKENS).toBe(256)
  })

  test("every supported field reaches the domain request", () => {
    const request = decoded({
      ...base,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: "Answer in French." },
        {
          role: "user",
          content: [
            { type: "text", text: "Bonjour" },
            { type: "text", text: "ça va ?" }
          ]
        },
        { role: "assistant", content: "Oui.", name: "bot" }
      ],
      max_tokens: 32,
      temperature: 0,
      top_p: 0.9,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      stop: ["\n\n", "END"],
      seed: -42,
      logprobs: true,
      top_logprobs: 5,
      user: "someone",
      mesh: { k: 3, experts: ["12D3KooWAlpha"] }
    })
    expect(request).toStrictEqual({
      _tag: "ChatRequest",
      model: "mesh-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: "Answer in French." },
        { role: "user", content: "Bonjour\nça va ?" },
        { role: "assistant", content: "Oui." }
      ],
      maxTokens: 32,
      sampling: { temperature: 0, topP: 0.9, seed: -42 },
      stop: ["\n\n", "END"],
      stream: true,
      includeUsage: true,
      logprobs: { top: 5 },
      mesh: { k: 3, experts: ["12D3KooWAlpha"] }
    })
  })

  test("a single stop string becomes a one-element list; logprobs without top_logprobs shows no alternatives", () => {
    const request = decoded({ ...base, stop: "###", logprobs: true })
    expect(request.stop).toStrictEqual(["###"])
    expect(request.logprobs).toStrictEqual({ top: 0 })
    expect(decoded({ ...base, logprobs: false }).logprobs).toBeUndefined()
  })

  test("max_completion_tokens is the newer name of max_tokens; equal values are fine", () => {
    expect(decoded({ ...base, max_completion_tokens: 7 }).maxTokens).toBe(7)
    expect(decoded({ ...base, max_tokens: 9, max_completion_tokens: 9 }).maxTokens).toBe(9)
  })

  test("null reads as absent, as OpenAI accepts it", () => {
    const request = decoded({
      ...base,
      max_tokens: null,
      temperature: null,
      top_p: null,
      n: null,
      stream: null,
      stream_options: null,
      stop: null,
      seed: null,
      logprobs: null,
      top_logprobs: null,
      user: null,
      mesh: null,
      tools: null,
      response_format: null,
      logit_bias: null,
      frequency_penalty: null
    })
    expect(request).toStrictEqual(decoded(base))
  })

  test("neutral values of refused parameters pass", () => {
    const request = decoded({
      ...base,
      tools: [],
      tool_choice: "none",
      functions: [],
      function_call: "none",
      response_format: { type: "text" },
      logit_bias: {},
      frequency_penalty: 0,
      presence_penalty: 0,
      modalities: ["text"],
      parallel_tool_calls: false,
      store: false,
      metadata: { trace: "x" }
    })
    expect(request).toStrictEqual(decoded(base))
  })

  test("the request is frozen all the way down", () => {
    const request = decoded({ ...base, stop: ["a"], mesh: { experts: ["12D3KooWAlpha"] } })
    for (const part of [request, request.messages, request.messages[0], request.stop, request.sampling, request.mesh]) {
      expect(Object.isFrozen(part)).toBe(true)
    }
    expect(Object.isFrozen(request.mesh.experts)).toBe(true)
  })

  test("a Left fails an Effect.gen with the ApiError, a Right is the value", () => {
    const ok = Effect.runSync(
      Effect.gen(function* () {
        return yield* decodeChatRequest(base)
      })
    )
    expect(ok.model).toBe("mesh-test")
    const exit = Effect.runSyncExit(
      Effect.gen(function* () {
        return yield* decodeChatRequest({ ...base, n: 3 })
      })
    )
    expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.code : undefined).toBe(
      "unsupported_parameter"
    )
  })
})

describe("decodeChatRequest: refusals", () => {
  const row = (code: ApiError["code"], param: string | null) => ({
    status: 400,
    type: "invalid_request_error",
    code,
    param
  })
  const cases: ReadonlyArray<readonly [string, unknown, ReturnType<typeof row>]> = [
    ["body is an array", [base], row("invalid_type", null)],
    ["body is a string", "hello", row("invalid_type", null)],
    ["body is null", null, row("invalid_type", null)],
    ["model missing", { messages: base.messages }, row("missing_required_parameter", "model")],
    ["model not a string", { ...base, model: 4 }, row("invalid_type", "model")],
    ["model empty", { ...base, model: "" }, row("invalid_value", "model")],
    ["messages missing", { model: "m" }, row("missing_required_parameter", "messages")],
    ["messages empty", { ...base, messages: [] }, row("invalid_value", "messages")],
    ["messages an object", { ...base, messages: {} }, row("invalid_type", "messages")],
    ["role tool", { ...base, messages: [{ role: "tool", content: "x" }] }, row("invalid_value", "messages[0].role")],
    ["role missing", { ...base, messages: [{ content: "x" }] }, row("missing_required_parameter", "messages[0].role")],
    [
      "content missing",
      { ...base, messages: [...base.messages, { role: "user" }] },
      row("missing_required_parameter", "messages[1].content")
    ],
    [
      "content null",
      { ...base, messages: [{ role: "user", content: null }] },
      row("invalid_type", "messages[0].content")
    ],
    [
      "image part",
      { ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
      row("invalid_value", "messages[0].content[0].type")
    ],
    [
      "part text not a string",
      { ...base, messages: [{ role: "user", content: [{ type: "text", text: 3 }] }] },
      row("invalid_type", "messages[0].content[0].text")
    ],
    ["max_tokens 0", { ...base, max_tokens: 0 }, row("invalid_value", "max_tokens")],
    ["max_tokens 1.5", { ...base, max_tokens: 1.5 }, row("invalid_value", "max_tokens")],
    ["max_tokens a string", { ...base, max_tokens: "10" }, row("invalid_type", "max_tokens")],
    ["max_completion_tokens -1", { ...base, max_completion_tokens: -1 }, row("invalid_value", "max_completion_tokens")],
    [
      "max_tokens and max_completion_tokens disagree",
      { ...base, max_tokens: 5, max_completion_tokens: 6 },
      row("invalid_value", "max_completion_tokens")
    ],
    ["temperature 2.5", { ...base, temperature: 2.5 }, row("invalid_value", "temperature")],
    ["temperature -0.1", { ...base, temperature: -0.1 }, row("invalid_value", "temperature")],
    ["temperature a string", { ...base, temperature: "hot" }, row("invalid_type", "temperature")],
    ["top_p 0", { ...base, top_p: 0 }, row("invalid_value", "top_p")],
    ["top_p 1.01", { ...base, top_p: 1.01 }, row("invalid_value", "top_p")],
    ["n 2", { ...base, n: 2 }, row("unsupported_parameter", "n")],
    ["n 0", { ...base, n: 0 }, row("invalid_value", "n")],
    ["stream a string", { ...base, stream: "yes" }, row("invalid_type", "stream")],
    [
      "stream_options without stream",
      { ...base, stream_options: { include_usage: true } },
      row("invalid_value", "stream_options")
    ],
    [
      "include_usage a string",
      { ...base, stream: true, stream_options: { include_usage: "yes" } },
      row("invalid_type", "stream_options.include_usage")
    ],
    ["stop empty string", { ...base, stop: "" }, row("invalid_value", "stop")],
    ["stop with an empty entry", { ...base, stop: ["a", ""] }, row("invalid_value", "stop[1]")],
    ["five stops", { ...base, stop: ["a", "b", "c", "d", "e"] }, row("invalid_value", "stop")],
    ["stop a number", { ...base, stop: 1 }, row("invalid_type", "stop")],
    ["seed 1.5", { ...base, seed: 1.5 }, row("invalid_value", "seed")],
    ["seed over 2^53", { ...base, seed: 2 ** 60 }, row("invalid_value", "seed")],
    ["logprobs a number", { ...base, logprobs: 1 }, row("invalid_type", "logprobs")],
    ["top_logprobs 21", { ...base, logprobs: true, top_logprobs: 21 }, row("invalid_value", "top_logprobs")],
    ["top_logprobs without logprobs", { ...base, top_logprobs: 2 }, row("invalid_value", "top_logprobs")],
    [
      "top_logprobs with logprobs false",
      { ...base, logprobs: false, top_logprobs: 0 },
      row("invalid_value", "top_logprobs")
    ],
    ["user a number", { ...base, user: 7 }, row("invalid_type", "user")],
    ["mesh a string", { ...base, mesh: "x" }, row("invalid_type", "mesh")],
    ["mesh.k 0", { ...base, mesh: { k: 0 } }, row("invalid_value", "mesh.k")],
    ["mesh.k 9", { ...base, mesh: { k: 9 } }, row("invalid_value", "mesh.k")],
    ["mesh.experts empty", { ...base, mesh: { experts: [] } }, row("invalid_value", "mesh.experts")],
    [
      "mesh.experts bad id",
      { ...base, mesh: { experts: ["12D3KooWAlpha", "not a peer"] } },
      row("invalid_value", "mesh.experts[1]")
    ],
    [
      "mesh.experts repeated",
      { ...base, mesh: { experts: ["12D3KooWAlpha", "12D3KooWAlpha"] } },
      row("invalid_value", "mesh.experts")
    ],
    [
      "mesh.experts over k",
      { ...base, mesh: { k: 1, experts: ["12D3KooWAlpha", "12D3KooWBeta"] } },
      row("invalid_value", "mesh.experts")
    ],
    [
      "tools",
      { ...base, tools: [{ type: "function", function: { name: "f" } }] },
      row("unsupported_parameter", "tools")
    ],
    ["tool_choice auto", { ...base, tool_choice: "auto" }, row("unsupported_parameter", "tool_choice")],
    ["functions", { ...base, functions: [{ name: "f" }] }, row("unsupported_parameter", "functions")],
    ["function_call", { ...base, function_call: { name: "f" } }, row("unsupported_parameter", "function_call")],
    [
      "json mode",
      { ...base, response_format: { type: "json_object" } },
      row("unsupported_parameter", "response_format")
    ],
    [
      "structured output",
      { ...base, response_format: { type: "json_schema", json_schema: { name: "x" } } },
      row("unsupported_parameter", "response_format")
    ],
    ["logit_bias", { ...base, logit_bias: { "50256": -100 } }, row("unsupported_parameter", "logit_bias")],
    ["frequency_penalty", { ...base, frequency_penalty: 0.5 }, row("unsupported_parameter", "frequency_penalty")],
    ["presence_penalty", { ...base, presence_penalty: -1 }, row("unsupported_parameter", "presence_penalty")],
    ["audio", { ...base, audio: { voice: "alloy", format: "mp3" } }, row("unsupported_parameter", "audio")],
    ["audio modality", { ...base, modalities: ["text", "audio"] }, row("unsupported_parameter", "modalities")],
    [
      "prediction",
      { ...base, prediction: { type: "content", content: "x" } },
      row("unsupported_parameter", "prediction")
    ]
  ]

  test.each(cases)("%s", (_name, body, expected) => {
    expect(failure(refused(body))).toStrictEqual(expected)
  })

  test("messages say what was expected and what came, in words", () => {
    expect(refused({ ...base, temperature: 3 }).message).toBe(
      "Invalid value for 'temperature': expected a number from 0 to 2, but got 3."
    )
    expect(refused({ ...base, temperature: "hot" }).message).toBe(
      "Invalid type for 'temperature': expected a number from 0 to 2, but got a string."
    )
    expect(refused({ messages: base.messages }).message).toBe("Missing required parameter: 'model'.")
    expect(refused({ ...base, messages: [{ role: "tool", content: "x" }] }).message).toBe(
      "Invalid value for 'messages[0].role': expected one of 'system', 'user', 'assistant', 'developer', " +
        'but got "tool".'
    )
    expect(refused({ ...base, n: 4 }).message).toMatch(/one choice per request/)
    expect(refused({ ...base, tools: [{}] }).message).toMatch(/Tool and function calling are not supported/)
  })

  test("a long offending value is cut in the message", () => {
    const message = refused({ ...base, stop: new Array(5).fill("x".repeat(300)) }).message
    expect(message.length).toBeLessThan(200)
  })
})

describe("decodeChatRequest: properties", () => {
  property.prop([fc.double({ min: 0, max: 2, noNaN: true })])("any temperature in [0, 2] is kept", (temperature) => {
    expect(decoded({ ...base, temperature }).sampling.temperature).toBe(temperature)
  })

  property.prop([
    fc.oneof(
      fc.double({ min: 2, minExcluded: true, noNaN: true }),
      fc.double({ max: 0, maxExcluded: true, noNaN: true }).filter((t) => t !== 0)
    )
  ])("any temperature outside [0, 2] is refused naming it", (temperature) => {
    fc.pre(Number.isFinite(temperature))
    expect(failure(refused({ ...base, temperature }))).toStrictEqual({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_value",
      param: "temperature"
    })
  })

  const known = new Set([
    ...Object.keys(base),
    ...["max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stream", "stream_options", "stop", "seed"],
    ...["logprobs", "top_logprobs", "user", "mesh", "tools", "tool_choice", "functions", "function_call"],
    ...["response_format", "logit_bias", "frequency_penalty", "presence_penalty", "audio", "modalities", "prediction"],
    ...["__proto__", "constructor"]
  ])
  property.prop([
    fc.dictionary(
      fc.string().filter((key) => !known.has(key)),
      fc.jsonValue(),
      { maxKeys: 5 }
    )
  ])("unknown fields are ignored", (extra) => {
    expect(decoded({ ...extra, ...base })).toStrictEqual(decoded(base))
  })

  property.prop([fc.jsonValue()])("any JSON body decodes or is refused with a 400, never throws", (body) => {
    const result = decodeChatRequest(body)
    if (Either.isLeft(result)) {
      expect(result.left.status).toBe(400)
      expect(result.left.type).toBe("invalid_request_error")
      expect(result.left.message).not.toMatch(/Expected|└|ParseError/)
    }
  })

  property.prop([
    fc.record({ model: fc.jsonValue(), messages: fc.jsonValue(), temperature: fc.jsonValue(), stop: fc.jsonValue() })
  ])("random fields: any refusal names a field of the body", (body) => {
    const result = decodeChatRequest(body)
    if (Either.isLeft(result))
      expect(result.left.param?.split(/[.[]/)[0]).toMatch(/^(model|messages|temperature|stop)$/)
  })
})

describe("parseJsonBody", () => {
  test("JSON parses; anything else is a 400 invalid_json with no param", () => {
    expect(parseJsonBody('{"a":1}')).toStrictEqual(Either.right({ a: 1 }))
    const result = parseJsonBody("{model: gpt}")
    expect(Either.isLeft(result) && failure(result.left)).toStrictEqual({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_json",
      param: null
    })
    expect(Either.isLeft(parseJsonBody(""))).toBe(true)
  })
})
