import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { createStopMatcher } from "../../aggregator/stop.ts"

// A small alphabet so stop sequences and their prefixes actually occur in random text.
const textArbitrary = fc.string({ unit: fc.constantFrom("a", "b", "\n"), maxLength: 40 })
const stopsArbitrary = fc.array(fc.string({ unit: fc.constantFrom("a", "b", "\n"), minLength: 1, maxLength: 4 }), {
  maxLength: 4
})

const earliestCut = (text: string, stops: ReadonlyArray<string>): number =>
  Math.min(...stops.map((stop) => text.indexOf(stop)).filter((at) => at !== -1), text.length)

describe("createStopMatcher", () => {
  test("cuts before the earliest occurrence of any stop sequence", () => {
    fc.assert(
      fc.property(textArbitrary, stopsArbitrary, (text, stops) => {
        const cut = earliestCut(text, stops)
        const result = createStopMatcher(stops).check(text)
        expect(result.stopped).toBe(cut < text.length)
        expect(result.text).toBe(text.slice(0, cut))
      }),
      { numRuns: 500 }
    )
  })

  test("holds back exactly the longest tail that could start a stop sequence", () => {
    fc.assert(
      fc.property(textArbitrary, stopsArbitrary, (text, stops) => {
        const result = createStopMatcher(stops).check(text)
        fc.pre(!result.stopped)
        const expected = Math.max(
          0,
          ...stops.flatMap((stop) =>
            Array.from({ length: stop.length - 1 }, (_, index) => index + 1).filter((length) =>
              text.endsWith(stop.slice(0, length))
            )
          )
        )
        expect(result.holdBack).toBe(expected)
      }),
      { numRuns: 500 }
    )
  })

  test("a stream that withholds the hold-back never shows any part of a stop sequence", () => {
    const chunks = fc.array(fc.string({ unit: fc.constantFrom("a", "b", "\n"), maxLength: 5 }), { maxLength: 12 })
    fc.assert(
      fc.property(chunks, stopsArbitrary, (pieces, stops) => {
        const matcher = createStopMatcher(stops)
        // Generation ends at the first piece that completes a stop sequence; what follows is never produced.
        let text = ""
        const shown: string[] = []
        for (const piece of pieces) {
          text += piece
          const result = matcher.check(text)
          shown.push(result.stopped ? result.text : result.text.slice(0, result.text.length - result.holdBack))
          if (result.stopped) break
        }
        // The answer: the text cut before its earliest stop, the held-back tail flushed when no stop came.
        const answer = text.slice(0, earliestCut(text, stops))
        expect(matcher.check(text).text).toBe(answer)
        shown.forEach((visible, step) => {
          expect(answer.startsWith(visible)).toBe(true)
          if (step > 0) expect(visible.startsWith(shown[step - 1]!)).toBe(true)
        })
      }),
      { numRuns: 500 }
    )
  })

  test("no stop sequences: never stops, never holds back", () => {
    expect(createStopMatcher([]).check("anything")).toEqual({ stopped: false, text: "anything", holdBack: 0 })
  })

  test("multi-character example", () => {
    const matcher = createStopMatcher(["</s>", "\n\nUser:"])
    expect(matcher.check("Hello </")).toEqual({ stopped: false, text: "Hello </", holdBack: 2 })
    expect(matcher.check("Hello\n\nUs")).toEqual({ stopped: false, text: "Hello\n\nUs", holdBack: 4 })
    expect(matcher.check("Hi\n\nUser: x </s>")).toEqual({ stopped: true, text: "Hi", holdBack: 0 })
  })

  test("rejects more than 4 stop sequences, or an empty one", () => {
    expect(() => createStopMatcher(["a", "b", "c", "d", "e"])).toThrow(/5 stop sequences given; at most 4/)
    expect(() => createStopMatcher(["a", ""])).toThrow(/stop sequence 1 is ""; each must be a non-empty string/)
    expect(() => createStopMatcher([""])).toThrow(RangeError)
  })
})
