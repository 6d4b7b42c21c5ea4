// The action catalog: every action the mesh may take on its own, each type with its tier. The tier comes from the
// type alone (`tierOf`), never from anything a model wrote; arguments are typed and bounded, and the JSON schema
// below is what the self-prompt grammar is compiled from, so every task the mesh writes parses into one of these.
import { Schema } from "effect"
import type { Tier } from "../governance/state.ts"

export const ACTION_TYPES = [
  "answer",
  "report_status",
  "evaluate_expert",
  "set_k",
  "set_weight",
  "ban_peer",
  "set_rate_limit",
  "propose_phase"
] as const

export type ActionType = (typeof ACTION_TYPES)[number]

/** 0 answer and observe, 1 tune routing, 2 act on peers and limits, 3 change governance itself. */
export const TIERS: Readonly<Record<ActionType, Tier>> = Object.freeze({
  answer: 0,
  report_status: 0,
  evaluate_expert: 0,
  set_k: 1,
  set_weight: 1,
  ban_peer: 2,
  set_rate_limit: 2,
  propose_phase: 3
})

export const tierOf = (action: { readonly type: ActionType }): Tier => TIERS[action.type]

/** Bounds of the arguments, shared by the schema (and so the grammar) and the validation after parsing. */
export const LIMITS = {
  /** Characters of an `answer` prompt; the characters themselves are `PROMPT_CHARACTERS`. */
  promptMaxLength: 40,
  maxWeight: 9,
  maxRequestsPerMinute: 600,
  maxPhase: 9,
  /** K is bounded by the experts of the family; the grammar never offers more than this. */
  maxK: 16
} as const

/** Letters, digits, space and plain punctuation: no quote or backslash, so a prompt never needs escaping. */
export const PROMPT_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.!?'"

const Peer = Schema.String.pipe(Schema.maxLength(128))
const Bounded = (min: number, max: number) => Schema.Int.pipe(Schema.between(min, max))

/** The actions, as decoded from a task's JSON (extra fields are refused). */
export const ActionSchema = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("answer"),
    prompt: Schema.String.pipe(Schema.maxLength(LIMITS.promptMaxLength))
  }),
  Schema.Struct({ type: Schema.Literal("report_status") }),
  Schema.Struct({ type: Schema.Literal("evaluate_expert"), peer: Peer }),
  Schema.Struct({ type: Schema.Literal("set_k"), k: Bounded(1, LIMITS.maxK) }),
  Schema.Struct({ type: Schema.Literal("set_weight"), peer: Peer, weight: Bounded(1, LIMITS.maxWeight) }),
  Schema.Struct({ type: Schema.Literal("ban_peer"), peer: Peer }),
  Schema.Struct({
    type: Schema.Literal("set_rate_limit"),
    requests_per_minute: Bounded(1, LIMITS.maxRequestsPerMinute)
  }),
  Schema.Struct({ type: Schema.Literal("propose_phase"), phase: Bounded(0, LIMITS.maxPhase) })
)

export type Action = typeof ActionSchema.Type

/** Field order per type: the canonical encoding and the grammar both follow it. */
export const FIELDS: Readonly<Record<ActionType, ReadonlyArray<string>>> = {
  answer: ["prompt"],
  report_status: [],
  evaluate_expert: ["peer"],
  set_k: ["k"],
  set_weight: ["peer", "weight"],
  ban_peer: ["peer"],
  set_rate_limit: ["requests_per_minute"],
  propose_phase: ["phase"]
}

/** What the grammar may offer right now: the peers the registry knows and how many experts K may span. */
export interface CatalogContext {
  readonly peers: ReadonlyArray<string>
  readonly maxK: number
  /** Only these action types (an operator's narrowed task); default all. */
  readonly types?: ReadonlyArray<ActionType>
}

export type JsonSchema = Readonly<Record<string, unknown>>

const peerSchema = (context: CatalogContext): JsonSchema => ({ type: "string", enum: [...context.peers] })
const integer = (minimum: number, maximum: number): JsonSchema => ({ type: "integer", minimum, maximum })

const propertySchemas = (type: ActionType, context: CatalogContext): Record<string, JsonSchema> => {
  switch (type) {
    case "answer":
      return {
        prompt: { type: "string", minLength: 1, maxLength: LIMITS.promptMaxLength, characters: PROMPT_CHARACTERS }
      }
    case "report_status":
      return {}
    case "evaluate_expert":
    case "ban_peer":
      return { peer: peerSchema(context) }
    case "set_weight":
      return { peer: peerSchema(context), weight: integer(1, LIMITS.maxWeight) }
    case "set_k":
      return { k: integer(1, Math.max(1, Math.min(LIMITS.maxK, context.maxK))) }
    case "set_rate_limit":
      return { requests_per_minute: integer(1, LIMITS.maxRequestsPerMinute) }
    case "propose_phase":
      return { phase: integer(0, LIMITS.maxPhase) }
  }
}

/**
 * The catalog as JSON Schema (draft 2020-12 keywords, plus `characters`: the one extension, the alphabet of a
 * string). Properties are listed in canonical order, and every property is required. Action types that need a peer
 * are left out while the registry knows none.
 */
export const catalogSchema = (context: CatalogContext): JsonSchema => ({
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "mesh action",
  oneOf: ACTION_TYPES.filter(
    (type) =>
      (context.types === undefined || context.types.includes(type)) &&
      (context.peers.length > 0 || !FIELDS[type].includes("peer"))
  ).map((type) => ({
    type: "object",
    properties: { type: { const: type }, ...propertySchemas(type, context) },
    required: ["type", ...FIELDS[type]],
    additionalProperties: false
  }))
})

/** The canonical encoding: compact JSON, `type` first, then the fields in catalog order. */
export const canonicalJson = (action: Action): string => {
  const record = action as unknown as Record<string, unknown>
  const ordered: Record<string, unknown> = { type: action.type }
  for (const field of FIELDS[action.type]) ordered[field] = record[field]
  return JSON.stringify(ordered)
}
