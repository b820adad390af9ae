export { startScriptedModelServer, type RecordedRequest, type ScriptedModelServer, type ScriptedModelServerOptions, type ScriptFailure } from "./server";
export type { ScriptedError, ScriptedReply, ScriptedToolCall, ScriptedUsage, ScriptExpect, ScriptStep } from "./script";
