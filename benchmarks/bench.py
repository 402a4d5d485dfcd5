#!/usr/bin/env python3
"""Benchmark: `iacmod apply --all --dry-run` against the floor, parsing every file once with LibCST.

Builds a large tree (the Python blocks of ../shared/corpus, replicated; or, without the corpus,
the project's fixtures and examples replicated), then times, best of --repeat runs each:

  floor:  read + libcst.parse_module every file once, on --jobs processes;
  iacmod: `iacmod apply --all --dry-run --jobs N TREE` (diff to /dev/null).

Both run as fresh subprocesses, so both pay interpreter start-up. Prints both times and the
ratio. Target: at most 1.5x. Not run by the tests: timing belongs here, never in a test.

    python3 dev.py bench [--copies 3] [--jobs N] [--repeat 3] [--tree DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

FLOOR = r"""
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import libcst as cst

def parse(paths):
    n = 0
    for p in paths:
        try:
            cst.parse_module(Path(p).read_bytes())
            n += 1
        except Exception:
            pass
    return n

if __name__ == "__main__":
    listing, jobs = sys.argv[1], int(sys.argv[2])
    files = Path(listing).read_text().splitlines()
    # largest first, as iacmod schedules them: the floor gets the same load balancing
    files.sort(key=lambda p: -Path(p).stat().st_size)
    size = max(1, min(16, len(files) // (jobs * 4) or 1))
    batches = [files[i:i + size] for i in range(0, len(files), size)]
    if jobs == 1:
        parsed = sum(parse(b) for b in batches)
    else:
        import multiprocessing
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            parsed = sum(pool.map(parse, batches))
    print(len(files), parsed)
"""


def build_tree(target: Path, copies: int) -> int:
    from corpus_blocks import blocks

    sources = [(name.replace("/", "_"), code) for name, code in blocks()]
    if not sources:
        for p in sorted((ROOT / "fixtures").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py")):
            sources.append((p.relative_to(ROOT).as_posix().replace("/", "_"), p.read_text()))
        copies *= 50
    count = 0
    for copy in range(copies):
        folder = target / f"copy{copy}"
        folder.mkdir(parents=True)
        for name, code in sources:
            (folder / f"{name}.py").write_text(code, encoding="utf-8")
            count += 1
    return count


def _files(tree: Path) -> list[Path]:
    """The files iacmod would check under ``tree`` (its own discovery: .gitignore, excludes)."""
    from iacmod.discovery import PYTHON_PATTERNS, Excludes, discover

    return sorted(discover([tree], Excludes.from_globs(tree, ()), PYTHON_PATTERNS))


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds (user + system, all child processes) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, cpu, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=3, help="how many copies of the corpus (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    parser.add_argument("--tree", type=Path, help="benchmark this directory (read only) instead of the corpus")
    args = parser.parse_args()

    tree = args.tree.resolve() if args.tree else Path(tempfile.mkdtemp(prefix="iacmod-bench-"))
    listing = Path(tempfile.mkstemp(prefix="iacmod-bench-files-", suffix=".txt")[1])
    try:
        count = len(_files(tree)) if args.tree else build_tree(tree, args.copies)
        # the floor parses exactly the Python files iacmod looks at (same discovery)
        listing.write_text("\n".join(str(p) for p in _files(tree) if p.suffix == ".py"))
        iacmod = shutil.which("iacmod", path=str(Path(sys.executable).parent)) or "iacmod"
        floor_times, tool_times, floor_cpu, tool_cpu = [], [], [], []
        for _ in range(args.repeat):
            t, c, out = timed([sys.executable, "-c", FLOOR, str(listing), str(args.jobs)])
            floor_times.append(t)
            floor_cpu.append(c)
            # (no result cache: every run does the work the floor is compared with)
            t, c, _ = timed([iacmod, "apply", "--all", "--dry-run", "--no-cache", "--jobs", str(args.jobs), str(tree)])
            tool_times.append(t)
            tool_cpu.append(c)
        files, parsed = out.split()
        _, _, report = timed([iacmod, "check", "--all", "--format", "json", "--jobs", str(args.jobs), str(tree)])
        import json

        summary = json.loads(report)["summary"]
        floor, tool = min(floor_times), min(tool_times)
        what = str(tree) if args.tree else f"{args.copies} copies of the corpus"
        print(f"tree:            {count} files ({parsed} parse), {what}, {args.jobs} processes")
        print(f"findings:        {summary['findings']} in the tree, {summary['errors']} unparseable files")
        print(f"floor (parse):   {floor:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in floor_times)})")
        print(f"iacmod --dry-run:{tool:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in tool_times)})")
        # each iacmod run follows its floor run: on a machine whose speed drifts, the ratio of
        # a back-to-back pair is steadier than the ratio of two minimums
        pairs = statistics.median(t / f for f, t in zip(floor_times, tool_times))
        cpu_pairs = statistics.median(t / f for f, t in zip(floor_cpu, tool_cpu))
        print(
            f"ratio:           {tool / floor:.2f}x wall clock (best runs); {pairs:.2f}x median of "
            f"{len(floor_times)} back-to-back pairs  (target <= 1.5x)"
        )
        print(
            f"cpu seconds:     floor {min(floor_cpu):.2f}, iacmod {min(tool_cpu):.2f}: "
            f"{min(tool_cpu) / min(floor_cpu):.2f}x (best runs); {cpu_pairs:.2f}x median of pairs"
        )
    finally:
        listing.unlink(missing_ok=True)
        if args.tree:
            pass
        elif args.keep:
            print(f"tree kept at {tree}")
        else:
            shutil.rmtree(tree, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
