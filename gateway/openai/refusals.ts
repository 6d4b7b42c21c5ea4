// Parameters the mesh ignores would silently change what a client gets, so the ones that alter generation are refused
// by name when they ask for anything but their neutral value. Every other unknown field is ignored, as OpenAI does.
import { type ApiError, invalidParameter, unsupportedParameter, unsupportedValue } from "./errors.ts"

export interface Refusal {
  readonly param: string
  /** Whether the value asks for something; the neutral values (null, "none", 0, {}, []) pass. */
  readonly active: (value: unknown) => boolean
  readonly reason: string
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const given = (value: unknown): boolean => value !== undefined && value !== null
const notNone = (value: unknown): boolean => given(value) && value !== "none"
const nonEmptyList = (value: unknown): boolean => given(value) && !(Array.isArray(value) && value.length === 0)
const nonEmptyMap = (value: unknown): boolean => given(value) && !(isRecord(value) && Object.keys(value).length === 0)
const nonZero = (value: unknown): boolean => given(value) && value !== 0

const NO_TOOLS = "Tool and function calling are not supported: the mesh mixes plain next-token distributions."

const sampling: ReadonlyArray<Refusal> = [
  { param: "logit_bias", active: nonEmptyMap, reason: "logit_bias is not supported; send {} or leave it out." },
  {
    param: "frequency_penalty",
    active: nonZero,
    reason: "frequency_penalty is not supported; send 0 or leave it out."
  },
  { param: "presence_penalty", active: nonZero, reason: "presence_penalty is not supported; send 0 or leave it out." }
]

export const CHAT_REFUSALS: ReadonlyArray<Refusal> = [
  { param: "tools", active: nonEmptyList, reason: NO_TOOLS },
  { param: "tool_choice", active: notNone, reason: NO_TOOLS },
  { param: "functions", active: nonEmptyList, reason: NO_TOOLS },
  { param: "function_call", active: notNone, reason: NO_TOOLS },
  {
    param: "response_format",
    active: (value) => given(value) && !(isRecord(value) && value.type === "text"),
    reason: "Only response_format { type: 'text' } is supported; JSON mode and structured outputs are not."
  },
  ...sampling,
  { param: "audio", active: given, reason: "Audio output is not supported." },
  {
    param: "modalities",
    active: (value) => given(value) && !(Array.isArray(value) && value.every((modality) => modality === "text")),
    reason: "Only the 'text' modality is supported."
  },
  { param: "prediction", active: given, reason: "Predicted outputs are not supported." }
]

export const COMPLETION_REFUSALS: ReadonlyArray<Refusal> = [
  ...sampling,
  { param: "echo", active: (value) => given(value) && value !== false, reason: "echo is not supported." },
  { param: "suffix", active: (value) => given(value) && value !== "", reason: "suffix (insertion) is not supported." },
  { param: "best_of", active: (value) => given(value) && value !== 1, reason: "best_of other than 1 is not supported." }
]

/** The first refused parameter the body asks for, in the list's order. */
export const findRefusal = (body: Readonly<Record<string, unknown>>, refusals: ReadonlyArray<Refusal>) => {
  const refusal = refusals.find(({ param, active }) => active(body[param]))
  return refusal === undefined ? undefined : unsupportedParameter(refusal.param, refusal.reason)
}

/** Token-id and batched prompts are forms of `prompt` the gateway does not take; say so rather than "wrong type". */
export const refusePromptForm = (prompt: unknown): ApiError | undefined => {
  if (!Array.isArray(prompt)) return undefined
  if (prompt.some((item) => typeof item === "number" || Array.isArray(item))) {
    return unsupportedValue("prompt", "Token-id prompts are not supported; send the prompt as text.")
  }
  if (prompt.length === 0) {
    return invalidParameter("prompt", "Invalid value for 'prompt': expected a string, but got an empty array.")
  }
  if (prompt.length > 1 && prompt.every((item) => typeof item === "string")) {
    return unsupportedValue(
      "prompt",
      `Batched prompts are not supported (got ${prompt.length}); send one prompt per request.`
    )
  }
  return undefined
}
