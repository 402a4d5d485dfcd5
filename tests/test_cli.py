"""The command line: exit codes, dry run, formats, config, selection."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HANDLER = (
    "from datetime import datetime\n\n"
    "def handler(event, context):\n"
    '    return {"day": datetime.utcnow().strftime("%Y-%m-%d"), "at": datetime.utcnow().isoformat()}\n'
)
HANDLER_FIXED = HANDLER.replace("import datetime\n", "import datetime, timezone\n").replace(
    'datetime.utcnow().strftime', 'datetime.now(timezone.utc).strftime'
)
HANDLER_UNSAFE = HANDLER_FIXED.replace("datetime.utcnow().isoformat", "datetime.now(timezone.utc).isoformat")
CLEAN = "def handler(event, context):\n    return 1\n"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "handler.py").write_text(HANDLER)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_list_and_explain(iacmod_cli):
    code, out, _ = iacmod_cli("list", env={"COLUMNS": "240"})
    assert code == 0 and "IAC101" in out and "datetime-utcnow" in out
    header = out.splitlines()[0].split()
    assert [c for c in header if c.isalpha()][:6] == ["code", "name", "severity", "targets", "fix", "summary"]
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "warning" in rows["IAC101"] and "sometimes, depends" in rows["IAC101"]
    assert "error" in rows["IAC201"] and "sometimes, safe" in rows["IAC201"]
    assert "always, depends" in rows["IAC104"] and "sometimes, unsafe" in rows["IAC401"]
    code, out, _ = iacmod_cli("list", "--format", "json")
    assert {
        "code": "IAC101", "name": "datetime-utcnow", "severity": "warning",
        "fix_availability": "sometimes", "fix_applicability": "depends",
    }.items() <= json.loads(out)[0].items()
    assert {r["severity"] for r in json.loads(out)} == {"error", "warning", "info"}
    code, out, _ = iacmod_cli("explain", "datetime-utcnow")
    assert code == 0 and "## Why is this bad?" in out and "## Fix safety" in out
    code, _, err = iacmod_cli("explain", "no-such-rule")
    assert code == 2 and "unknown rule" in err


def test_check_reports_and_exits_1(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", str(repo))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("[fix available]") and ":4:20: IAC101 [warning] datetime-utcnow:" in lines[0]
    assert (repo / "app" / "handler.py").read_text() == HANDLER


def test_check_clean_exits_0(iacmod_cli, tmp_path):
    (tmp_path / "clean.py").write_text(CLEAN)
    code, out, err = iacmod_cli("check", str(tmp_path))
    assert code == 0 and out == "" and "No findings" in err


def test_check_json_is_valid(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", str(repo), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["summary"]["findings"] == 2
    assert {f["fix"]["safety"] for f in data["findings"]} == {"safe", "unsafe"}
    assert all(f["rule"] == "datetime-utcnow" and f["line"] == 4 for f in data["findings"])
    assert all(f["severity"] == "warning" for f in data["findings"])


def test_check_github_annotations(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", str(repo), "--format", "github")
    assert code == 1
    assert all(line.startswith("::warning file=") for line in out.splitlines())
    assert "title=IAC101 datetime-utcnow" in out


def test_dry_run_prints_diff_writes_nothing(iacmod_cli, repo):
    before = {p: p.read_bytes() for p in repo.rglob("*.py")}
    code, out, err = iacmod_cli("apply", "--all", "--dry-run", str(repo))
    assert code == 1
    assert "+from datetime import datetime, timezone" in out
    assert '-    return {"day": datetime.utcnow()' in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert {p: p.read_bytes() for p in repo.rglob("*.py")} == before
    assert "would change" in err


def test_dry_run_output_is_a_patch(iacmod_cli, repo):
    import subprocess

    code, out, err = iacmod_cli("apply", "--all", "--dry-run", str(repo), cwd=repo)
    assert code == 1 and "[unsafe fix available" in err and "IAC101" not in out
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "apply", "-"], input=out, text=True, cwd=repo, check=True)
    assert (repo / "app" / "handler.py").read_text() == HANDLER_FIXED


def test_dry_run_nothing_to_do_exits_0(iacmod_cli, tmp_path):
    (tmp_path / "clean.py").write_text(CLEAN)
    code, out, _ = iacmod_cli("apply", "--all", "--dry-run", str(tmp_path))
    assert code == 0 and out == ""


def test_apply_writes_and_reports_remaining(iacmod_cli, repo):
    code, out, err = iacmod_cli("apply", "--all", str(repo))
    assert (repo / "app" / "handler.py").read_text() == HANDLER_FIXED
    assert code == 1  # the unsafe fix was skipped, a finding remains
    assert "[unsafe fix available: --unsafe-fixes]" in out
    assert "1 unsafe fix(es) skipped" in err
    code, _, _ = iacmod_cli("apply", "--all", "--exit-zero", str(repo))
    assert code == 0
    code, _, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", str(repo))
    assert code == 0
    assert (repo / "app" / "handler.py").read_text() == HANDLER_UNSAFE
    # a second run changes nothing
    code, out, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", "--dry-run", str(repo))
    assert code == 0 and out == ""


def test_apply_keeps_file_mode(iacmod_cli, repo):
    path = repo / "app" / "handler.py"
    os.chmod(path, 0o750)
    iacmod_cli("apply", "--all", str(repo))
    assert (path.stat().st_mode & 0o777) == 0o750
    assert not list(path.parent.glob("*.iacmod-tmp"))


def test_syntax_error_file_reported_others_fixed(iacmod_cli, repo):
    bad = repo / "app" / "bad.py"
    bad.write_text("from datetime import datetime\nx = datetime.utcnow(\n")
    code, _, err = iacmod_cli("apply", "--all", str(repo))
    assert code == 1
    assert "bad.py:" in err and ": error: syntax error" in err
    assert bad.read_text() == "from datetime import datetime\nx = datetime.utcnow(\n"
    assert (repo / "app" / "handler.py").read_text() == HANDLER_FIXED


def test_select_ignore_and_unknown_rule(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", "--ignore", "IAC101", str(repo))
    assert code == 0 and out == ""
    code, out, _ = iacmod_cli("check", "--select", "IAC1", str(repo))
    assert code == 1 and "IAC101" in out
    code, _, err = iacmod_cli("check", "--select", "nope", str(repo))
    assert code == 2 and "unknown rule 'nope'" in err
    code, _, err = iacmod_cli("apply", "--all", "--select", "IAC101", str(repo))
    assert code == 2


def test_missing_path_is_usage_error(iacmod_cli, tmp_path):
    code, _, err = iacmod_cli("check", str(tmp_path / "nope"))
    assert code == 2 and "no such file or directory" in err


def test_config_select_options_and_errors(iacmod_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.iacmod]\nignore = ["datetime-utcnow"]\n')
    code, out, _ = iacmod_cli("check", str(repo / "app"))
    assert code == 0 and out == ""
    (repo / "pyproject.toml").write_text('[tool.iacmod]\nunsafe-fixes = true\n')
    iacmod_cli("apply", str(repo))
    assert (repo / "app" / "handler.py").read_text() == HANDLER_UNSAFE
    (repo / "pyproject.toml").write_text('[tool.iacmod]\nselct = ["IAC101"]\n')
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "unknown key 'selct'" in err
    (repo / "pyproject.toml").write_text('[tool.iacmod.rules.no-such-rule]\nx = 1\n')
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "no rule named 'no-such-rule'" in err
    (repo / "pyproject.toml").write_text('[tool.iacmod.rules.datetime-utcnow]\nx = 1\n')
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "has no option 'x'" in err
    (repo / "pyproject.toml").write_text('[tool.iacmod\n')
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "invalid TOML" in err


def test_exclude_and_gitignore(iacmod_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.iacmod]\nexclude = ["app/handler.py"]\n')
    code, out, _ = iacmod_cli("check", str(repo))
    assert code == 0 and out == ""
    (repo / "pyproject.toml").unlink()
    (repo / ".gitignore").write_text("app/\n")
    code, out, _ = iacmod_cli("check", str(repo))
    assert code == 0 and out == ""
    # a file named explicitly is always checked
    code, out, _ = iacmod_cli("check", str(repo / "app" / "handler.py"))
    assert code == 1


def test_console_script_and_no_color(repo):
    """The installed entry point, with NO_COLOR set and a pseudo-terminal free run."""
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "iacmod.cli.app", "apply", "--all", "--dry-run", str(repo)],
        capture_output=True, text=True, env=env,
    )
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout + proc.stderr
    assert "+from datetime import datetime, timezone" in proc.stdout


def test_version(iacmod_cli):
    from iacmod import __version__

    code, out, _ = iacmod_cli("--version")
    assert code == 0 and out.strip() == f"iacmod {__version__}"
