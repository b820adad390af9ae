// An MCP transport over a process in the session's sandbox: newline-delimited JSON-RPC on its
// stdin/stdout (the SDK's stdio framing), so stdio servers run where the agent's commands run.
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SandboxProcess, SpawnRequest } from "../sandbox/sandbox";

const STDERR_TAIL_CHARS = 2000;

export class SandboxStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private process: SandboxProcess | null = null;
  private readonly buffer = new ReadBuffer();
  private stderr = "";
  exitCode: number | null | undefined;

  constructor(
    private readonly spawn: (request: SpawnRequest) => Promise<SandboxProcess>,
    private readonly request: SpawnRequest,
  ) {}

  /** The end of the server's stderr, for "why did it stop" messages. */
  get stderrTail() {
    return this.stderr.trim();
  }

  async start() {
    const process = await this.spawn(this.request);
    this.process = process;
    process.onStdout((chunk) => {
      this.buffer.append(chunk);
      for (;;) {
        const message = (() => {
          try {
            return this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error instanceof Error ? error : new Error(String(error)));
            return undefined;
          }
        })();
        if (message === null) return;
        if (message) this.onmessage?.(message);
      }
    });
    process.onStderr((chunk) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    });
    process.onExit((code) => {
      this.exitCode = code;
      this.process = null;
      this.onclose?.();
    });
  }

  async send(message: JSONRPCMessage) {
    if (!this.process) throw new Error("the MCP server's process is not running");
    this.process.write(serializeMessage(message));
  }

  async close() {
    const process = this.process;
    this.process = null;
    this.buffer.clear();
    process?.kill();
  }
}
