"""`iacmod apply --interactive` end to end, in a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

IACMOD = str(Path(sys.executable).parent / "iacmod")
PROMPT = r"Apply this fix \[y,n,a,d,q,\?\]\? "
HANDLER = """\
from datetime import datetime


def handler(event, context):
    a = datetime.utcnow()
    b = datetime.utcnow().strftime("%Y")
    c = datetime.utcnow().date()
    d = datetime.utcnow().timestamp()
    if event:
        return {"statusCode": 204, "body": "gone"}
    return {"statusCode": 204, "body": ""}
"""


def spawn(args: list[str], cwd: Path, color: bool = False):
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    if not color:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(IACMOD, args, cwd=str(cwd), env=env, encoding="utf-8", timeout=120)


def answer(child, replies: list[str]) -> list[str]:
    """Answer each prompt; returns what was shown before each one."""
    shown = []
    for reply in replies:
        child.expect(PROMPT)
        shown.append(child.before)
        child.sendline(reply)
    return shown


def test_yes_no_all_quit(tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text(HANDLER)
    child = spawn(["apply", "-i", "--all", "handler.py"], tmp_path)
    # line 5 (unsafe): ?, then n; line 6: a (line 7 and 8 follow without asking);
    # line 10: y; line 11: q
    shown = answer(child, ["?", "n", "a", "y", "q"])
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    assert child.exitstatus == 0
    first = shown[0]
    assert "handler.py:5:9: IAC101 datetime-utcnow [warning] — UNSAFE fix (may change behaviour: review it)" in first
    assert "-    a = datetime.utcnow()\r\n+    a = datetime.now(timezone.utc)\r\n" in first
    assert "\x1b[" not in first  # NO_COLOR: plain
    assert "q - quit" in shown[1]  # the help after `?`
    assert "handler.py:6:9: IAC101 datetime-utcnow [warning] — safe fix" in shown[2]
    assert "applied (all fixes of this rule)" in shown[3]
    assert "handler.py:10:36: IAC104 http-204-no-body [warning] — safe fix" in shown[3]
    assert "handler.py:11:32: IAC104" in shown[4]
    assert "4 fix(es) applied in 1 file(s); 1 declined; stopped (q)." in tail
    assert (
        path.read_text()
        == """\
from datetime import datetime, timezone


def handler(event, context):
    a = datetime.utcnow()
    b = datetime.now(timezone.utc).strftime("%Y")
    c = datetime.now(timezone.utc).date()
    d = datetime.now(timezone.utc).timestamp()
    if event:
        return {"statusCode": 204}
    return {"statusCode": 204, "body": ""}
"""
    )


def test_done_with_rule_and_colour(tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text(HANDLER)
    other = tmp_path / "other.py"
    other.write_text("from datetime import datetime\nday = datetime.utcnow().strftime('%d')\n")
    child = spawn(["apply", "--interactive", "--all", "handler.py", "other.py"], tmp_path, color=True)
    # handler.py line 5: y (unsafe, accepted); line 6: d (no more IAC101, in any file); line 10: n; line 11: y
    shown = answer(child, ["y", "d", "n", "y"])
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    assert child.exitstatus == 0
    assert "\x1b[" in shown[0]  # coloured on a terminal
    assert "+from datetime" not in shown[1]  # derived again on the new text: the import is there already
    assert "2 fix(es) applied in 1 file(s); 5 declined." in tail
    assert (
        path.read_text()
        == """\
from datetime import datetime, timezone


def handler(event, context):
    a = datetime.now(timezone.utc)
    b = datetime.utcnow().strftime("%Y")
    c = datetime.utcnow().date()
    d = datetime.utcnow().timestamp()
    if event:
        return {"statusCode": 204, "body": "gone"}
    return {"statusCode": 204}
"""
    )
    assert other.read_text() == "from datetime import datetime\nday = datetime.utcnow().strftime('%d')\n"


def test_refuses_without_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text(HANDLER)
    proc = subprocess.run(
        [IACMOD, "apply", "-i", "--all", "handler.py"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "needs a terminal on stdin" in proc.stderr
    assert path.read_text() == HANDLER


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_branch_commits_the_accepted_fixes(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "dev@example.com")
    git(tmp_path, "config", "user.name", "Dev")
    (tmp_path / "handler.py").write_text(HANDLER)
    git(tmp_path, "add", "handler.py")
    git(tmp_path, "commit", "-q", "-m", "init")
    child = spawn(["apply", "-i", "--all", "--branch", "iacmod/fixes", "handler.py"], tmp_path)
    answer(child, ["n", "d", "y", "n"])  # only line 10's IAC104 fix
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    assert child.exitstatus == 0, tail
    assert "Created branch iacmod/fixes: 1 commit" in tail
    assert (tmp_path / "handler.py").read_text() == HANDLER  # the work tree is not touched
    assert git(tmp_path, "show", "iacmod/fixes:handler.py") == HANDLER.replace(
        '{"statusCode": 204, "body": "gone"}', '{"statusCode": 204}'
    )


def test_fix_that_cannot_apply_alone_is_skipped_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "stack.py"
    code = (
        "import pulumi\n"
        "from datetime import datetime\n"
        "fn_code = pulumi.StringAsset('''\n"
        "from datetime import datetime\n"
        "def handler(e, c):\n"
        "    return datetime.utcnow().strftime('%Y')\n"
        "''')\n"
        "day = datetime.utcnow().strftime('%d')\n"
    )
    path.write_text(code)
    child = spawn(["apply", "-i", "--all", "stack.py"], tmp_path)
    shown = answer(child, ["y"])
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    assert child.exitstatus == 0
    assert "stack.py:6: IAC101 datetime-utcnow: skipped: it cannot be applied on its own" in shown[0]
    assert "stack.py:8:7: IAC101" in shown[0]
    assert "1 fix(es) applied in 1 file(s); 1 skipped." in tail
    assert path.read_text() == code.replace("import datetime\nfn_code", "import datetime, timezone\nfn_code").replace(
        "day = datetime.utcnow()", "day = datetime.now(timezone.utc)"
    )
