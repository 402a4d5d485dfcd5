#!/usr/bin/env python3
"""Set up a virtualenv and run iacmod's main job or its tests. Needs only python3.

    python3 dev.py example   # install iacmod into .venv, preview its fixes on examples/ (dry run)
    python3 dev.py test      # install iacmod and the test libraries into .venv, run the tests
    python3 dev.py bench     # the benchmark (docs/performance.md)

Extra arguments after the command are passed on (to iacmod, pytest or the benchmark).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("IACMOD_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure(extra: str | None) -> None:
    """Create .venv and (re)install iacmod into it when its packaging files changed."""
    if not PYTHON.exists():
        print(f"dev.py: creating {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "setup.py"):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".iacmod-installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    target = f".[{extra}]" if extra else "."
    print(f"dev.py: installing iacmod{f'[{extra}]' if extra else ''} into {VENV}", file=sys.stderr)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest.hexdigest())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("example", "test", "bench"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "example":
        ensure(None)
        args = rest or ["apply", "--all", "--dry-run", "examples/"]
        code = subprocess.run([str(BIN / "iacmod"), *args], cwd=ROOT).returncode
        if code == 1 and not rest:
            print("\n(exit code 1: iacmod found something to fix; this is the expected outcome here)", file=sys.stderr)
            return 0
        return code
    if command == "test":
        ensure("test")
        return subprocess.run([str(PYTHON), "-m", "pytest", *(rest or ["-q"])], cwd=ROOT).returncode
    ensure("test")
    return subprocess.run([str(PYTHON), str(ROOT / "benchmarks" / "bench.py"), *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
