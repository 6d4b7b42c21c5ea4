import { fc, test as property } from "@fast-check/vitest"
import { describe, expect, test } from "vitest"
import { mix } from "../../../aggregator/mixture.ts"
import {
  chatLogprobs,
  codePointLength,
  completionLogprobs,
  LOGPROB_FLOOR,
  type TokenLogprob
} from "../../../gateway/openai/logprobs.ts"

const token = (text: string, logprob: number, top: TokenLogprob["top"] = []): TokenLogprob => ({ text, logprob, top })

describe("chat shape", () => {
  test("token, logprob, UTF-8 bytes, and the top alternatives most probable first", () => {
    const logprobs = chatLogprobs(
      [
        token("é", -0.5, [
          { text: "e", logprob: -2 },
          { text: "é", logprob: -0.5 },
          { text: "è", logprob: -1 }
        ])
      ],
      2
    )
    expect(logprobs).toStrictEqual({
      content: [
        {
          token: "é",
          logprob: -0.5,
          bytes: [195, 169],
          top_logprobs: [
            { token: "é", logprob: -0.5, bytes: [195, 169] },
            { token: "è", logprob: -1, bytes: [195, 168] }
          ]
        }
      ],
      refusal: null
    })
  })

  test("raw token bytes win over the text's (a token holding half a UTF-8 character)", () => {
    const [entry] = chatLogprobs([{ text: "\uFFFD", logprob: -1, bytes: [0xe2, 0x82], top: [] }], 0).content
    expect(entry?.bytes).toStrictEqual([0xe2, 0x82])
  })

  test("probability 0 and NaN become -9999, which JSON can carry", () => {
    const logprobs = chatLogprobs([token("a", Number.NEGATIVE_INFINITY, [{ text: "b", logprob: Number.NaN }])], 1)
    expect(JSON.parse(JSON.stringify(logprobs)).content[0]).toMatchObject({
      logprob: LOGPROB_FLOOR,
      top_logprobs: [{ logprob: LOGPROB_FLOOR }]
    })
  })

  test("top 0 shows no alternatives", () => {
    expect(chatLogprobs([token("a", -1, [{ text: "a", logprob: -1 }])], 0).content[0]?.top_logprobs).toStrictEqual([])
  })
})

describe("completions shape", () => {
  test("parallel arrays; top alternatives as a map; offsets in code points", () => {
    expect(
      completionLogprobs(
        [
          token("🌍", -1, [
            { text: "🌍", logprob: -1 },
            { text: "x", logprob: -2 }
          ]),
          token("a", -0.1, [{ text: "a", logprob: -0.1 }])
        ],
        5
      )
    ).toStrictEqual({
      tokens: ["🌍", "a"],
      token_logprobs: [-1, -0.1],
      top_logprobs: [{ "🌍": -1, x: -2 }, { a: -0.1 }],
      text_offset: [0, 1]
    })
  })

  test("equal texts keep the most probable; __proto__ is an ordinary key", () => {
    const [top] = completionLogprobs(
      [
        token(" a", -1, [
          { text: "__proto__", logprob: -3 },
          { text: " a", logprob: -2 },
          { text: " a", logprob: -1 }
        ])
      ],
      3
    ).top_logprobs
    expect(top).toStrictEqual({ " a": -1, ["__proto__"]: -3 })
    expect(Object.getPrototypeOf(top)).toBe(Object.prototype)
    expect(JSON.stringify(top)).toBe('{" a":-1,"__proto__":-3}')
  })

  const alternative = fc.record({
    text: fc.string({ unit: "grapheme", maxLength: 4 }),
    logprob: fc.double({ max: 0, noNaN: true })
  })
  const tokenArbitrary = fc.record({
    text: fc.string({ unit: "grapheme", maxLength: 6 }),
    logprob: fc.double({ max: 0, noNaN: true }),
    top: fc.array(alternative, { maxLength: 8 })
  })

  property.prop([fc.array(tokenArbitrary, { maxLength: 12 }), fc.integer({ min: 0, max: 5 }), fc.nat(1000)])(
    "arrays run in parallel; offsets step by each token's code points; at most n alternatives",
    (tokens, n, start) => {
      const logprobs = completionLogprobs(tokens, n, start)
      expect(logprobs.tokens).toHaveLength(tokens.length)
      expect(logprobs.token_logprobs).toHaveLength(tokens.length)
      expect(logprobs.top_logprobs).toHaveLength(tokens.length)
      tokens.forEach((entry, index) => {
        expect(logprobs.text_offset[index]).toBe(
          start + tokens.slice(0, index).reduce((sum, t) => sum + codePointLength(t.text), 0)
        )
        expect(Object.keys(logprobs.top_logprobs[index]!).length).toBeLessThanOrEqual(n)
        expect(logprobs.token_logprobs[index]).toBeGreaterThanOrEqual(LOGPROB_FLOOR)
        expect(entry.text).toBe(logprobs.tokens[index])
      })
    }
  )
})

describe("from a real mixture", () => {
  test("logprobs of the mixture's entries round-trip to its probabilities", () => {
    const mixture = mix([{ tokens: [3, 1], logprobs: [Math.log(0.6), Math.log(0.3)], residual: 0.1 }], [1], 10)
    const top = mixture.tokens.map((id, index) => ({ text: `t${id}`, logprob: Math.log(mixture.probs[index]!) }))
    const [entry] = chatLogprobs([token("t3", top[0]!.logprob, top)], 2).content
    expect(entry?.top_logprobs.map((alternative) => Math.exp(alternative.logprob))).toEqual([
      expect.closeTo(0.6, 12),
      expect.closeTo(0.3, 12)
    ])
  })
})
