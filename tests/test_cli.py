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
    "datetime.utcnow().strftime", "datetime.now(timezone.utc).strftime"
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
        "code": "IAC101",
        "name": "datetime-utcnow",
        "severity": "warning",
        "fix_availability": "sometimes",
        "fix_applicability": "depends",
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
    (repo / "pyproject.toml").write_text("[tool.iacmod]\nunsafe-fixes = true\n")
    iacmod_cli("apply", str(repo))
    assert (repo / "app" / "handler.py").read_text() == HANDLER_UNSAFE
    (repo / "pyproject.toml").write_text('[tool.iacmod]\nselct = ["IAC101"]\n')
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "unknown key 'selct'" in err
    (repo / "pyproject.toml").write_text("[tool.iacmod.rules.no-such-rule]\nx = 1\n")
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "no rule named 'no-such-rule'" in err
    (repo / "pyproject.toml").write_text("[tool.iacmod.rules.datetime-utcnow]\nx = 1\n")
    code, _, err = iacmod_cli("check", str(repo))
    assert code == 2 and "has no option 'x'" in err
    (repo / "pyproject.toml").write_text("[tool.iacmod\n")
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
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout + proc.stderr
    assert "+from datetime import datetime, timezone" in proc.stdout


def test_version(iacmod_cli):
    from iacmod import __version__

    code, out, _ = iacmod_cli("--version")
    assert code == 0 and out.strip() == f"iacmod {__version__}"


# -- issue 17: formats, severities, thresholds and the CLI defects --------------------------------

SHIFTING = (  # the fix adds a line (timezone in the import), the unsafe finding stays below it
    "from datetime import (\n    datetime,\n)\n\n"
    'day = datetime.utcnow().strftime("%Y")\n'
    "at = datetime.utcnow().isoformat()\n"
)


def test_check_json_applies_nothing(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", "--all", str(repo), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert all(f["fix"]["applied"] is False for f in data["findings"])
    assert data["summary"]["fixed"] == 0 and data["summary"]["changed_files"] == 0
    assert data["changed_files"] == [] and data["summary"]["fixable"] == 1
    assert [f["fix"]["would_apply"] for f in data["findings"]] == [True, False]


def test_apply_json_reports_remaining_findings_in_the_written_file(iacmod_cli, tmp_path):
    (tmp_path / "b.py").write_text(SHIFTING)
    code, out, err = iacmod_cli("apply", "--all", "b.py", "--format", "json", cwd=tmp_path)
    data = json.loads(out)
    remaining = [f for f in data["findings"] if not (f["fix"] or {}).get("applied")]
    assert [f["line"] for f in remaining] == [7]
    assert (tmp_path / "b.py").read_text().splitlines()[6].startswith("at = datetime.utcnow()")


def test_dry_run_github_keeps_annotations_off_the_diff(iacmod_cli, repo):
    code, out, err = iacmod_cli("apply", "--all", "--dry-run", str(repo), "--format", "github", cwd=repo)
    assert code == 1 and out.startswith("--- a/app/handler.py") and "::" not in out
    assert "::warning file=app/handler.py" in err


def test_github_format_errors_once_fix_tag_and_limit(iacmod_cli, repo):
    (repo / "app" / "bad.py").write_text("from datetime import datetime\nx = datetime.utcnow(\n")
    code, out, err = iacmod_cli("check", "--all", str(repo), "--format", "github", cwd=repo)
    assert (out + err).count("bad.py") == 1 and "::error file=app/bad.py" in err
    assert "[fix available]" in out and "[unsafe fix available" in out
    for i in range(12):
        (repo / "app" / f"h{i}.py").write_text(HANDLER)
    code, out, err = iacmod_cli("check", "--all", str(repo), "--format", "github", cwd=repo)
    assert out.count("::warning ") == 10
    assert "16 warning(s) not shown as annotations" in err and "--format sarif" in err


def test_text_shows_severity_and_fail_on_threshold(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", "--all", str(repo))
    assert code == 1 and " IAC101 [warning] datetime-utcnow: " in out
    assert iacmod_cli("check", "--all", str(repo), "--fail-on", "warning")[0] == 1
    assert iacmod_cli("check", "--all", str(repo), "--fail-on", "error")[0] == 0
    assert iacmod_cli("apply", "--all", "--dry-run", str(repo), "--fail-on", "error")[0] == 1  # a diff
    code, _, err = iacmod_cli("check", "--all", str(repo), "--fail-on", "fatal")
    assert code == 2


def test_statistics_quiet_version_and_check_fix(iacmod_cli, repo):
    code, out, err = iacmod_cli("check", "--all", str(repo), "--statistics")
    assert code == 1 and out.split() == ["2", "IAC101", "[*]", "datetime-utcnow", "[warning]"]
    code, out, err = iacmod_cli("check", "--all", str(repo), "-q")
    assert code == 1 and len(out.splitlines()) == 2 and err == ""
    code, out, _ = iacmod_cli("-V")
    assert code == 0 and out.startswith("iacmod ")
    code, out, err = iacmod_cli("check", "--all", "--fix", "--show-fixes", str(repo))
    assert (repo / "app" / "handler.py").read_text() == HANDLER_FIXED


def test_show_fixes_and_exit_non_zero_on_fix(iacmod_cli, repo):
    code, _, err = iacmod_cli("apply", "--all", "--unsafe-fixes", "--show-fixes", str(repo), cwd=repo)
    assert code == 0 and "Fixed 2 finding(s):" in err and "2 × IAC101 (datetime-utcnow)" in err
    (repo / "app" / "handler.py").write_text(HANDLER)
    code, _, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", "--exit-non-zero-on-fix", str(repo))
    assert code == 1
    code, _, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", "--exit-non-zero-on-fix", str(repo))
    assert code == 0  # nothing left to change


def test_suppression_comments_are_checked(iacmod_cli, tmp_path):
    line = 'x = datetime.utcnow().strftime("%Y")'
    src = (
        "from datetime import datetime\n\n"
        f"{line}  # iacmod: ignore [IAC101]\n"
        f"{line}  # iacmod: ignore[IAC999, datetime-utcnow]\n"
        "y = 1  # iacmod: ignore[IAC101]\n"
    )
    (tmp_path / "s.py").write_text(src)
    code, out, err = iacmod_cli("check", "--all", "s.py", cwd=tmp_path)
    # the malformed comment (space before the bracket) suppresses nothing, and says so
    assert [ln.split(":")[1] for ln in out.splitlines()] == ["3"]
    assert "s.py:3: malformed suppression comment" in err
    assert "s.py:4: unknown rule 'IAC999'" in err
    assert "unused" not in err
    code, out, err = iacmod_cli("check", "--all", "s.py", "--report-unused-suppressions", cwd=tmp_path)
    assert code == 1 and "s.py:5: unused suppression of 'IAC101'" in err
    assert "s.py:4: unused suppression of 'IAC999'" in err and "s.py:4: unused suppression of 'datetime" not in err


def test_nothing_checked_warns(iacmod_cli, tmp_path):
    code, _, err = iacmod_cli("check", str(tmp_path))
    assert code == 0 and "warning: nothing checked: no Python" in err
    (tmp_path / "a.py").write_text(CLEAN)
    code, _, err = iacmod_cli("check", "--select", "IAC101", "--ignore", "IAC101", str(tmp_path))
    assert code == 0 and "warning: nothing checked: no rule is enabled" in err


def test_piped_list_is_not_cut(iacmod_cli):
    code, out, _ = iacmod_cli("list", env={"COLUMNS": "80"})
    summaries = [line for line in out.splitlines() if "IAC101" in line]
    assert len(summaries) == 1 and len(summaries[0]) > 80
    code, _, err = iacmod_cli("list", "--format", "sarif")
    assert code == 2


def test_option_out_of_range_is_a_config_error(iacmod_cli, repo):
    for value in ("-3", "500", "nan", "0"):
        (repo / "pyproject.toml").write_text(f"[tool.iacmod.rules.alarm-error-rate]\nthreshold-percent = {value}\n")
        code, _, err = iacmod_cli("check", str(repo))
        assert code == 2 and "pyproject.toml" in err and "threshold-percent" in err, (value, err)
    (repo / "pyproject.toml").write_text("[tool.iacmod.rules.alarm-error-rate]\nthreshold-percent = 5\n")
    assert iacmod_cli("check", str(repo))[0] == 1


def test_no_color_means_no_bold(repo):
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    proc = subprocess.run(
        [sys.executable, "-m", "iacmod.cli.app", "apply", "--all", "--dry-run", str(repo)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_piped_help_is_plain_and_full_width():
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run(
        [sys.executable, "-m", "iacmod.cli.app", "check", "--help"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "╭" not in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if "--select" in ln)
    assert "comma-separated" in line and len(line) > 80
