"""`iacmod lsp` end to end: the server runs as a subprocess and a tiny JSON-RPC client (Content-
Length framing over its stdin/stdout) speaks LSP to it."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("pygls")

DEFECT = (
    "import pulumi\n"
    "import pulumi_aws as aws\n"
    "\n"
    'bucket = aws.s3.Bucket("site")\n'
    'url = f"https://{bucket.bucket_domain_name}/index.html"\n'
    'pulumi.export("url", url)\n'
)
FIXED = DEFECT.replace(
    'f"https://{bucket.bucket_domain_name}/index.html"',
    'pulumi.Output.format("https://{}/index.html", bucket.bucket_domain_name)',
)
UNSAFE = "from datetime import datetime\nstamp = datetime.utcnow()\nday = datetime.utcnow().strftime('%d')\n"


class Client:
    def __init__(self, cwd: Path, configuration: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "iacmod"), "lsp"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.messages: queue.Queue[dict] = queue.Queue()
        self.configuration = configuration
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: dict) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate, timeout: float = 60) -> dict:
        """The next message ``predicate`` accepts; answers workspace/configuration on the way."""
        import time

        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("no such message from the server")
            message = self.messages.get(timeout=left)
            if message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                self.send({"id": message["id"], "result": [self.configuration for _ in items]})
                continue
            if predicate(message):
                return message

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == ident and "method" not in m)

    def diagnostics(self, uri: str, version: int) -> list[dict]:
        message = self.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )
        )
        return message["params"]["diagnostics"]

    def close(self) -> int:
        self.request("shutdown", {})
        self.notify("exit", {})
        try:
            return self.proc.wait(timeout=30)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def apply_edits(text: str, edits: list[dict]) -> str:
    lines = text.split("\n")

    def offset(pos: dict) -> int:
        before = sum(len(line) + 1 for line in lines[: pos["line"]])
        return before + pos["character"]  # ASCII text: UTF-16 units are characters

    for edit in sorted(
        edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True
    ):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def start(tmp_path: Path, configuration: dict | None = None, init: dict | None = None) -> Client:
    client = Client(tmp_path, configuration)
    result = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": tmp_path.as_uri(),
            "capabilities": {"workspace": {"configuration": True}},
            "initializationOptions": init or {},
        },
    )
    assert result["result"]["serverInfo"]["name"] == "iacmod"
    assert result["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"] == [
        "quickfix",
        "source.fixAll.iacmod",
    ]
    client.notify("initialized", {})
    return client


def test_diagnostics_code_actions_and_change(tmp_path: Path) -> None:
    path = tmp_path / "stack.py"
    path.write_text("# the file on disk is not what the editor shows\n")
    uri = path.as_uri()
    client = start(tmp_path, configuration={"select": ["IAC2"]})
    try:
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": DEFECT}}
        )
        [diag] = client.diagnostics(uri, 1)
        assert diag["range"] == {
            "start": {"line": 4, "character": 6},
            "end": {"line": 4, "character": 55},
        }  # the f-string
        assert diag["code"] == "IAC202"
        assert diag["source"] == "iacmod"
        assert diag["severity"] == 1  # error
        assert diag["codeDescription"]["href"].endswith("docs/rules/pulumi-output-string.md")
        assert diag["message"].startswith("pulumi-output-string: an f-string with the Pulumi Output")

        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}},
        )["result"]
        titles = [(a["title"], a["kind"]) for a in actions]
        assert titles == [
            ("Fix: pulumi-output-string (IAC202)", "quickfix"),
            ("Fix all safe iacmod findings", "source.fixAll.iacmod"),
        ]
        for action in actions:
            assert apply_edits(DEFECT, action["edit"]["changes"][uri]) == FIXED

        only_fix_all = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"]},
            },
        )["result"]
        assert [a["kind"] for a in only_fix_all] == ["source.fixAll.iacmod"]

        client.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": FIXED}]}
        )
        assert client.diagnostics(uri, 2) == []
        assert path.read_text() == "# the file on disk is not what the editor shows\n"
    finally:
        assert client.close() == 0


def test_unsafe_fixes_are_labelled_and_settings_apply(tmp_path: Path) -> None:
    uri = (tmp_path / "handler.py").as_uri()
    client = start(tmp_path, configuration=None, init={"select": "IAC101"})
    try:
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": UNSAFE}}
        )
        diags = client.diagnostics(uri, 1)
        assert [(d["code"], d["severity"], d["range"]["start"]["line"]) for d in diags] == [
            ("IAC101", 2, 1),
            ("IAC101", 2, 2),
        ]
        everything = {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": everything, "context": {"diagnostics": diags}},
        )["result"]
        assert [a["title"] for a in actions] == [
            "Fix: datetime-utcnow (IAC101) [unsafe: review the change]",
            "Fix: datetime-utcnow (IAC101)",
            "Fix all safe iacmod findings",
        ]
        unsafe_only = apply_edits(UNSAFE, actions[0]["edit"]["changes"][uri])
        assert unsafe_only == (
            "from datetime import datetime, timezone\nstamp = datetime.now(timezone.utc)\n"
            "day = datetime.utcnow().strftime('%d')\n"
        )
        safe_all = apply_edits(UNSAFE, actions[2]["edit"]["changes"][uri])
        assert safe_all == (
            "from datetime import datetime, timezone\nstamp = datetime.utcnow()\n"
            "day = datetime.now(timezone.utc).strftime('%d')\n"
        )

        # settings changed in the editor: nothing selected but IAC2 → no finding here
        client.notify("workspace/didChangeConfiguration", {"settings": {"iacmod": {"select": ["IAC2"]}}})
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert client.diagnostics(uri, 1) == []
    finally:
        assert client.close() == 0
