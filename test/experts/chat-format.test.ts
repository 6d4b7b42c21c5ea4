// Chat prompts: mesh's plain default for models without a chat template, and a GGUF-style Jinja template rendered
// through node-llama-cpp, both tokenized with a real vocabulary.
import { Effect } from "effect"
import { expect, test } from "vitest"
import { plainChatText } from "../../experts/inference/chat-format.ts"
import { Inference } from "../../experts/inference/service.ts"
import { modelPath } from "../../runtime/models-dir.ts"
import { inferenceRunner } from "../helpers/runtime.ts"

const { run } = inferenceRunner()

const messages = [
  { role: "system", content: "Be brief" },
  { role: "user", content: "Tell me a story" },
  { role: "assistant", content: "Once upon a time" },
  { role: "user", content: "Go on" }
] as const

test("the plain default: one line per message, then the assistant's turn", () => {
  expect(plainChatText(messages)).toBe(
    "System: Be brief\nUser: Tell me a story\nAssistant: Once upon a time\nUser: Go on\nAssistant:"
  )
})

test("a model without a chat template gets BOS and the plain default", async () => {
  const { tokens, expected } = await run(
    Effect.gen(function* () {
      const inference = yield* Inference
      const tokenizer = yield* inference.loadTokenizer(modelPath("stories260K.gguf"))
      return { tokens: tokenizer.encodeChat(messages), expected: tokenizer.encodePrompt(plainChatText(messages)) }
    })
  )
  expect(tokens[0]).toBe(1)
  expect(tokens).toEqual(expected)
})

test("a chat template (Jinja, as GGUF metadata carries it) is rendered and tokenized", async () => {
  const template =
    "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
  const text = await run(
    Effect.gen(function* () {
      const inference = yield* Inference
      const tokenizer = yield* inference.loadTokenizer(modelPath("stories260K.gguf"), { chatTemplate: template })
      return tokenizer.detokenize(tokenizer.encodeChat(messages.slice(0, 2)))
    })
  )
  // The vocabulary's detokenizer puts a space before each newline; the structure is the template's.
  expect(text.replaceAll(" \n", "\n")).toBe("<|system|>Be brief\n<|user|>Tell me a story\n<|assistant|>")
})
