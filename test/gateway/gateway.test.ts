// The gateway with real experts, through the official openai client and through raw HTTP: every endpoint, every
// error path, fair use, and cancellation reaching the experts.
import { request as httpRequest } from "node:http"
import { Effect, Exit, ManagedRuntime, Scope } from "effect"
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import type { ExpertNode } from "../../experts/expert-node.ts"
import { InferenceLive } from "../../experts/inference/service.ts"
import { startGatewayNode } from "../../gateway/gateway-node.ts"
import { startBootstrapNode } from "../../runtime/bootstrap-node.ts"
import { modelPath, resolveModelsDir } from "../../runtime/models-dir.ts"
import { newIdentity } from "../../runtime/p2p/identity.ts"
import { startTestExpert } from "../helpers/runtime.ts"

const runtime = ManagedRuntime.make(InferenceLive)
let scope: Scope.CloseableScope
let url: string
let limitedUrl: string
let strictUrl: string
let experts: ExpertNode[]
let client: OpenAI
let sticky: () => { readonly parked: number; readonly reused: number }

beforeAll(async () => {
  scope = await runtime.runPromise(Scope.make())
  const started = await runtime.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const bootstrap = yield* startBootstrapNode({
          identity: yield* Effect.promise(newIdentity),
          listen: ["/ip4/127.0.0.1/tcp/0"]
        })
        const bootstrapAddress = bootstrap.multiaddrs()[0]!
        const experts = [
          yield* startTestExpert({ modelPath: modelPath("stories260K.gguf"), bootstrap: [bootstrapAddress] }),
          yield* startTestExpert({ modelPath: modelPath("stories260K-q4_0.gguf"), bootstrap: [bootstrapAddress] })
        ]
        const common = { modelsDir: resolveModelsDir(), bootstrap: [bootstrapAddress], host: "0.0.0.0", port: 0 }
        // Generous budgets here: these tests send many requests from one address.
        const gateway = yield* startGatewayNode({ ...common, fairUse: { requestBurst: 1000, tokenBurst: 100_000 } })
        // A second gateway with a small request burst, for the exact fair-use checks.
        const limited = yield* startGatewayNode({ ...common, fairUse: { requestBurst: 5, requestsPerMinute: 30 } })
        // And one that runs a single generation at a time, for at most 150 ms.
        const strict = yield* startGatewayNode({ ...common, fairUse: { maxConcurrent: 1 }, requestTimeoutMs: 150 })
        for (const node of [gateway, limited, strict])
          yield* Effect.promise(() => node.router.waitForExperts(2, 15_000))
        return {
          experts,
          url: gateway.url,
          limitedUrl: limited.url,
          strictUrl: strict.url,
          sticky: gateway.router.sticky
        }
      }),
      scope
    )
  )
  experts = started.experts
  sticky = started.sticky
  url = started.url.replace("0.0.0.0", "127.0.0.1")
  limitedUrl = started.limitedUrl.replace("0.0.0.0", "127.0.0.1")
  strictUrl = started.strictUrl.replace("0.0.0.0", "127.0.0.1")
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "not-needed", maxRetries: 0 })
}, 60_000)

afterAll(async () => {
  await runtime.runPromise(Scope.close(scope, Exit.void))
  await runtime.dispose()
})

/** Fields beyond OpenAI's types: the mesh extension. */
const withMesh = <A extends object>(body: A, mesh: { k?: number; experts?: string[] }) => ({ ...body, mesh }) as A

describe("the official openai client", () => {
  test("lists the model families with their expert counts", async () => {
    const models = await client.models.list()
    const entry = models.data.find((model) => model.id === "stories260K") as unknown as {
      mesh: { experts: number }
    }
    expect(entry.mesh.experts).toBe(2)
  })

  test("chat, non-streaming and streaming, give the same greedy answer", async () => {
    const request = {
      model: "stories260K",
      messages: [{ role: "user" as const, content: "Tell me a story about a cat" }],
      max_tokens: 16,
      temperature: 0
    }
    const completion = await client.chat.completions.create(request)
    const choice = completion.choices[0]!
    expect(choice.finish_reason).toBe("length")
    expect(completion.usage?.completion_tokens).toBe(16)
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(5)
    expect(choice.message.content?.length).toBeGreaterThan(10)

    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true }
    })
    let text = ""
    let finish: string | null = null
    let usage: number | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ""
      finish = chunk.choices[0]?.finish_reason ?? finish
      usage = chunk.usage?.completion_tokens ?? usage
    }
    expect(text).toBe(choice.message.content)
    expect(finish).toBe("length")
    expect(usage).toBe(16)
  })

  test("completions at K = 1 equal the expert's own greedy text; the mesh extension names the expert", async () => {
    const f32 = experts[0]!.peerId
    const completion = await client.completions.create(
      withMesh(
        { model: "stories260K", prompt: "Once upon a time", max_tokens: 12, temperature: 0 },
        { k: 1, experts: [f32] }
      )
    )
    expect(completion.choices[0]!.text.startsWith(", there was a little girl named Lily")).toBe(true)
    expect((completion as unknown as { mesh: { experts: string[] } }).mesh.experts).toEqual([f32])
  })

  test("logprobs from the mixture, in both shapes", async () => {
    const completion = await client.completions.create({
      model: "stories260K",
      prompt: "Once upon a time",
      max_tokens: 6,
      temperature: 0,
      logprobs: 3
    })
    const logprobs = completion.choices[0]!.logprobs!
    expect(logprobs.tokens).toHaveLength(6)
    expect(logprobs.tokens!.join("")).toBe(completion.choices[0]!.text)
    for (const value of logprobs.token_logprobs!) expect(value).toBeLessThanOrEqual(0)
    for (const top of logprobs.top_logprobs!) expect(Object.keys(top).length).toBeLessThanOrEqual(3)

    const chat = await client.chat.completions.create({
      model: "stories260K",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: 2
    })
    const content = chat.choices[0]!.logprobs!.content!
    expect(content).toHaveLength(4)
    for (const token of content) {
      expect(token.top_logprobs).toHaveLength(2)
      // Greedy: the chosen token is the most probable one.
      expect(token.logprob).toBeCloseTo(token.top_logprobs[0]!.logprob, 9)
    }
  })

  test("a stop sequence ends the text before it", async () => {
    const completion = await client.completions.create({
      model: "stories260K",
      prompt: "Once upon a time",
      max_tokens: 40,
      temperature: 0,
      stop: ["Lily"]
    })
    expect(completion.choices[0]!.finish_reason).toBe("stop")
    expect(completion.choices[0]!.text).not.toContain("Lily")
    expect(completion.choices[0]!.text.endsWith("named ")).toBe(true)
  })

  test("a seed reproduces a sampled answer", async () => {
    const ask = (seed: number) =>
      client.completions.create({
        model: "stories260K",
        prompt: "Once upon a time",
        max_tokens: 24,
        temperature: 1,
        seed
      })
    const [first, second, other] = await Promise.all([ask(42), ask(42), ask(43)])
    expect(second.choices[0]!.text).toBe(first.choices[0]!.text)
    expect(other.choices[0]!.text).not.toBe(first.choices[0]!.text)
  })
})

const post = (path: string, body: string, base = url) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body })

const errorOf = async (response: Response) => ({ status: response.status, body: await response.json() })

test("a chat's second turn goes to the same experts and reuses their caches; the answer equals a fresh one", async () => {
  const first = [{ role: "user" as const, content: "Tell me a story about a dog named Max and his red ball" }]
  const turn1 = await client.chat.completions.create({
    model: "stories260K",
    messages: first,
    max_tokens: 12,
    temperature: 0
  })
  const chosen = (turn1 as unknown as { mesh: { experts: string[] } }).mesh.experts
  const second = [
    ...first,
    { role: "assistant" as const, content: turn1.choices[0]!.message.content ?? "" },
    { role: "user" as const, content: "What happened next?" }
  ]
  const before = {
    reused: sticky().reused,
    evaluated: experts.reduce((sum, expert) => sum + expert.totals().tokens, 0)
  }
  const request = { model: "stories260K", messages: second, max_tokens: 12, temperature: 0 }
  const turn2 = await client.chat.completions.create(request)
  const evaluated = experts.reduce((sum, expert) => sum + expert.totals().tokens, 0) - before.evaluated
  // Pinning the experts bypasses parked sessions: the same experts answer from scratch.
  const fresh = await client.chat.completions.create(withMesh(request, { experts: chosen }))

  expect(sticky().reused).toBe(before.reused + 1)
  const reported = (turn2 as unknown as { mesh: { reused_tokens: number } }).mesh.reused_tokens
  expect(reported).toBeGreaterThan(turn2.usage!.prompt_tokens / 2)
  expect((turn2 as unknown as { mesh: { experts: string[] } }).mesh.experts.sort()).toEqual([...chosen].sort())
  // Each expert evaluated only the new turn and the answer, not the whole conversation again.
  const prompt = turn2.usage!.prompt_tokens
  expect(evaluated).toBeLessThan(chosen.length * (prompt / 2 + 12))
  expect(turn2.choices[0]!.message.content).toBe(fresh.choices[0]!.message.content)
})

describe("raw HTTP error paths", () => {
  test("each refusal has OpenAI's shape and status", async () => {
    expect(await errorOf(await post("/v1/chat/completions", "{not json"))).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", code: "invalid_json", param: null } }
    })
    expect(
      await errorOf(
        await post(
          "/v1/chat/completions",
          JSON.stringify({ model: "stories260K", messages: [{ role: "user", content: "x" }], n: 2 })
        )
      )
    ).toMatchObject({ status: 400, body: { error: { code: "unsupported_parameter", param: "n" } } })
    expect(await errorOf(await post("/v1/completions", JSON.stringify({ model: "gpt-4", prompt: "x" })))).toMatchObject(
      { status: 404, body: { error: { code: "model_not_found", param: "model" } } }
    )
    expect(await errorOf(await fetch(`${url}/v1/completions`))).toMatchObject({
      status: 405,
      body: { error: { code: "method_not_allowed" } }
    })
    expect(await errorOf(await fetch(`${url}/v1/nothing`))).toMatchObject({
      status: 404,
      body: { error: { code: "unknown_url" } }
    })
    const huge = JSON.stringify({ model: "stories260K", prompt: "x".repeat(2 * 1024 * 1024) })
    expect(await errorOf(await post("/v1/completions", huge))).toMatchObject({
      status: 413,
      body: { error: { code: "request_too_large" } }
    })
    const long = JSON.stringify({ model: "stories260K", prompt: "the cat sat ".repeat(400), max_tokens: 4 })
    const tooLong = await errorOf(await post("/v1/completions", long))
    expect(tooLong).toMatchObject({
      status: 400,
      body: { error: { code: "context_length_exceeded", param: "prompt" } }
    })
    expect((tooLong.body as { error: { message: string } }).error.message).toContain("511")
  })

  test("health and Prometheus metrics", async () => {
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: "ok", experts: 2, models: ["stories260K"] })
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toContain("# TYPE mesh_gateway_requests_total counter")
    expect(metrics).toMatch(/mesh_gateway_requests_total\{endpoint="\/v1\/completions",status="200"\} \d+/)
    expect(metrics).toMatch(/mesh_gateway_rejections_total\{reason="request_too_large"\} 1/)
    expect(metrics).toContain("mesh_gateway_experts 2")
  })
})

/** A completion request from a chosen local address (127.0.0.0/8 is all loopback). */
const fromAddress = (localAddress: string, base: string) =>
  new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const target = new URL(`${base}/v1/completions`)
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json" }
      },
      (response) => {
        response.resume()
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers["retry-after"] as string | undefined
          })
        )
      }
    )
    request.on("error", reject)
    request.end(JSON.stringify({ model: "stories260K", prompt: "Once", max_tokens: 1 }))
  })

test("fair use: with burst 5 the sixth immediate request is refused, a second IP is not, and the refill admits", async () => {
  const first: number[] = []
  for (let index = 0; index < 5; index++) first.push((await fromAddress("127.0.0.1", limitedUrl)).status)
  expect(first).toEqual([200, 200, 200, 200, 200])
  const sixth = await fromAddress("127.0.0.1", limitedUrl)
  expect(sixth.status).toBe(429)
  expect(sixth.retryAfter).toBe("2")
  expect((await fromAddress("127.0.0.2", limitedUrl)).status).toBe(200)
  await new Promise((resolve) => setTimeout(resolve, 2100))
  expect((await fromAddress("127.0.0.1", limitedUrl)).status).toBe(200)
}, 30_000)

test("a client that drops mid-stream: the experts' sessions are gone within a second", async () => {
  // Sessions parked by earlier requests for a possible next turn stay; the dropped request's own must go.
  const before = experts.reduce((sum, expert) => sum + expert.openSessions(), 0)
  const response = await post(
    "/v1/completions",
    JSON.stringify({ model: "stories260K", prompt: "Once upon a time", max_tokens: 400, stream: true }),
    url
  )
  const reader = response.body!.getReader()
  await reader.read()
  await reader.read()
  const open = () => experts.reduce((sum, expert) => sum + expert.openSessions(), 0)
  expect(open()).toBeGreaterThan(before)
  await reader.cancel()
  const dropped = Date.now()
  while (open() > before && Date.now() - dropped < 1000) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(open()).toBeLessThanOrEqual(before)
})

test("the global concurrency cap answers 429; the time limit ends a generation with 504, or an error event in a stream", async () => {
  const long = (stream: boolean) =>
    // Greedy from this prompt runs for hundreds of tokens without an end of story: far past 150 ms.
    JSON.stringify({ model: "stories260K", prompt: "Once upon a time", max_tokens: 500, temperature: 0, stream })
  const streaming = await post("/v1/completions", long(true), strictUrl)
  const reader = streaming.body!.getReader()
  await reader.read()
  const refused = await post("/v1/completions", long(false), strictUrl)
  expect(refused.status).toBe(429)
  expect(refused.headers.get("retry-after")).toBe("1")
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded")
  // The stream runs into the 150 ms limit: it ends with an error event and no [DONE].
  let text = ""
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
  }
  expect(text).toContain('"code":"timeout"')
  expect(text).not.toContain("[DONE]")

  const timedOut = await post("/v1/completions", long(false), strictUrl)
  expect(timedOut.status).toBe(504)
  expect(((await timedOut.json()) as { error: { code: string } }).error.code).toBe("timeout")
}, 30_000)
