// OpenAI-compatible servers (Ollama, vLLM, llama.cpp, OpenRouter) through the Chat Completions
// adapter. Differences from OpenAI itself: `max_tokens` instead of `max_completion_tokens`, an
// optional API key, reasoning streamed as `reasoning_content`/`reasoning` (read by openai.ts), and
// usage that may be missing even with stream_options.include_usage (reported as zeros).
import type { ModelClient } from "./model-client";
import { createOpenAIClient } from "./openai";

export type OpenAICompatibleClientConfig = { baseUrl: string; apiKey?: string };

export function createOpenAICompatibleClient(config: OpenAICompatibleClientConfig): ModelClient {
  return createOpenAIClient({
    apiKey: config.apiKey ?? "",
    baseUrl: config.baseUrl,
    label: `The model server at ${new URL(config.baseUrl).host}`,
    provider: "openai-compatible",
    maxTokensField: "max_tokens",
  });
}
