from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

# Nothing in the tests may reach AWS: fake credentials and a fixed region everywhere.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def iacmod_cli(monkeypatch):
    """Run the CLI in-process: returns (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from iacmod.cli.app import app

    def run(*args: str, cwd: Path | None = None, env: dict | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        runner = CliRunner()
        result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(autouse=True)
def _private_result_cache(tmp_path_factory, monkeypatch):
    """Each test gets its own result cache (iacmod.cache): no test sees another's results, and
    none writes .iacmod_cache/ into the repository."""
    monkeypatch.setenv("IACMOD_CACHE_DIR", str(tmp_path_factory.mktemp("iacmod_cache")))
