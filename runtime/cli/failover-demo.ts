// The demo's sessions part: a chat's second turn reuses the first turn's expert sessions (KV caches), and a stream
// whose expert is SIGKILLed mid-answer goes on with a replacement. The killed expert is started again afterwards, so
// the rest of the demo has the whole swarm.
import { Effect, type Scope } from "effect"
import type { ExpertProcess, ExpertProcessError } from "../expert-process.ts"
import type { RouterNode } from "../router-node.ts"

export interface FailoverDemoOptions {
  readonly gatewayUrl: string
  readonly router: RouterNode
  readonly experts: ReadonlyArray<ExpertProcess>
  /** Starts expert `index` again (same model), in the demo's scope. */
  readonly restart: (index: number) => Effect.Effect<ExpertProcess, ExpertProcessError, Scope.Scope>
  readonly out: (line: string) => void
}

interface ChatAnswer {
  readonly choices?: ReadonlyArray<{ readonly message: { readonly content: string } }>
  readonly usage?: { readonly prompt_tokens: number }
  readonly mesh?: { readonly reused_tokens: number; readonly experts: ReadonlyArray<string> }
}

const chat = async (url: string, messages: ReadonlyArray<{ role: string; content: string }>): Promise<ChatAnswer> => {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "stories260K", messages, max_tokens: 24, temperature: 0 })
  })
  return (await response.json()) as ChatAnswer
}

export const failoverDemo = (options: FailoverDemoOptions) =>
  Effect.gen(function* () {
    const { out } = options
    // Sticky sessions: the second turn starts with the first turn's tokens.
    const first = [{ role: "user", content: "Tell me about a cat named Tom" }]
    const turn1 = yield* Effect.promise(() => chat(options.gatewayUrl, first))
    const second = [
      ...first,
      { role: "assistant", content: turn1.choices?.[0]?.message.content ?? "" },
      { role: "user", content: "And then?" }
    ]
    const turn2 = yield* Effect.promise(() => chat(options.gatewayUrl, second))
    out("\nsticky sessions: a chat's second turn through the gateway")
    out(`  turn 2 prompt ${turn2.usage?.prompt_tokens} tokens, ${turn2.mesh?.reused_tokens} of them already in the`)
    out("  experts' caches from turn 1 (the same experts answered; only the new message was evaluated)")

    // Failover: K = 1, greedy; the expert answering is killed after 8 tokens.
    out("\nfailover: K = 1, greedy; the expert answering is SIGKILLed after 8 tokens")
    let victim: ExpertProcess | undefined
    let killedAt = 0
    let recoveredMs = 0
    let tokens = 0
    let text = ""
    let replacements = 0
    yield* Effect.promise(async () => {
      for await (const event of options.router.generate({
        prompt: "Once upon a time",
        k: 1,
        maxTokens: 32,
        sampling: { temperature: 0 }
      })) {
        if (event._tag === "Started") victim = options.experts.find((expert) => expert.peerId === event.experts[0])
        if (event._tag === "Token") {
          tokens++
          text += event.text
          if (tokens === 8 && victim !== undefined) {
            text += " [killed]"
            killedAt = performance.now()
            victim.child.kill("SIGKILL")
          } else if (tokens === 9) recoveredMs = performance.now() - killedAt
        }
        if (event._tag === "Finished") {
          text += event.rest
          replacements = event.replacements
        }
      }
    })
    out(`  Once upon a time${text}`)
    out(
      `  ${victim?.manifest.modelName} ${victim?.manifest.quantization} (pid ${victim?.pid}) was killed; ${replacements} replacement replayed the prefix and the stream went on ${recoveredMs.toFixed(0)} ms later`
    )
    // The donor comes back (as a new peer: the demo keeps no identities).
    if (victim !== undefined) yield* options.restart(options.experts.indexOf(victim))
  })
