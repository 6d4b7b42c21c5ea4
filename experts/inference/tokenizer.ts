// Text <-> token ids for a tokenizer family, from a vocab-only load of one of its GGUF files (no weights).
import type { Llama, LlamaModel, Token } from "node-llama-cpp"
import { ModelLoadError } from "../errors.ts"
import { type ChatMessage, chatTokens } from "./chat-format.ts"
import type { ModelInfo } from "./model-file.ts"

export interface Tokenizer {
  readonly info: ModelInfo
  /** Tokens of `text` alone, with no BOS. */
  tokenize(text: string): number[]
  /** The prompt as the model expects it: BOS first where its metadata asks for it. */
  encodePrompt(text: string): number[]
  /** A chat's prompt: the model's chat template, or mesh's plain default where it has none (see chat-format.ts). */
  encodeChat(messages: ReadonlyArray<ChatMessage>): number[]
  /**
   * The text a token adds after `previous` (OpenAI logprobs list tokens as text, and they must join into the
   * completion: a SentencePiece token's leading space only shows after another token).
   */
  tokenText(token: number, previous?: number): string
  detokenize(tokens: ReadonlyArray<number>): string
  readonly eosToken: number
  dispose(): Promise<void>
}

export interface TokenizerOptions {
  /** A Jinja chat template to use instead of the one in the GGUF metadata (or where it has none). */
  readonly chatTemplate?: string
}

export const loadTokenizer = async (
  llama: Llama,
  info: ModelInfo,
  options: TokenizerOptions = {}
): Promise<Tokenizer> => {
  let model: LlamaModel
  try {
    model = await llama.loadModel({ modelPath: info.path, vocabOnly: true })
  } catch (cause) {
    throw new ModelLoadError({
      path: info.path,
      message: `cannot load the tokenizer of ${info.path}: ${String(cause)}`,
      cause
    })
  }
  const bos = model.tokens.bos
  const addBos = model.tokens.shouldPrependBosToken && bos !== null
  const tokenize = (text: string): number[] => model.tokenize(text).map(Number)
  const encodePrompt = (text: string) => (addBos ? [Number(bos), ...tokenize(text)] : tokenize(text))
  return {
    info: { ...info, addBos },
    tokenize,
    encodePrompt,
    encodeChat: (messages) => chatTokens(model, options.chatTemplate ?? info.chatTemplate, messages, encodePrompt),
    tokenText: (token, previous) => {
      if (previous === undefined) return model.detokenize([token as Token], true)
      const before = model.detokenize([previous as Token], true)
      return model.detokenize([previous as Token, token as Token], true).slice(before.length)
    },
    detokenize: (tokens) => model.detokenize(tokens as Token[]),
    eosToken: Number(model.tokens.eos ?? info.eosToken),
    dispose: () => model.dispose()
  }
}
