// Chat messages to prompt tokens: the model's own chat template from its GGUF metadata (a Jinja template, rendered by
// node-llama-cpp), or, for models without one, mesh's documented plain format.
import { type ChatHistoryItem, JinjaTemplateChatWrapper, type LlamaModel } from "node-llama-cpp"

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant"
  readonly content: string
}

const ROLE_NAMES = { system: "System", user: "User", assistant: "Assistant" } as const

/**
 * The default for models without a chat template: one line per message, `Role: content`, then `Assistant:` for the
 * answer. System messages come first, as given.
 */
export const plainChatText = (messages: ReadonlyArray<ChatMessage>): string =>
  `${messages.map((message) => `${ROLE_NAMES[message.role]}: ${message.content}`).join("\n")}\nAssistant:`

const toHistory = (messages: ReadonlyArray<ChatMessage>): ChatHistoryItem[] => [
  ...messages.map(
    (message): ChatHistoryItem =>
      message.role === "assistant"
        ? { type: "model", response: [message.content] }
        : { type: message.role, text: message.content }
  ),
  // An empty model turn: the rendered text ends where the answer begins.
  { type: "model", response: [] }
]

/** Prompt tokens of a chat, special tokens (BOS, role markers) included as the template writes them. */
export const chatTokens = (
  model: LlamaModel,
  template: string | undefined,
  messages: ReadonlyArray<ChatMessage>,
  encodePlain: (text: string) => number[]
): number[] => {
  if (template === undefined) return encodePlain(plainChatText(messages))
  const wrapper = new JinjaTemplateChatWrapper({ template })
  const { contextText } = wrapper.generateContextState({ chatHistory: toHistory(messages) })
  return contextText.tokenize(model.tokenizer).map(Number)
}
