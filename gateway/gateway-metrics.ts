// What the gateway counts, for GET /metrics.
import { createMetricsRegistry } from "./metrics.ts"

export const createGatewayMetrics = () => {
  const registry = createMetricsRegistry()
  return {
    registry,
    requests: registry.counter({
      name: "mesh_gateway_requests_total",
      help: "HTTP requests answered, by endpoint and status.",
      labelNames: ["endpoint", "status"]
    }),
    rejections: registry.counter({
      name: "mesh_gateway_rejections_total",
      help: "Requests refused before generating, by reason.",
      labelNames: ["reason"]
    }),
    promptTokens: registry.counter({
      name: "mesh_gateway_prompt_tokens_total",
      help: "Prompt tokens of admitted requests."
    }),
    completionTokens: registry.counter({ name: "mesh_gateway_completion_tokens_total", help: "Tokens generated." }),
    reusedPromptTokens: registry.counter({
      name: "mesh_gateway_reused_prompt_tokens_total",
      help: "Prompt tokens found in parked sessions' caches (a chat's earlier turns), not evaluated again."
    }),
    replacements: registry.counter({
      name: "mesh_gateway_expert_replacements_total",
      help: "Experts opened to replace ones that failed mid-answer."
    }),
    degradedSteps: registry.counter({
      name: "mesh_gateway_degraded_steps_total",
      help: "Steps mixed with fewer experts than chosen while a replacement caught up."
    }),
    inFlight: registry.gauge({ name: "mesh_gateway_generations_in_flight", help: "Generations running now." }),
    experts: registry.gauge({ name: "mesh_gateway_experts", help: "Experts in the router's registry." }),
    families: registry.gauge({ name: "mesh_gateway_families", help: "Tokenizer families (models) served." }),
    requestSeconds: registry.histogram({
      name: "mesh_gateway_request_seconds",
      help: "Time from request to the end of the response, by endpoint.",
      labelNames: ["endpoint"]
    }),
    firstTokenSeconds: registry.histogram({
      name: "mesh_gateway_time_to_first_token_seconds",
      help: "Time from request to the first generated text."
    })
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>
