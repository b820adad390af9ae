// Builds the ModelClient for a provider configuration, wrapped in retries.
import { createAnthropicClient } from "./anthropic";
import { type ModelClient, ModelError, type ProviderConfig } from "./model-client";
import { createOpenAIClient } from "./openai";
import { createOpenAICompatibleClient } from "./openai-compatible";
import { createOpenAIResponsesClient } from "./openai-responses";
import { type RetryOptions, withRetry } from "./retry";

export type CreateModelClientOptions = {
  /** Retry behaviour; `false` returns the bare adapter (one attempt, no stall watchdog). */
  retry?: RetryOptions | false;
};

export function createProviderClient(config: ProviderConfig): ModelClient {
  switch (config.kind) {
    case "anthropic":
      return createAnthropicClient({ apiKey: config.apiKey, baseUrl: config.baseUrl });
    case "openai":
      return createOpenAIClient({ apiKey: config.apiKey, baseUrl: config.baseUrl });
    case "openai-responses":
      return createOpenAIResponsesClient({ apiKey: config.apiKey, baseUrl: config.baseUrl });
    case "openai-compatible":
      if (!config.baseUrl) throw new ModelError("bad_request", "An OpenAI-compatible provider needs a base URL (for example http://localhost:11434/v1)");
      return createOpenAICompatibleClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
  }
}

export function createModelClient(config: ProviderConfig, options: CreateModelClientOptions = {}): ModelClient {
  const client = createProviderClient(config);
  return options.retry === false ? client : withRetry(client, options.retry);
}
