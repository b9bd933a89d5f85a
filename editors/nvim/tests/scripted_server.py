#!/usr/bin/env python3
"""A scripted LSP server for the plugin's own tests: it answers textDocument/inlineCompletion with three fixed
items (one of two lines), so the client side (rendering, accept, next, dismiss) is checked deterministically on every Neovim.
It is not qwen-lsp and proves nothing about it: tests/e2e.lua runs against the real binary for that.
Stdlib only. Reports model-load work-done progress like qwen-lsp does, and logs every request to stderr."""
import json
import os
import sys

ITEMS = ["a + b  # first", "a - b  # second", "(a *\n            b)  # third, two lines"]


def read():
    headers = {}
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        k, v = line.decode().split(":", 1)
        headers[k.lower()] = v.strip()
    return json.loads(sys.stdin.buffer.read(int(headers["content-length"])))


def send(msg):
    body = json.dumps(msg).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def main():
    next_id = 1000
    init_options = None
    while True:
        msg = read()
        if msg is None:
            return
        method = msg.get("method")
        print(f"scripted_server: {method}", file=sys.stderr, flush=True)
        if method == "initialize":
            init_options = msg["params"].get("initializationOptions")
            send({"jsonrpc": "2.0", "id": msg["id"], "result": {
                "capabilities": {"textDocumentSync": 1, "inlineCompletionProvider": True},
                "serverInfo": {"name": "scripted"}}})
        elif method == "initialized":
            token = "qwen-lsp/load-model/1"
            send({"jsonrpc": "2.0", "id": next_id, "method": "window/workDoneProgress/create", "params": {"token": token}})
            next_id += 1
            send({"jsonrpc": "2.0", "method": "$/progress", "params": {"token": token, "value": {"kind": "begin", "title": "Loading model"}}})
            send({"jsonrpc": "2.0", "method": "$/progress", "params": {"token": token, "value": {"kind": "end", "message": "loaded"}}})
            send({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "initializationOptions=" + json.dumps(init_options, sort_keys=True)}})
        elif method == "textDocument/inlineCompletion":
            pos = msg["params"]["position"]
            items = [{"insertText": t, "range": {"start": pos, "end": pos}} for t in ITEMS]
            send({"jsonrpc": "2.0", "id": msg["id"], "result": items})
        elif method == "qwen-lsp/didFocus":
            # Where the plugin says the cursor rests, for the e2e test to read.
            focus_log = os.environ.get("QWEN_FOCUS_LOG")
            pos = msg["params"].get("position") or {}
            if focus_log:
                with open(focus_log, "a") as f:
                    f.write(f"{msg['params']['textDocument']['uri']} {pos.get('line')}:{pos.get('character')}\n")
        elif method == "shutdown":
            send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        elif method == "exit":
            return
        elif "id" in msg and method is not None:
            send({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": "unsupported: " + method}})


if __name__ == "__main__":
    main()
