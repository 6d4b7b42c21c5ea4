// Held-out prompts for `evaluate_expert`: short children's-story sentences written for this project (not taken from
// any model's training data). The first `context` words are the prompt; the rest is scored token by token.
export const HELD_OUT: ReadonlyArray<{ readonly text: string; readonly context: number }> = [
  { text: "The little dog ran to the park and found a red ball under a big tree.", context: 3 },
  { text: "Mom said they could bake a cake together if Tom cleaned his room first.", context: 3 },
  { text: "One sunny day, a small bird sang a happy song for all her friends.", context: 3 }
]
