// Request bodies read with a hard size limit: a declared Content-Length over the limit is refused unread, and a body
// without one is counted as it arrives and refused the moment it passes the limit.
import { HttpServerRequest } from "@effect/platform"
import { Data, Effect, Stream } from "effect"

export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{ readonly limit: number }> {}
export class BodyUnreadable extends Data.TaggedError("BodyUnreadable")<{ readonly message: string }> {}

export const readBody = (limit: number) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (declared > limit) return yield* Effect.fail(new BodyTooLarge({ limit }))
    const chunks: Uint8Array[] = []
    let size = 0
    yield* request.stream.pipe(
      Stream.mapError((cause) => new BodyUnreadable({ message: String(cause) })),
      Stream.runForEach((chunk) => {
        size += chunk.length
        if (size > limit) return Effect.fail(new BodyTooLarge({ limit }))
        chunks.push(chunk)
        return Effect.void
      })
    )
    return Buffer.concat(chunks).toString("utf8")
  })
