import OpenAI from "openai"
import { describe, expect, test } from "vitest"
import {
  ApiError,
  contextLengthExceeded,
  errorBody,
  errorHeaders,
  internalError,
  invalidJson,
  invalidParameter,
  meshHalted,
  methodNotAllowed,
  modelNotFound,
  noExperts,
  rateLimited,
  requestTooLarge,
  timedOut,
  unknownUrl,
  unsupportedParameter,
  unsupportedValue
} from "../../../gateway/openai/errors.ts"
import { cannedTokens, fakeGateway } from "./fake-gateway.ts"

const shape = (error: ApiError) => ({ status: error.status, type: error.type, code: error.code, param: error.param })

describe("constructors", () => {
  const cases: ReadonlyArray<readonly [string, ApiError, ReturnType<typeof shape>]> = [
    [
      "invalid JSON",
      invalidJson("Unexpected token"),
      { status: 400, type: "invalid_request_error", code: "invalid_json", param: null }
    ],
    [
      "invalid value",
      invalidParameter("top_p", "x"),
      { status: 400, type: "invalid_request_error", code: "invalid_value", param: "top_p" }
    ],
    [
      "invalid type",
      invalidParameter("n", "x", "invalid_type"),
      { status: 400, type: "invalid_request_error", code: "invalid_type", param: "n" }
    ],
    [
      "unsupported n",
      unsupportedParameter("n", "x"),
      { status: 400, type: "invalid_request_error", code: "unsupported_parameter", param: "n" }
    ],
    [
      "token prompt",
      unsupportedValue("prompt", "x"),
      { status: 400, type: "invalid_request_error", code: "unsupported_value", param: "prompt" }
    ],
    [
      "prompt too long",
      contextLengthExceeded({ param: "messages", contextSize: 4096, promptTokens: 5000 }),
      { status: 400, type: "invalid_request_error", code: "context_length_exceeded", param: "messages" }
    ],
    [
      "unknown model",
      modelNotFound("gpt-9"),
      { status: 404, type: "invalid_request_error", code: "model_not_found", param: "model" }
    ],
    [
      "unknown url",
      unknownUrl("GET", "/v2/x"),
      { status: 404, type: "invalid_request_error", code: "unknown_url", param: null }
    ],
    [
      "wrong method",
      methodNotAllowed("GET", "/v1/completions", ["POST"]),
      { status: 405, type: "invalid_request_error", code: "method_not_allowed", param: null }
    ],
    [
      "body too large",
      requestTooLarge(1 << 20),
      { status: 413, type: "invalid_request_error", code: "request_too_large", param: null }
    ],
    [
      "rate limit",
      rateLimited(2.2),
      { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", param: null }
    ],
    [
      "no experts",
      noExperts("none online"),
      { status: 503, type: "service_unavailable", code: "no_experts", param: null }
    ],
    ["halted", meshHalted(), { status: 503, type: "service_unavailable", code: "mesh_halted", param: null }],
    ["timeout", timedOut(120), { status: 504, type: "server_error", code: "timeout", param: null }],
    [
      "internal",
      internalError(new Error("boom")),
      { status: 500, type: "server_error", code: "internal_error", param: null }
    ]
  ]

  test.each(cases)("%s", (_name, error, expected) => {
    expect(shape(error)).toStrictEqual(expected)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toBeInstanceOf(Error)
    expect(error._tag).toBe("ApiError")
    expect(error.message.length).toBeGreaterThan(0)
  })

  test("context length messages say both sizes, and the completion budget when it is what overflows", () => {
    expect(contextLengthExceeded({ param: "messages", contextSize: 4096, promptTokens: 5000 }).message).toBe(
      "This model's maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens. " +
        "Please reduce the length of the messages."
    )
    expect(
      contextLengthExceeded({ param: "prompt", contextSize: 2048, promptTokens: 2000, maxTokens: 100 }).message
    ).toBe(
      "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens " +
        "(2000 in the prompt, 100 in the completion). Please reduce the length of the prompt or the completion."
    )
  })

  test("an internal error keeps its cause for the log and tells the client nothing of it", () => {
    const error = internalError(new Error("secret path /home/x"))
    expect(error.cause).toBeInstanceOf(Error)
    expect(JSON.stringify(errorBody(error))).not.toMatch(/secret/)
  })
})

describe("errorBody", () => {
  test("is exactly OpenAI's shape, keys in OpenAI's order", () => {
    const body = errorBody(unsupportedParameter("n", "n must be 1."))
    expect(body).toStrictEqual({
      error: { message: "n must be 1.", type: "invalid_request_error", param: "n", code: "unsupported_parameter" }
    })
    expect(Object.keys(body)).toStrictEqual(["error"])
    expect(Object.keys(body.error)).toStrictEqual(["message", "type", "param", "code"])
    expect(JSON.stringify(errorBody(timedOut(5)))).toBe(
      '{"error":{"message":"The request timed out after 5s. Try a smaller max_tokens, or retry.",' +
        '"type":"server_error","param":null,"code":"timeout"}}'
    )
  })
})

describe("errorHeaders", () => {
  test("Retry-After in whole seconds, rounded up; Allow on 405; nothing otherwise", () => {
    expect(errorHeaders(rateLimited(2.2))).toStrictEqual({ "retry-after": "3" })
    expect(errorHeaders(noExperts("x", 10))).toStrictEqual({ "retry-after": "10" })
    expect(errorHeaders(noExperts("x"))).toStrictEqual({})
    expect(errorHeaders(methodNotAllowed("GET", "/v1/chat/completions", ["POST"]))).toStrictEqual({ allow: "POST" })
    expect(errorHeaders(modelNotFound("m"))).toStrictEqual({})
    expect(rateLimited(2.2).retryAfterSeconds).toBe(2.2)
  })
})

describe("the official client reads our errors", () => {
  const client = new OpenAI({
    apiKey: "unused",
    baseURL: "http://mesh.test/v1",
    maxRetries: 0,
    fetch: fakeGateway({ tokens: cannedTokens(["x"]), reason: "eos", promptTokens: 1 })
  })

  test("a refused parameter is a BadRequestError carrying code, param and type", async () => {
    const error = await client.chat.completions
      .create({ model: "mesh-test", messages: [{ role: "user", content: "hi" }], n: 2 })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    const { status, code, param, type } = error as InstanceType<typeof OpenAI.BadRequestError>
    expect({ status, code, param, type }).toStrictEqual({
      status: 400,
      code: "unsupported_parameter",
      param: "n",
      type: "invalid_request_error"
    })
  })

  test("an unknown model is a NotFoundError", async () => {
    const error = await client.completions.create({ model: "gpt-9", prompt: "x" }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.NotFoundError)
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found")
  })

  test.each([
    [rateLimited(1), OpenAI.RateLimitError],
    [noExperts("none"), OpenAI.InternalServerError],
    [internalError(), OpenAI.InternalServerError],
    [requestTooLarge(10), OpenAI.APIError]
  ] as const)("status %#: the client's error class, our code", async (apiError, errorClass) => {
    const failing = new OpenAI({
      apiKey: "unused",
      baseURL: "http://mesh.test/v1",
      maxRetries: 0,
      fetch: async () =>
        new Response(JSON.stringify(errorBody(apiError)), {
          status: apiError.status,
          headers: { "content-type": "application/json", ...errorHeaders(apiError) }
        })
    })
    const error = await failing.completions.create({ model: "m", prompt: "x" }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(errorClass)
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe(apiError.code)
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(apiError.status)
  })
})
