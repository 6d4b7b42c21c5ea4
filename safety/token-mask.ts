// Grammar -> token mask. The vocabulary is indexed once per tokenizer as a trie of the tokens' texts; a mask walks
// that trie alongside the grammar's automaton, pruning a whole branch the moment its prefix leaves the language, so
// a token is allowed exactly when its whole text keeps the output a valid prefix. Masks depend only on the grammar's
// state, so each state's mask is computed once and reused (a cycle's grammar repeats states across tasks).
import type { Tokenizer } from "../experts/inference/tokenizer.ts"
import type { Grammar, GrammarState } from "./grammar.ts"

interface TrieNode {
  readonly children: Map<string, TrieNode>
  /** Tokens whose text ends here. */
  readonly tokens: number[]
}

export interface Vocabulary {
  readonly size: number
  /** The text each token adds in the middle of a text; "" for tokens never offered (control, partial bytes). */
  readonly pieces: ReadonlyArray<string>
  readonly root: TrieNode
}

/** Indexes token texts (one per token id; "" leaves a token out). */
export const indexVocabulary = (pieces: ReadonlyArray<string>): Vocabulary => {
  const root: TrieNode = { children: new Map(), tokens: [] }
  pieces.forEach((piece, token) => {
    if (piece.length === 0) return
    let node = root
    for (const character of piece) {
      let child = node.children.get(character)
      if (child === undefined) {
        child = { children: new Map(), tokens: [] }
        node.children.set(character, child)
      }
      node = child
    }
    node.tokens.push(token)
  })
  return { size: pieces.length, pieces, root }
}

const vocabularies = new WeakMap<Tokenizer, Vocabulary>()

/**
 * A tokenizer's vocabulary as the grammar sees it. Each token's text is the text it adds after an ordinary token
 * (so a SentencePiece "▁word" reads " word"); control tokens and byte tokens that are not whole characters on their
 * own read "" and are never offered.
 */
export const vocabularyOf = (tokenizer: Tokenizer): Vocabulary => {
  const known = vocabularies.get(tokenizer)
  if (known !== undefined) return known
  const anchor = tokenizer.tokenize("x")[0]!
  // Detokenized without special tokens: control tokens (BOS, EOS, <unk>) read "" and drop out.
  const before = tokenizer.detokenize([anchor])
  const pieces: string[] = []
  for (let token = 0; token < tokenizer.info.vocabSize; token++) {
    const text = tokenizer.detokenize([anchor, token]).slice(before.length)
    pieces.push(text.includes("\uFFFD") ? "" : text)
  }
  const vocabulary = indexVocabulary(pieces)
  vocabularies.set(tokenizer, vocabulary)
  return vocabulary
}

export interface Mask {
  /** Allowed token ids, ascending. */
  readonly tokens: ReadonlyArray<number>
  /** The grammar's state after each allowed token. */
  readonly next: ReadonlyMap<number, GrammarState>
}

export interface Masker {
  mask(state: GrammarState): Mask
  /** States whose masks were computed (not served from the cache). */
  readonly computed: () => number
}

export const createMasker = (grammar: Grammar, vocabulary: Vocabulary): Masker => {
  const cache = new Map<string, Mask>()
  let computed = 0
  const walk = (node: TrieNode, state: GrammarState, next: Map<number, GrammarState>) => {
    for (const token of node.tokens) next.set(token, state)
    for (const [character, child] of node.children) {
      const after = grammar.step(state, character)
      if (after !== undefined) walk(child, after, next)
    }
  }
  return {
    mask: (state) => {
      const known = cache.get(state.key)
      if (known !== undefined) return known
      computed++
      const next = new Map<number, GrammarState>()
      // The root holds no tokens (empty texts are left out), so every allowed token adds at least one character.
      walk(vocabulary.root, state, next)
      const mask = { tokens: [...next.keys()].sort((a, b) => a - b), next }
      cache.set(state.key, mask)
      return mask
    },
    computed: () => computed
  }
}
