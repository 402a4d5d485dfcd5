"""The result cache: a cold `iacmod check` against a warm re-run over the same, unchanged tree.

    .venv/bin/python benchmarks/cache.py [--corpus /tmp/corpus_py] [--copies 1] [--repeat 3] [--jobs N]

The corpus files are copied into a temporary folder (``--copies`` times), then, ``--repeat``
times: a cold run with an empty cache (``IACMOD_CACHE_DIR`` pointing at a fresh folder) and a warm
run right after it, both as fresh subprocesses of ``iacmod check --all``; and the same two runs
in this process through :func:`iacmod.api.run` (no interpreter start-up, no imports). Prints the
best times and the warm/cold ratios. Never run by the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_tree(corpus: Path, dest: Path, copies: int) -> int:
    n = 0
    for c in range(copies):
        target = dest / f"copy{c}"
        target.mkdir(parents=True)
        for f in sorted(corpus.rglob("*.py")):
            out = target / f.relative_to(corpus)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
            n += 1
    return n


SNAPSHOT: Path | None = None  # a frozen copy of iacmod's code (see snapshot())


def snapshot(dest: Path) -> Path:
    """A copy of iacmod's code laid out as the installed package (iacmod/, iacmod/cli,
    iacmod/codemods): other people editing the tree during a run would change the cache key
    (iacmod's source files are part of it) and turn the warm run cold."""
    pkg = dest / "pkg" / "iacmod"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "iacmod", pkg, ignore=ignore)
    shutil.copytree(ROOT / "cli", pkg / "cli", ignore=ignore)
    shutil.copytree(ROOT / "codemods", pkg / "codemods", ignore=ignore)
    return dest / "pkg"


def cli_run(tree: Path, cache: Path, jobs: int) -> float:
    env = {**os.environ, "IACMOD_CACHE_DIR": str(cache)}
    if SNAPSHOT is not None:
        env["PYTHONPATH"] = str(SNAPSHOT)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "iacmod.cli.app", "check", "--all", "--jobs", str(jobs), "--exit-zero", "-q", str(tree)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tree.parent,  # not the repository: `python -m` would import the live tree first
        check=False,
    )
    return time.perf_counter() - start


def api_run(tree: Path, cache: Path, jobs: int) -> float:
    from iacmod import api

    start = time.perf_counter()
    api.run(api.RunOptions(paths=(tree,), all_rules=True, jobs=jobs, cache=True, cache_dir=cache))
    return time.perf_counter() - start


def entries_in(cache: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(cache / "v1"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus_py"))
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--subprocess-only", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iacmod-cache-bench-"))
    try:
        tree = work / "tree"
        n = copy_tree(args.corpus, tree, args.copies)
        global SNAPSHOT
        SNAPSHOT = snapshot(work)
        print(f"{n} files, --jobs {args.jobs}, {args.repeat} repeat(s)")
        runs = [("subprocess `iacmod check --all`", cli_run)]
        if not args.subprocess_only:
            runs.append(("in-process api.run", api_run))
        for name, fn in runs:
            cold, warm = [], []
            for i in range(args.repeat):
                cache = work / f"cache-{name[:3]}-{i}"
                cold.append(fn(tree, cache, args.jobs))
                entries = entries_in(cache)
                warm.append(fn(tree, cache, args.jobs))
                if entries_in(cache) != entries:
                    print(
                        f"  note: the warm run missed {entries_in(cache) - entries} entries: iacmod's source "
                        "changed between the runs (its files are part of the key); rerun on a quiet tree"
                    )
            print(
                f"{name}: cold best {min(cold):.2f} s, warm best {min(warm):.3f} s, "
                f"warm/cold {min(warm) / min(cold):.1%} (pairs: "
                + ", ".join(f"{w / c:.1%}" for c, w in zip(cold, warm))
                + ")"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
