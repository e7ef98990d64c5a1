#!/usr/bin/env python3
"""A small MCP client for the MCP conformance suite's auth scenarios.

Usage: client.py URL   (the suite appends the MCP server's URL to its command)

Every HTTP exchange goes through `oauthctl call --login`, which does all of the OAuth:
discovery from the server's 401 challenge (RFC 9728), client registration or the client ID
metadata document, the login, step-up after a 403 insufficient_scope. The script only
speaks MCP over Streamable HTTP: POST JSON-RPC `initialize`, `notifications/initialized`,
`tools/list` and `tools/call` with `Accept: application/json, text/event-stream`, and reads
the answer from a JSON body or from the `data:` lines of an event stream.

Each run gets a fresh oauthctl home (a run of one scenario must not see another's
registrations, tokens or cached discovery documents), shared by its oauthctl processes. The
first failed exchange ends the run with oauthctl's exit status (a failure must not go on to
start more authorizations). Python 3 standard library only.

Environment: OAUTHCTL (the binary, default `oauthctl`), BROWSER_COMMAND (the "browser" that
completes the authorization, default `curl -fsS -L -o /dev/null`: the suite's authorization
server approves by redirecting straight to the redirect URI), MCP_CONFORMANCE_CONTEXT (a
pre-registered client's `client_id` and `client_secret`), MCP_CLIENT_TRACE=1 (oauthctl's
`-v` trace on stderr).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

# The client ID metadata document URL the suite's CIMD scenario expects (it is never
# fetched: the authorization server only compares it).
CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json"
PROTOCOL_VERSION = "2025-11-25"


class Failed(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Client:
    def __init__(self, url, home):
        self.url = url
        self.protocol_version = None
        self.next_id = 1
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("OAUTHCTL_"):
                del self.env[name]
        self.env.update(
            OAUTHCTL_HOME=home,
            OAUTHCTL_TOKEN_STORE="file",
            XDG_CONFIG_HOME=os.path.join(home, "xdg-config"),
            XDG_STATE_HOME=os.path.join(home, "xdg-state"),
            XDG_CACHE_HOME=os.path.join(home, "xdg-cache"),
            NO_COLOR="1",
        )
        # Upper bounds only: the suite runs its scenarios in parallel, beside the other
        # tests, with a debug build; a login normally takes well under a second.
        self.base = [
            os.environ.get("OAUTHCTL", "oauthctl"),
            "call",
            "--login",
            "--fail",
            "--login-timeout",
            "60s",
            "--max-time",
            "120s",
            "--browser-command",
            os.environ.get("BROWSER_COMMAND", "curl -fsS -L -o /dev/null"),
            "--client-metadata-url",
            CLIENT_METADATA_URL,
            "-H",
            "Accept: application/json, text/event-stream",
        ]
        if os.environ.get("MCP_CLIENT_TRACE") == "1":
            self.base.append("-v")
        context = json.loads(os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}")
        if context.get("client_id"):
            self.base += ["--client-id", context["client_id"]]
        if context.get("client_secret"):
            self.env["MCP_CLIENT_SECRET"] = context["client_secret"]
            self.base += ["--client-secret-env", "MCP_CLIENT_SECRET"]
        if context.get("private_key_pem"):
            # private_key_jwt (the client credentials extension): the key goes to a private
            # file that lives as long as this process.
            self.key_dir = tempfile.TemporaryDirectory()
            key_file = os.path.join(self.key_dir.name, "client-key.pem")
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(context["private_key_pem"])
            self.base += ["--client-key-file", key_file]

    def post(self, message):
        """POSTs one JSON-RPC message; returns the JSON-RPC response, or None (202)."""
        cmd = list(self.base)
        if self.protocol_version:
            cmd += ["-H", f"MCP-Protocol-Version: {self.protocol_version}"]
        cmd += ["--json", json.dumps(message), "POST", self.url]
        done = subprocess.run(cmd, env=self.env, stdout=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise Failed(done.returncode, f"oauthctl call exited {done.returncode}")
        return parse(done.stdout.decode("utf-8", "replace"))

    def request(self, method, params=None):
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        self.next_id += 1
        if params is not None:
            message["params"] = params
        answer = self.post(message)
        if not isinstance(answer, dict) or "result" not in answer:
            raise Failed(1, f"{method}: no result in {answer!r}")
        return answer["result"]

    def notify(self, method):
        self.post({"jsonrpc": "2.0", "method": method})


def parse(body):
    """The JSON-RPC message of a JSON body or of an event stream's `data:` lines."""
    text = body.strip()
    if not text:
        return None
    if text.startswith("{"):
        return json.loads(text)
    data = []
    for line in body.splitlines():
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif not line.strip() and data:
            break
    if not data:
        raise Failed(1, f"neither JSON nor an event stream: {text[:200]!r}")
    return json.loads("\n".join(data))


def session(client):
    init = client.request(
        "initialize",
        {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "oauthctl-mcp-test", "version": "1"},
        },
    )
    client.protocol_version = init.get("protocolVersion", PROTOCOL_VERSION)
    client.notify("notifications/initialized")
    tools = client.request("tools/list").get("tools", [])
    if tools:
        client.request("tools/call", {"name": tools[0]["name"], "arguments": {}})


def main():
    if len(sys.argv) < 2:
        print("usage: client.py URL", file=sys.stderr)
        return 2
    home = tempfile.mkdtemp(prefix="oauthctl-mcp-")
    os.chmod(home, 0o700)
    try:
        session(Client(sys.argv[-1], home))
    except Failed as e:
        print(f"mcp client: {e}", file=sys.stderr)
        return e.status
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("mcp client: every exchange succeeded", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
