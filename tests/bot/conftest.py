"""Real git repositories in temporary folders, a bare repository as the remote, and a loopback
HTTP server that answers like GitHub's REST API for the endpoints ``iacmod pr`` uses, recording
every request so that tests can assert the exact calls. No network."""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from iacmod.cli.app import app

TOKEN = "ghp_TESTtoken0123456789abcdefSECRET"

APP_BEFORE = """\
from datetime import datetime

# keep this comment
stamp = datetime.utcnow().strftime("%Y-%m-%d")
created = datetime.utcnow().isoformat()
"""
APP_AFTER = """\
from datetime import datetime, timezone

# keep this comment
stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
created = datetime.utcnow().isoformat()
"""
MODELS = """\
import dataclasses
from datetime import datetime


@dataclasses.dataclass
class Item:
    created: datetime = dataclasses.field(default_factory=datetime.utcnow)
"""
CLEAN = "def handler(event, context):\n    return {'ok': True}\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(autouse=True)
def git_env(tmp_path, monkeypatch):
    """Nothing depends on the machine's git config, proxies or tokens."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Dev Person")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "dev@example.com")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("COLUMNS", "200")


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    files = files if files is not None else {"app.py": APP_BEFORE, "models.py": MODELS, "handler.py": CLEAN}
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


@dataclass
class Remote:
    bare: Path
    work: Path


@pytest.fixture
def remote(tmp_path) -> Remote:
    """A bare 'origin' holding one commit on main, and a clone to work in."""
    seed = make_repo(tmp_path / "seed")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    return Remote(bare, work)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str) -> Result:
    res = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Result(res.exit_code, res.stdout, res.stderr)


# -- the fake GitHub -------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str | None

    @property
    def call(self) -> str:
        q = "&".join(f"{k}={v[0]}" for k, v in sorted(self.query.items()))
        return f"{self.method} {self.path}" + (f"?{q}" if q else "")


@dataclass
class FakeGitHub:
    prefix: str = ""
    owner: str = "octo"
    name: str = "infra"
    default_branch: str = "main"
    token: str = TOKEN
    requests: list[Request] = field(default_factory=list)
    pulls: dict[int, dict] = field(default_factory=dict)
    comments: list[tuple[int, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # "METHOD /path" -> status to answer
    # "METHOD /path" -> statuses to answer first, one per request, then the normal answer
    # (transient failures: a 502 from a proxy, a secondary rate limit)
    transient: dict[str, list[int]] = field(default_factory=dict)
    url: str = ""

    @property
    def api_url(self) -> str:
        return self.url + self.prefix

    @property
    def calls(self) -> list[str]:
        return [r.call for r in self.requests]

    def reset(self) -> None:
        self.requests.clear()

    def pr_json(self, number: int) -> dict:
        pr = self.pulls[number]
        repo = f"{self.api_url}/repos/{self.owner}/{self.name}"
        return {
            "id": 1000 + number,
            "number": number,
            "state": pr["state"],
            "title": pr["title"],
            "body": pr["body"],
            "draft": pr["draft"],
            "url": f"{repo}/pulls/{number}",
            "issue_url": f"{repo}/issues/{number}",
            "html_url": f"https://github.test/{self.owner}/{self.name}/pull/{number}",
            "head": {"ref": pr["head"], "label": f"{self.owner}:{pr['head']}"},
            "base": {"ref": pr["base"], "label": f"{self.owner}:{pr['base']}"},
            "labels": [{"name": n} for n in pr["labels"]],
        }

    def handle(self, method: str, path: str, query: dict, body: Any, auth: str | None) -> tuple[int, Any]:
        self.requests.append(Request(method, path, query, body, auth))
        if auth != f"token {self.token}":
            return 401, {"message": "Bad credentials"}
        pending = self.transient.get(f"{method} {path}")
        if pending:
            status = pending.pop(0)
            if status == 403:
                return status, {
                    "message": "You have exceeded a secondary rate limit. Please wait a few "
                    "minutes before you try again."
                }
            return status, {"message": "Bad Gateway"}
        if f"{method} {path}" in self.fail:
            return self.fail[f"{method} {path}"], {"message": "Resource not accessible by integration"}
        if not path.startswith(self.prefix):
            return 404, {"message": "Not Found"}
        path = path[len(self.prefix) :]
        repo = f"/repos/{self.owner}/{self.name}"
        if method == "GET" and path == repo:
            return 200, {
                "id": 1,
                "name": self.name,
                "full_name": f"{self.owner}/{self.name}",
                "owner": {"login": self.owner},
                "default_branch": self.default_branch,
                "url": f"{self.api_url}{repo}",
            }
        if method == "GET" and path == f"{repo}/pulls":
            state = query.get("state", ["open"])[0]
            head = query.get("head", [None])[0]
            found = [
                self.pr_json(n)
                for n, pr in sorted(self.pulls.items())
                if (state == "all" or pr["state"] == state) and (head is None or head == f"{self.owner}:{pr['head']}")
            ]
            return 200, found
        if method == "POST" and path == f"{repo}/pulls":
            number = len(self.pulls) + 1
            self.pulls[number] = {
                "state": "open",
                "title": body["title"],
                "body": body["body"],
                "head": body["head"],
                "base": body["base"],
                "draft": body.get("draft", False),
                "labels": [],
            }
            return 201, self.pr_json(number)
        parts = path[len(repo) :].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "pulls" and method == "PATCH" and int(parts[1]) in self.pulls:
            self.pulls[int(parts[1])].update({k: v for k, v in body.items() if k in ("title", "body", "base", "state")})
            return 200, self.pr_json(int(parts[1]))
        if len(parts) == 3 and parts[0] == "issues" and method == "POST" and int(parts[1]) in self.pulls:
            number = int(parts[1])
            if parts[2] == "labels":
                labels = self.pulls[number]["labels"]
                names = body["labels"] if isinstance(body, dict) else body  # both forms are accepted
                labels += [n for n in names if n not in labels]
                return 200, [{"name": n} for n in labels]
            if parts[2] == "comments":
                self.comments.append((number, body["body"]))
                return 201, {"id": 1, "body": body["body"]}
        return 404, {"message": "Not Found"}


@pytest.fixture
def github(monkeypatch):
    from iacmod.bot.forge import GitHubForge

    monkeypatch.setattr(GitHubForge, "seconds_between_requests", 0)
    monkeypatch.setattr(GitHubForge, "seconds_between_writes", 0)
    monkeypatch.setattr(GitHubForge, "retry_backoff", 0)
    monkeypatch.setattr(GitHubForge, "secondary_rate_wait", 0)
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, payload = fake.handle(
                self.command, split.path, parse_qs(split.query), body, self.headers.get("Authorization")
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
