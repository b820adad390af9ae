export { startScriptedModelServer, type RecordedRequest, type Responder, type ScriptedModelServer, type ScriptedModelServerOptions, type ScriptFailure } from "./server";
export type { ScriptedError, ScriptedReply, ScriptedToolCall, ScriptedUsage, ScriptExpect, ScriptStep } from "./script";
export { estimateTokens, promptText } from "./script";
