"""Code from stdin and pipes: `check -`, `apply - --stdin-filename`, /dev/stdin, <(…)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

IACMOD = str(Path(sys.executable).parent / "iacmod")
CODE = (
    "from datetime import datetime\n"
    "a = datetime.utcnow()\n"
    "b = datetime.utcnow().strftime('%Y')\n"
    "\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 204, 'body': 'x'}\n"
)
SAFE_FIXED = (
    "from datetime import datetime, timezone\n"
    "a = datetime.utcnow()\n"
    "b = datetime.now(timezone.utc).strftime('%Y')\n"
    "\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 204}\n"
)


def run(args: list[str], cwd: Path, stdin: str | None = None, shell: bool = False) -> subprocess.CompletedProcess:
    if shell:
        return subprocess.run(["bash", "-c", args[0]], cwd=cwd, input=stdin, capture_output=True, text=True)
    return subprocess.run([IACMOD, *args], cwd=cwd, input=stdin, capture_output=True, text=True)


def test_check_dash(tmp_path: Path) -> None:
    proc = run(["check", "--all", "-"], tmp_path, CODE)
    assert proc.returncode == 1
    codes = [line.split(": ")[1].split()[0] for line in proc.stdout.splitlines()]
    assert codes == ["IAC101", "IAC101", "IAC104"]
    assert proc.stdout.startswith("-:2:5: IAC101 [warning] datetime-utcnow:")


def test_apply_dash_writes_the_fixed_code_to_stdout(tmp_path: Path) -> None:
    proc = run(["apply", "--all", "-", "--stdin-filename", "lambda/handler.py"], tmp_path, CODE)
    assert proc.stdout == SAFE_FIXED
    assert proc.returncode == 1  # the unsafe fix is left: a finding remains
    assert "lambda/handler.py:2:5: IAC101" in proc.stderr  # findings on stderr, named by --stdin-filename
    assert not (tmp_path / "lambda").exists()

    unsafe = run(["apply", "--all", "--unsafe-fixes", "-"], tmp_path, CODE)
    assert unsafe.returncode == 0
    assert "a = datetime.now(timezone.utc)\n" in unsafe.stdout

    diff = run(["apply", "--all", "--dry-run", "-"], tmp_path, CODE)
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/-\n+++ b/-\n")


def test_stdin_filename_decides_config_exclude_and_rules(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.iacmod]\nexclude = ["generated/"]\n\n[tool.iacmod.per-file-ignores]\n"tests/*" = ["IAC101"]\n'
    )
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "pyproject.toml").write_text('[tool.iacmod]\nselect = ["IAC104"]\n')

    excluded = run(["apply", "-", "--stdin-filename", "generated/handler.py"], tmp_path, CODE)
    assert excluded.returncode == 0
    assert excluded.stdout == CODE  # passed through unchanged
    assert "excluded by `exclude`" in excluded.stderr

    per_file = run(["apply", "--all", "-", "--stdin-filename", "tests/test_x.py"], tmp_path, CODE)
    assert per_file.stdout == CODE.replace("{'statusCode': 204, 'body': 'x'}", "{'statusCode': 204}")
    assert "IAC101" not in per_file.stderr

    nearest = run(["check", "-", "--stdin-filename", "svc/app.py"], tmp_path, CODE)
    assert [line.split(": ")[1].split()[0] for line in nearest.stdout.splitlines()] == ["IAC104"]
    assert nearest.stdout.startswith("svc/app.py:6:")

    wrong = run(["check", "--all", "x.py", "--stdin-filename", "y.py"], tmp_path, CODE)
    assert wrong.returncode == 2 and "pass `-`" in wrong.stderr


def test_dev_stdin_and_process_substitution_are_read(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text(CODE)
    piped = run([f"cat x.py | {IACMOD} check --all /dev/stdin"], tmp_path, shell=True)
    assert piped.returncode == 1
    assert piped.stdout.count("IAC10") == 3

    substituted = run([f"{IACMOD} check --all <(cat x.py)"], tmp_path, shell=True)
    assert substituted.returncode == 1, substituted.stderr
    assert substituted.stdout.startswith("/dev/fd/")
    assert substituted.stdout.count("IAC10") == 3

    fixed = run([f"{IACMOD} apply --all <(cat x.py)"], tmp_path, shell=True)
    assert fixed.stdout == SAFE_FIXED
    assert (tmp_path / "x.py").read_text() == CODE

    both = run([f"{IACMOD} check --all x.py <(cat x.py)"], tmp_path, shell=True)
    assert both.stdout.count("IAC10") == 6


def test_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text(CODE)
    alone = run(["apply", "--all", "-", "x.py"], tmp_path, CODE)
    assert alone.returncode == 2 and "goes alone with `apply`" in alone.stderr
    twice = run(["check", "--all", "-", "/dev/stdin"], tmp_path, CODE)
    assert twice.returncode == 2 and "stdin can be read once" in twice.stderr
    interactive = run(["apply", "-i", "--dry-run", "x.py"], tmp_path)
    assert interactive.returncode == 2 and "does not go with --dry-run" in interactive.stderr
    assert (tmp_path / "x.py").read_text() == CODE
