// The admin HTTP API: the control protocol mirrored for operators, under /admin on the gateway, behind a bearer
// token. Every refusal is JSON `{ "error": { "message", "type", "code" } }` with its status: 401 without the right
// token (checked before the body is read), 413 for a body over the limit, 400 for a body that is not JSON or not a
// valid request, 404 for an unknown task, 409 when the mesh is halted, 503 when the node cannot serve the request.
import { createHash, timingSafeEqual } from "node:crypto"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import { BodyTooLarge, readBody } from "../gateway/body.ts"
import type { SafetyController } from "../safety/controller.ts"
import { checkTask } from "./codec.ts"
import { CONTROL_LIMITS, type ControlRequest, type ControlResponse } from "./messages.ts"
import { type ControlService, taskResult } from "./service.ts"

export interface AdminOptions {
  /** The bearer token operators present. At least 16 characters. */
  readonly token: string
  readonly maxBodyBytes?: number
}

class AdminError extends Schema.TaggedError<AdminError>()("AdminError", {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String
}) {}

const refuse = (status: number, code: string, message: string) => new AdminError({ status, code, message })

const errorResponse = (error: AdminError) =>
  HttpServerResponse.unsafeJson(
    {
      error: {
        message: error.message,
        type: error.status >= 500 ? "server_error" : "invalid_request_error",
        code: error.code
      }
    },
    {
      status: error.status,
      ...(error.status === 401 ? { headers: { "www-authenticate": 'Bearer realm="mesh admin"' } } : {})
    }
  )

const digest = (text: string) => createHash("sha256").update(text).digest()

const TaskBody = Schema.Struct({
  text: Schema.String,
  max_tier: Schema.optional(Schema.Number),
  types: Schema.optional(Schema.Array(Schema.String))
})
const ExpertBody = Schema.Struct({ multiaddr: Schema.String })
const HaltBody = Schema.Struct({
  reason: Schema.String,
  /** A guardian-signed governance HaltMesh, base64. */
  guardian_halt: Schema.optional(Schema.String)
})

export const MIN_ADMIN_TOKEN_LENGTH = 16

export const adminRoutes = (service: ControlService, safety: SafetyController, options: AdminOptions) => {
  if (options.token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new RangeError(`the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`)
  }
  const expected = digest(options.token)
  const maxBodyBytes = options.maxBodyBytes ?? CONTROL_LIMITS.maxRequestBytes

  const authenticate = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const header = request.headers.authorization
    if (header === undefined)
      return yield* Effect.fail(refuse(401, "unauthenticated", "missing Authorization: Bearer <token>"))
    const match = /^Bearer (.+)$/.exec(header)
    // Compared as digests, in constant time.
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      return yield* Effect.fail(refuse(401, "unauthenticated", "the bearer token is not this node's admin token"))
    }
  })

  const body = <A, I>(schema: Schema.Schema<A, I>) =>
    Effect.gen(function* () {
      const text = yield* readBody(maxBodyBytes).pipe(
        Effect.mapError((error) =>
          error instanceof BodyTooLarge
            ? refuse(413, "request_too_large", `the body exceeds ${maxBodyBytes} bytes`)
            : refuse(400, "invalid_json", error.message)
        )
      )
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (cause) {
        return yield* Effect.fail(refuse(400, "invalid_json", `the body is not JSON: ${(cause as Error).message}`))
      }
      const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(json)
      if (Either.isLeft(decoded)) return yield* Effect.fail(refuse(400, "invalid_request", decoded.left.message))
      return decoded.right
    })

  /** Runs a control request and answers its result, or its refusal with the matching status. */
  const answer = (request: ControlRequest) =>
    Effect.flatMap(
      Effect.promise(() => service.handle(request)),
      (response: ControlResponse): Effect.Effect<unknown, AdminError> => {
        switch (response._tag) {
          case "Error": {
            const status = response.code === "HALTED" ? 409 : response.code === "INVALID_REQUEST" ? 400 : 503
            return Effect.fail(refuse(status, response.code.toLowerCase(), response.message))
          }
          case "ExpertRegistered":
            return Effect.succeed({ peer_id: response.peerId, model: response.modelName })
          case "RouterStatus":
            return Effect.succeed(response.status)
          case "TaskResult":
            return Effect.succeed(response.task)
          case "Halted":
            return Effect.succeed({ halted: true, reason: response.reason })
        }
      }
    )

  const route = <A>(
    handler: Effect.Effect<A, AdminError, HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext>
  ) =>
    Effect.zipRight(authenticate, handler).pipe(
      Effect.map((value) => HttpServerResponse.unsafeJson(value)),
      Effect.catchAll((error) => Effect.succeed(errorResponse(error)))
    )

  return HttpRouter.empty.pipe(
    HttpRouter.get("/admin/status", route(answer({ _tag: "GetRouterStatus" }))),
    HttpRouter.post(
      "/admin/experts",
      route(Effect.flatMap(body(ExpertBody), (input) => answer({ _tag: "RegisterExpert", multiaddr: input.multiaddr })))
    ),
    HttpRouter.post(
      "/admin/tasks",
      route(
        Effect.gen(function* () {
          const input = yield* body(TaskBody)
          const checked = checkTask(input.text, input.max_tier, input.types ?? [])
          if (!checked.ok) return yield* Effect.fail(refuse(400, "invalid_request", checked.reason))
          return yield* answer({ _tag: "SubmitSelfTask", ...checked.value })
        })
      )
    ),
    HttpRouter.get(
      "/admin/tasks",
      route(
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const limitText = new URL(request.url, "http://admin").searchParams.get("limit") ?? "50"
          const limit = Number(limitText)
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
            return yield* Effect.fail(
              refuse(400, "invalid_request", `limit must be an integer in 1..1000, got ${limitText}`)
            )
          }
          const tasks = yield* safety
            .tasks(limit)
            .pipe(Effect.mapError((error) => refuse(503, "unavailable", error.message)))
          return { tasks: tasks.map(taskResult) }
        })
      )
    ),
    HttpRouter.get(
      "/admin/tasks/:id",
      route(
        Effect.gen(function* () {
          const { id } = yield* HttpRouter.params
          if (id === undefined || !/^[0-9]{14}-[0-9]{6}$/.test(id)) {
            return yield* Effect.fail(refuse(400, "invalid_request", "a task id looks like 00017000000000-000001"))
          }
          const record = yield* safety
            .task(id)
            .pipe(Effect.mapError((error) => refuse(503, "unavailable", error.message)))
          if (record === undefined) return yield* Effect.fail(refuse(404, "not_found", `no task ${id}`))
          return { ...taskResult(record), record }
        })
      )
    ),
    HttpRouter.post(
      "/admin/halt",
      route(
        Effect.gen(function* () {
          const input = yield* body(HaltBody)
          const guardianHalt =
            input.guardian_halt === undefined ? undefined : Buffer.from(input.guardian_halt, "base64")
          if (
            guardianHalt !== undefined &&
            (guardianHalt.length === 0 || guardianHalt.length > CONTROL_LIMITS.maxGuardianHaltBytes)
          ) {
            return yield* Effect.fail(
              refuse(
                400,
                "invalid_request",
                `guardian_halt must be base64 of 1..${CONTROL_LIMITS.maxGuardianHaltBytes} bytes`
              )
            )
          }
          if (
            (guardianHalt === undefined && input.reason.trim().length === 0) ||
            Buffer.byteLength(input.reason) > CONTROL_LIMITS.maxReasonBytes
          ) {
            return yield* Effect.fail(
              refuse(400, "invalid_request", `a halt needs a reason of 1..${CONTROL_LIMITS.maxReasonBytes} bytes`)
            )
          }
          return yield* answer({
            _tag: "HaltMesh",
            reason: input.reason,
            ...(guardianHalt === undefined ? {} : { guardianHalt: Uint8Array.from(guardianHalt) })
          })
        })
      )
    )
  )
}
