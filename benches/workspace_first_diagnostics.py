#!/usr/bin/env python3
"""Time from didOpen to the first publishDiagnostics of one plan, with the
server's workspace folder set to a folder of many plans (discovery and
workspace diagnostics run meanwhile) and, for comparison, to the plan's own
folder. Python 3 standard library only.

    python3 benches/workspace_first_diagnostics.py SERVER_BINARY WORKSPACE_DIR PLAN [ROUNDS]
"""

import json
import os
import statistics
import subprocess
import sys
import time


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))


def first_diagnostics_ms(server, root, plan):
    proc = subprocess.Popen(
        [server, "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    root_uri = "file://" + os.path.abspath(root)
    plan_uri = "file://" + os.path.abspath(plan)
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": root_uri, "capabilities": {},
        "workspaceFolders": [{"uri": root_uri, "name": "ws"}]}})
    while receive(proc).get("id") != 1:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    with open(plan, encoding="utf-8") as f:
        text = f.read()
    start = time.perf_counter()
    send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": plan_uri, "languageId": "markdown", "version": 1, "text": text}}})
    while True:
        message = receive(proc)
        if message.get("id") is not None and "method" in message:
            # a request from the server (configuration, registration): answer
            send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": None})
            continue
        if (message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == plan_uri):
            elapsed = (time.perf_counter() - start) * 1000
            break
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    while receive(proc).get("id") != 2:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=10)
    return elapsed


def main():
    server, workspace, plan = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    own = os.path.dirname(os.path.dirname(os.path.abspath(plan)))
    for label, root in [("own folder", own), ("whole workspace", workspace)]:
        times = [first_diagnostics_ms(server, root, plan) for _ in range(rounds)]
        print(f"{label:16} first diagnostics median {statistics.median(times):6.1f} ms"
              f"  (min {min(times):.1f}, max {max(times):.1f}, {rounds} runs)")


if __name__ == "__main__":
    main()
