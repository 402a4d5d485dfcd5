"""action.yml and .pre-commit-hooks.yaml: well-formed, and the action's script really runs
``iacmod pr`` with the inputs mapped to options (against the bare remote and the API fake)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import TOKEN, git

ROOT = Path(__file__).resolve().parents[2]


def load(name: str):
    return yaml.safe_load((ROOT / name).read_text())


def test_action_is_a_composite_with_the_documented_inputs():
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"paths", "rules", "base", "branch", "labels", "draft", "token"} <= set(action["inputs"])
    assert action["inputs"]["branch"]["default"] == "iacmod/fixes"
    script = action["runs"]["steps"][-1]["run"]
    assert "${{" not in script, "inputs must reach the script through env, not be pasted into it"
    assert (ROOT / "docs" / "github-action.md").is_file()


def test_pre_commit_hooks():
    hooks = {h["id"]: h for h in load(".pre-commit-hooks.yaml")}
    assert set(hooks) == {"iacmod-check", "iacmod-apply"}
    # pre-commit names every staged file: exclude, ignore files and vendored/generated must apply to them
    assert hooks["iacmod-check"]["entry"] == "iacmod check --force-exclude"
    assert hooks["iacmod-apply"]["entry"] == "iacmod apply --force-exclude"
    assert all(h["language"] == "python" for h in hooks.values())


def test_action_script_runs_iacmod_pr(remote, github, tmp_path):
    step = load("action.yml")["runs"]["steps"][-1]
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
            "GITHUB_REPOSITORY": "octo/infra",
            "GITHUB_API_URL": github.api_url,
            "GITHUB_WORKSPACE": str(remote.work),
            "IACMOD_TOKEN": TOKEN,
            "INPUT_PATHS": ".\n",
            "INPUT_RULES": "IAC101",
            "INPUT_BASE": "",
            "INPUT_BRANCH": "iacmod/fixes",
            "INPUT_LABELS": "iacmod, bot",
            "INPUT_DRAFT": "true",
            "INPUT_UNSAFE_FIXES": "false",
            "INPUT_CLOSE_STALE": "false",
            "INPUT_AUTHOR": "ci-bot <ci@example.com>",
        }
    )
    proc = subprocess.run(
        ["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    assert [r.call for r in github.requests] == [
        "GET /repos/octo/infra",
        "GET /repos/octo/infra/pulls?head=octo:iacmod/fixes&state=open",
        "POST /repos/octo/infra/pulls",
        "POST /repos/octo/infra/issues/1/labels",
    ]
    assert github.requests[2].body["draft"] is True
    assert github.requests[3].body == ["iacmod", "bot"]
    assert git(remote.bare, "log", "-1", "--format=%an <%ae>", "iacmod/fixes") == "ci-bot <ci@example.com>"
