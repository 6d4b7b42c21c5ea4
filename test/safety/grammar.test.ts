// The catalog grammar on its own: every walk through it is a catalog action, nothing else gets through, and the
// token masks over a vocabulary agree with the grammar character by character.
import { fc, test } from "@fast-check/vitest"
import { Either, Schema } from "effect"
import { describe, expect } from "vitest"
import { ACTION_TYPES, ActionSchema, canonicalJson, catalogSchema, LIMITS } from "../../safety/catalog.ts"
import { compileGrammar, GrammarError, type GrammarState, matches } from "../../safety/grammar.ts"
import { createMasker, indexVocabulary } from "../../safety/token-mask.ts"

const peers = ["12D3KooWAlpha", "12D3KooWBeta", "12D3KooWGamma"]
const grammar = compileGrammar(catalogSchema({ peers, maxK: 3 }))
const decode = Schema.decodeUnknownEither(ActionSchema, { onExcessProperty: "error" })
const alphabet = [...new Set([..."{}\":,_0123456789 abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.!?'\\"])]

/** A random walk: at each state, one of the characters the grammar allows, until it is complete. */
const walk = (choices: ReadonlyArray<number>): string => {
  let state: GrammarState = grammar.start
  let text = ""
  for (let index = 0; !state.final; index++) {
    const allowed = alphabet.filter((character) => grammar.step(state, character) !== undefined)
    const character = allowed[choices[index % choices.length]! % allowed.length]!
    text += character
    state = grammar.step(state, character)!
  }
  return text
}

describe("the catalog grammar", () => {
  test.prop([fc.array(fc.nat(), { minLength: 1, maxLength: 80 })], { numRuns: 500 })(
    "every complete walk decodes into a catalog action, canonically encoded",
    (choices) => {
      const text = walk(choices)
      expect(text.length).toBeLessThanOrEqual(grammar.maxLength)
      const decoded = decode(JSON.parse(text))
      expect(Either.isRight(decoded), text).toBe(true)
      if (Either.isRight(decoded)) expect(canonicalJson(decoded.right)).toBe(text)
    }
  )

  test("refuses what is not an action of this registry and these bounds", () => {
    expect(matches(grammar, '{"type":"ban_peer","peer":"12D3KooWBeta"}')).toBe(true)
    expect(matches(grammar, '{"type":"ban_peer","peer":"12D3KooWDelta"}')).toBe(false)
    expect(matches(grammar, '{"type":"set_k","k":3}')).toBe(true)
    expect(matches(grammar, '{"type":"set_k","k":4}')).toBe(false)
    expect(matches(grammar, '{"type":"set_k","k":0}')).toBe(false)
    expect(matches(grammar, '{"type":"set_k", "k":2}')).toBe(false)
    expect(matches(grammar, '{"k":2,"type":"set_k"}')).toBe(false)
    expect(matches(grammar, '{"type":"report_status","extra":1}')).toBe(false)
    expect(matches(grammar, '{"type":"answer","prompt":"say \\"hi\\""}')).toBe(false)
    expect(matches(grammar, `{"type":"answer","prompt":"${"a".repeat(LIMITS.promptMaxLength + 1)}"}`)).toBe(false)
    expect(matches(grammar, '{"type":"launch_missiles"}')).toBe(false)
    expect(matches(grammar, '{"type":"report_status"}')).toBe(true)
  })

  test("with no peers known, the peer actions drop out; a narrowed catalog offers only its types", () => {
    const none = compileGrammar(catalogSchema({ peers: [], maxK: 1 }))
    expect(matches(none, '{"type":"report_status"}')).toBe(true)
    expect(none.step(none.start, "{")).toBeDefined()
    const narrowed = compileGrammar(catalogSchema({ peers, maxK: 3, types: ["set_k"] }))
    expect(matches(narrowed, '{"type":"set_k","k":2}')).toBe(true)
    expect(matches(narrowed, '{"type":"report_status"}')).toBe(false)
    expect(ACTION_TYPES.length).toBe(8)
  })

  test("schemas the grammar cannot bound are refused with a GrammarError", () => {
    expect(() => compileGrammar({ type: "integer" })).toThrow(GrammarError)
    expect(() => compileGrammar({ type: "string", maxLength: 3 })).toThrow(GrammarError)
    expect(() => compileGrammar({ type: "object", properties: { a: { const: 1 } } })).toThrow(GrammarError)
    expect(() => compileGrammar({ enum: [] })).toThrow(GrammarError)
  })
})

describe("token masks", () => {
  // Multi-character pieces, pieces with a leading space, pieces that span a value and the syntax after it.
  const pieces = [
    ...["", "{", '{"', "type", '":"', "set", "_k", '","', "k", '":', "12", "3}", " k"],
    ...'{}":,_abcdefghijklmnopqrstuvwxyz0123456789'
  ]
  const vocabulary = indexVocabulary(pieces)
  const narrowed = compileGrammar(catalogSchema({ peers, maxK: 3, types: ["set_k"] }))
  const masker = createMasker(narrowed, vocabulary)

  test.prop([fc.array(fc.nat(), { minLength: 1, maxLength: 40 })])(
    "a token is allowed exactly when its whole text keeps the output a valid prefix",
    (choices) => {
      let state = narrowed.start
      let text = ""
      for (let index = 0; !state.final; index++) {
        const mask = masker.mask(state)
        expect(mask.tokens.length).toBeGreaterThan(0)
        for (const [token, piece] of pieces.entries()) {
          let probe: GrammarState | undefined = piece.length === 0 ? undefined : state
          for (const character of piece) probe = probe === undefined ? undefined : narrowed.step(probe, character)
          expect(mask.tokens.includes(token), `${text} + ${JSON.stringify(piece)}`).toBe(probe !== undefined)
        }
        const token = mask.tokens[choices[index % choices.length]! % mask.tokens.length]!
        text += pieces[token]
        state = mask.next.get(token)!
      }
      expect(matches(narrowed, text)).toBe(true)
    }
  )

  test("masks are computed once per grammar state", () => {
    const before = masker.computed()
    masker.mask(narrowed.start)
    masker.mask(narrowed.start)
    expect(masker.computed()).toBeLessThanOrEqual(before + 1)
  })
})
