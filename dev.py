#!/usr/bin/env python3
"""Set up a virtualenv and run iacmod's main job or its tests. Needs only python3.

    python3 dev.py example          # install iacmod into .venv, preview its fixes on examples/ (dry run)
    python3 dev.py test             # install iacmod and the test libraries into .venv, run the tests
    python3 dev.py test-libcst-min  # the LibCST contract tests against the lowest LibCST supported,
                                    # in .venv-libcst-min (iacmod's runtime dependencies and pytest)
    python3 dev.py bench            # the benchmark (docs/performance.md)
    python3 dev.py bench-scaling    # cost in findings: files with thousands of findings (same page)
    python3 dev.py lint             # ruff check, ruff format --check and mypy --strict on iacmod/

Extra arguments after the command are passed on (to iacmod, pytest or the benchmark).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("IACMOD_VENV", ROOT / ".venv"))
MIN_VENV = Path(os.environ.get("IACMOD_MIN_VENV", ROOT / ".venv-libcst-min"))
# what `test-libcst-min` runs: the tests of iacmod/cst against LibCST itself (the isolation test
# also runs every rule over the fixtures and examples on both paths and compares)
LIBCST_CONTRACT_TESTS = ("tests/test_walk.py", "tests/test_positions.py", "tests/test_cst_isolation.py")


def _bin(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin")


def _python(folder: Path) -> Path:
    return _bin(folder) / ("python.exe" if os.name == "nt" else "python")


BIN = _bin(VENV)
PYTHON = _python(VENV)


def ensure(extra: str | None, folder: Path = VENV, pins: tuple[str, ...] = ()) -> None:
    """Create the virtualenv ``folder`` (default .venv) and (re)install iacmod into it, with
    ``pins`` (requirements installed with it, e.g. "libcst==1.1.0"), when its packaging files
    or the pins changed."""
    python = _python(folder)
    if not python.exists():
        print(f"dev.py: creating {folder}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(folder)
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "setup.py"):
        digest.update((ROOT / name).read_bytes())
    digest.update(repr(pins).encode())
    stamp = folder / f".iacmod-installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    target = f".[{extra}]" if extra else "."
    what = f"iacmod{f'[{extra}]' if extra else ''}{''.join(f' {p}' for p in pins)}"
    print(f"dev.py: installing {what} into {folder}", file=sys.stderr)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target, *pins],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest.hexdigest())


def lowest_libcst() -> str:
    """The lowest LibCST version pyproject.toml allows (``libcst>=X.Y,...``: X.Y.0)."""
    found = re.search(r'"libcst\s*>=\s*([0-9.]+)', (ROOT / "pyproject.toml").read_text())
    if found is None:
        raise SystemExit("dev.py: no lower bound for libcst in pyproject.toml")
    version = found.group(1)
    return version if version.count(".") >= 2 else f"{version}.0"


def main(argv: list[str]) -> int:
    commands = ("example", "test", "test-libcst-min", "bench", "bench-scaling", "lint")
    if not argv or argv[0] not in commands:
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
    if command == "lint":
        ensure("test")
        status = 0
        for tool in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
            print(f"dev.py: {' '.join(tool)}", file=sys.stderr)
            status = max(status, subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=ROOT).returncode)
        return status
    if command == "test-libcst-min":
        # only iacmod's runtime dependencies (no Pulumi, CDK, ...), LibCST at its lowest
        version = lowest_libcst()
        ensure(None, MIN_VENV, (f"libcst=={version}", "pytest>=8"))
        print(f"dev.py: LibCST {version}: {' '.join(LIBCST_CONTRACT_TESTS)}", file=sys.stderr)
        return subprocess.run(
            [str(_python(MIN_VENV)), "-m", "pytest", *(rest or ["-q"]), *LIBCST_CONTRACT_TESTS], cwd=ROOT
        ).returncode
    ensure("test")
    script = "bench.py" if command == "bench" else "scaling.py"
    return subprocess.run([str(PYTHON), str(ROOT / "benchmarks" / script), *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
