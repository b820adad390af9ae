// The part every provider adapter shares: run the SDK stream to its end, give each event to the
// adapter, map SDK errors, and turn a quiet abort or a stream cut short into a ModelError.
import { ModelError } from "./model-client";

export type DrainOptions<Event> = {
  open: () => Promise<AsyncIterable<Event>>;
  handle: (event: Event) => void;
  signal: AbortSignal;
  onActivity?: () => void;
  /** Names the provider in messages ("Anthropic", "OpenAI", …). */
  label: string;
  /** True once the stream has delivered its final event. */
  complete: () => boolean;
  toModelError: (error: unknown, signal: AbortSignal, label: string) => ModelError;
};

export const drainStream = async <Event>(options: DrainOptions<Event>): Promise<void> => {
  const { signal, label } = options;
  try {
    const events = await options.open();
    for await (const event of events) {
      options.onActivity?.();
      options.handle(event);
    }
  } catch (error) {
    throw options.toModelError(error, signal, label);
  }
  // Raw SDK streams can end quietly when aborted.
  if (signal.aborted) throw new ModelError("aborted", `The ${label} request was stopped`);
  if (!options.complete()) throw new ModelError("connection", `The ${label} stream ended before the reply was complete`);
};
