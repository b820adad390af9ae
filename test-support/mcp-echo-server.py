#!/usr/bin/env python3
# A tiny MCP stdio server for tests (the sandbox image has python3, not node): newline-delimited
# JSON-RPC with tools "echo" (returns its text) and "crash" (exits at once).
import json
import sys


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


TOOLS = [
    {"name": "echo", "description": "Echo the given text back.", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}, "annotations": {"readOnlyHint": True}},
    {"name": "crash", "description": "Exit the server at once (tests the down state).", "inputSchema": {"type": "object", "properties": {}}},
]

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    request = json.loads(line)
    method = request.get("method")
    if "id" not in request:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": request["id"], "result": {
            "protocolVersion": request["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "echo", "version": "1.0.0"},
        }})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": request["id"], "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = request["params"]["name"]
        if name == "crash":
            sys.stderr.write("crashing on purpose\n")
            sys.exit(3)
        text = request["params"].get("arguments", {}).get("text", "")
        send({"jsonrpc": "2.0", "id": request["id"], "result": {"content": [{"type": "text", "text": "echo: " + text}]}})
    elif method == "ping":
        send({"jsonrpc": "2.0", "id": request["id"], "result": {}})
    else:
        send({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": "unknown method " + str(method)}})
