// A JSON-schema subset compiled to a character automaton: compact JSON only (no whitespace), objects with their
// properties in the listed order, `const`, string `enum`s, bounded integers, and bounded strings over a given
// alphabet (`characters`). The language is finite, so every output has a bounded length, and a state that accepts
// has nothing left to add: reaching it ends the output.
//
// Built as an NFA (nodes with character edges and epsilon edges); DFA states are epsilon-closed sets of NFA nodes,
// made on demand and memoised, with their transitions.
import { Data } from "effect"
import type { JsonSchema } from "./catalog.ts"

export class GrammarError extends Data.TaggedError("GrammarError")<{ readonly message: string }> {}

interface NfaNode {
  /** Character -> next nodes. */
  readonly edges: Map<string, number[]>
  readonly epsilon: number[]
}

/** A fragment of the NFA: enter at `start`, leave from `end` (which has no edges yet). */
interface Fragment {
  readonly start: number
  readonly end: number
}

class NfaBuilder {
  readonly nodes: NfaNode[] = []

  node(): number {
    this.nodes.push({ edges: new Map(), epsilon: [] })
    return this.nodes.length - 1
  }

  edge(from: number, character: string, to: number): void {
    const targets = this.nodes[from]!.edges.get(character)
    if (targets === undefined) this.nodes[from]!.edges.set(character, [to])
    else targets.push(to)
  }

  epsilon(from: number, to: number): void {
    this.nodes[from]!.epsilon.push(to)
  }

  literal(text: string): Fragment {
    const start = this.node()
    let at = start
    for (const character of text) {
      const next = this.node()
      this.edge(at, character, next)
      at = next
    }
    return { start, end: at }
  }

  /** Any one of `words`, shared prefixes merged (a trie): enums and integer ranges. */
  oneOf(words: ReadonlyArray<string>): Fragment {
    if (words.length === 0) throw new GrammarError({ message: "an enum with no values matches nothing" })
    const start = this.node()
    const end = this.node()
    const children = new Map<number, Map<string, number>>()
    for (const word of words) {
      let at = start
      for (const character of word) {
        let byCharacter = children.get(at)
        if (byCharacter === undefined) {
          byCharacter = new Map()
          children.set(at, byCharacter)
        }
        let next = byCharacter.get(character)
        if (next === undefined) {
          next = this.node()
          byCharacter.set(character, next)
          this.edge(at, character, next)
        }
        at = next
      }
      if (!this.nodes[at]!.epsilon.includes(end)) this.epsilon(at, end)
    }
    return { start, end }
  }

  sequence(fragments: ReadonlyArray<Fragment>): Fragment {
    const first = fragments[0]
    if (first === undefined) return this.literal("")
    for (let index = 1; index < fragments.length; index++)
      this.epsilon(fragments[index - 1]!.end, fragments[index]!.start)
    return { start: first.start, end: fragments[fragments.length - 1]!.end }
  }

  alternatives(fragments: ReadonlyArray<Fragment>): Fragment {
    const start = this.node()
    const end = this.node()
    for (const fragment of fragments) {
      this.epsilon(start, fragment.start)
      this.epsilon(fragment.end, end)
    }
    return { start, end }
  }

  /** `minLength`..`maxLength` characters of `alphabet`. */
  repeat(alphabet: string, minLength: number, maxLength: number): Fragment {
    const start = this.node()
    const end = this.node()
    let at = start
    for (let count = 0; count <= maxLength; count++) {
      if (count >= minLength) this.epsilon(at, end)
      if (count === maxLength) break
      const next = this.node()
      for (const character of alphabet) this.edge(at, character, next)
      at = next
    }
    return { start, end }
  }
}

const fail = (message: string): never => {
  throw new GrammarError({ message })
}

const integerRange = (schema: JsonSchema): string[] => {
  const minimum = schema.minimum
  const maximum = schema.maximum
  if (!Number.isSafeInteger(minimum) || !Number.isSafeInteger(maximum)) {
    return fail("an integer needs integer minimum and maximum (the grammar's language must be finite)")
  }
  const low = minimum as number
  const high = maximum as number
  if (high < low) return fail(`an integer range ${low}..${high} is empty`)
  if (high - low > 100_000) return fail(`an integer range ${low}..${high} is too wide for the grammar`)
  const words: string[] = []
  for (let value = low; value <= high; value++) words.push(String(value))
  return words
}

/** Characters a string may hold without escaping in JSON. */
const plainCharacter = (character: string) => character !== '"' && character !== "\\" && character >= " "

const compileValue = (builder: NfaBuilder, schema: JsonSchema): Fragment => {
  if ("const" in schema) return builder.literal(JSON.stringify(schema.const))
  if (Array.isArray(schema.oneOf)) {
    return builder.alternatives((schema.oneOf as JsonSchema[]).map((option) => compileValue(builder, option)))
  }
  if (Array.isArray(schema.enum)) {
    for (const value of schema.enum) {
      if (typeof value !== "string" || ![...value].every(plainCharacter)) {
        fail("enum values must be strings of plain characters")
      }
    }
    return builder.oneOf((schema.enum as string[]).map((value) => JSON.stringify(value)))
  }
  switch (schema.type) {
    case "integer":
      return builder.oneOf(integerRange(schema))
    case "string": {
      const alphabet = schema.characters
      const maxLength = schema.maxLength
      const minLength = schema.minLength ?? 0
      if (typeof alphabet !== "string" || ![...alphabet].every(plainCharacter)) {
        return fail("a free string needs `characters`, an alphabet of plain characters")
      }
      if (!Number.isSafeInteger(maxLength) || !Number.isSafeInteger(minLength)) {
        return fail("a free string needs integer maxLength (and minLength)")
      }
      return builder.sequence([
        builder.literal('"'),
        builder.repeat(alphabet, minLength as number, maxLength as number),
        builder.literal('"')
      ])
    }
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
      const names = Object.keys(properties)
      const required = (schema.required ?? []) as string[]
      if (schema.additionalProperties !== false || names.some((name) => !required.includes(name))) {
        fail("objects must list every property as required and allow no others")
      }
      const parts: Fragment[] = [builder.literal("{")]
      names.forEach((name, index) => {
        parts.push(builder.literal(`${index === 0 ? "" : ","}${JSON.stringify(name)}:`))
        parts.push(compileValue(builder, properties[name]!))
      })
      parts.push(builder.literal("}"))
      return builder.sequence(parts)
    }
    default:
      return fail(`the grammar does not handle ${JSON.stringify(schema)}`)
  }
}

/** A DFA state: the epsilon-closed set of NFA nodes the text so far can be in. */
export interface GrammarState {
  readonly key: string
  /** The text so far is a complete output. */
  readonly accepting: boolean
  /** Nothing can follow: the output must end here. */
  readonly final: boolean
}

export interface Grammar {
  readonly start: GrammarState
  /** The state after `character`, or undefined where the text would leave the language. */
  step(state: GrammarState, character: string): GrammarState | undefined
  /** Longest output in characters. */
  readonly maxLength: number
}

export const compileGrammar = (schema: JsonSchema): Grammar => {
  const builder = new NfaBuilder()
  const root = compileValue(builder, schema)
  const { nodes } = builder
  const acceptNode = root.end

  const closure = (seeds: Iterable<number>): number[] => {
    const seen = new Set<number>()
    const stack = [...seeds]
    while (stack.length > 0) {
      const node = stack.pop()!
      if (seen.has(node)) continue
      seen.add(node)
      for (const next of nodes[node]!.epsilon) stack.push(next)
    }
    return [...seen].sort((a, b) => a - b)
  }

  interface InternalState extends GrammarState {
    readonly members: ReadonlyArray<number>
    readonly transitions: Map<string, InternalState | null>
  }
  const states = new Map<string, InternalState>()
  const stateOf = (members: number[]): InternalState => {
    const key = members.join(",")
    let state = states.get(key)
    if (state === undefined) {
      const accepting = members.includes(acceptNode)
      const final = members.every((node) => nodes[node]!.edges.size === 0)
      state = { key, accepting, final, members, transitions: new Map() }
      states.set(key, state)
    }
    return state
  }

  const step = (from: GrammarState, character: string): GrammarState | undefined => {
    const state = from as InternalState
    const known = state.transitions.get(character)
    if (known !== undefined) return known ?? undefined
    const targets: number[] = []
    for (const node of state.members) {
      const next = nodes[node]!.edges.get(character)
      if (next !== undefined) targets.push(...next)
    }
    const next = targets.length === 0 ? null : stateOf(closure(targets))
    state.transitions.set(character, next)
    return next ?? undefined
  }

  // The language is finite (no cycles), so the longest path from the start is the longest output.
  const longest = new Map<number, number>()
  const longestFrom = (node: number): number => {
    const known = longest.get(node)
    if (known !== undefined) return known
    let best = 0
    for (const next of nodes[node]!.epsilon) best = Math.max(best, longestFrom(next))
    for (const targets of nodes[node]!.edges.values())
      for (const next of targets) best = Math.max(best, 1 + longestFrom(next))
    longest.set(node, best)
    return best
  }

  const start = stateOf(closure([root.start]))
  return { start, step, maxLength: longestFrom(root.start) }
}

/** Whether `text` is a complete output of the grammar. */
export const matches = (grammar: Grammar, text: string): boolean => {
  let state: GrammarState | undefined = grammar.start
  for (const character of text) {
    state = grammar.step(state, character)
    if (state === undefined) return false
  }
  return state.accepting
}
