// Wire schemas of the request bodies, with OpenAI's field names. Each field's `description` is what an error message
// says was expected, so it is written for a developer reading a 400.
import { Schema } from "effect"
import { MAX_STOP_SEQUENCES } from "../../aggregator/stop.ts"
import { MAX_CHAT_TOP_LOGPROBS, MAX_COMPLETION_LOGPROBS, MAX_MESH_K } from "./constants.ts"

/** Optional, and null reads as absent: many clients send `"stop": null` for "not given", and OpenAI accepts it. */
const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

export const ROLES = ["system", "user", "assistant", "developer"] as const
export type Role = (typeof ROLES)[number]

const Role = Schema.Literal(...ROLES).annotations({
  description: "one of 'system', 'user', 'assistant', 'developer'"
})

const TextPart = Schema.Struct({
  type: Schema.Literal("text").annotations({
    description: "'text' (image, audio and file parts are not served)"
  }),
  text: Schema.String.annotations({ description: "a string" })
})

const Content = Schema.Union(Schema.String, Schema.Array(TextPart)).annotations({
  description: "a string or an array of text parts ({ type: 'text', text })"
})

const Message = Schema.Struct({ role: Role, content: Content })

const Messages = Schema.Array(Message).pipe(Schema.minItems(1)).annotations({
  description: "a non-empty array of messages"
})

const Model = Schema.String.pipe(Schema.minLength(1)).annotations({
  description: "a model id (GET /v1/models lists them)"
})

const MaxTokens = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "a positive integer" })

const Temperature = Schema.Number.pipe(Schema.between(0, 2)).annotations({ description: "a number from 0 to 2" })

const TopP = Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1)).annotations({
  description: "a number greater than 0 and at most 1"
})

const N = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "a positive integer" })

const Flag = Schema.Boolean.annotations({ description: "true or false" })

const StreamOptions = Schema.Struct({ include_usage: optional(Flag) }).annotations({
  description: "an object { include_usage?: boolean }"
})

const StopSequence = Schema.String.pipe(Schema.minLength(1)).annotations({ description: "a non-empty string" })

const Stop = Schema.Union(
  StopSequence,
  Schema.Array(StopSequence).pipe(Schema.maxItems(MAX_STOP_SEQUENCES))
).annotations({ description: `a non-empty string or an array of at most ${MAX_STOP_SEQUENCES} non-empty strings` })

const Seed = Schema.Int.annotations({ description: "a (safe) integer" })

const User = Schema.String.annotations({ description: "a string" })

const TopLogprobs = Schema.Int.pipe(Schema.between(0, MAX_CHAT_TOP_LOGPROBS)).annotations({
  description: `an integer from 0 to ${MAX_CHAT_TOP_LOGPROBS}`
})

const CompletionLogprobs = Schema.Int.pipe(Schema.between(0, MAX_COMPLETION_LOGPROBS)).annotations({
  description: `an integer from 0 to ${MAX_COMPLETION_LOGPROBS}`
})

/** libp2p peer ids as text: base58btc (`12D3KooW...`, `Qm...`) or a base32 CID (`bafz...`). */
const PeerId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9]{1,128}$/)).annotations({
  description: "a peer id (base58 or base32 text)"
})

const Mesh = Schema.Struct({
  k: optional(
    Schema.Int.pipe(Schema.between(1, MAX_MESH_K)).annotations({ description: `an integer from 1 to ${MAX_MESH_K}` })
  ),
  experts: optional(
    Schema.Array(PeerId)
      .pipe(Schema.minItems(1), Schema.maxItems(MAX_MESH_K))
      .annotations({ description: `an array of 1 to ${MAX_MESH_K} peer ids` })
  )
}).annotations({ description: "an object { k?: integer, experts?: string[] }" })

const Prompt = Schema.Union(Schema.String, Schema.Tuple(Schema.String)).annotations({
  description: "a string, or an array of exactly one string"
})

/** Fields both endpoints share, in the order their errors are reported. */
const common = {
  max_tokens: optional(MaxTokens),
  temperature: optional(Temperature),
  top_p: optional(TopP),
  n: optional(N),
  stream: optional(Flag),
  stream_options: optional(StreamOptions),
  stop: optional(Stop),
  seed: optional(Seed),
  user: optional(User),
  mesh: optional(Mesh)
}

/** `POST /v1/chat/completions`. Fields not listed are ignored (refusals.ts catches the ones that matter). */
export const ChatBody = Schema.Struct({
  model: Model,
  messages: Messages,
  ...common,
  max_completion_tokens: optional(MaxTokens),
  logprobs: optional(Flag),
  top_logprobs: optional(TopLogprobs)
})
export type ChatBody = typeof ChatBody.Type

/** `POST /v1/completions`. */
export const CompletionBody = Schema.Struct({
  model: Model,
  prompt: Prompt,
  ...common,
  logprobs: optional(CompletionLogprobs)
})
export type CompletionBody = typeof CompletionBody.Type
