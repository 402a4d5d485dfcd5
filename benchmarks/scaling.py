#!/usr/bin/env python3
"""Cost in findings: one file with many findings of one rule, against that file's parse time.

For each rule that can report many findings in one file, generates files with N findings
(default N = 2,000 and 4,000), then times, best of --repeat runs each, in this process:

  parse:  ``libcst.parse_module`` of the file (the floor);
  iacmod: ``iacmod apply --dry-run --select RULE FILE`` (the CLI in-process: discovery, the
          engine's passes, fixes, imports, the diff and the findings printed to a pipe).

and prints the ratios against the targets (docs/performance.md, "Cost in findings"):

  - iacmod on the N=2,000 file within 5x that file's parse time;
  - iacmod on the N=4,000 file within 2.5x the N=2,000 time (linear, with a margin for noise).

Not run by the tests: timing belongs here, never in a test.

    python3 dev.py bench-scaling [--sizes 2000 4000] [--rules datetime-utcnow ...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- file generators: (header, one unit with {i}) -----------------------------------------------


def _datetime_utcnow(n: int) -> str:
    lines = ["from datetime import datetime", ""]
    lines += [f"expires_{i} = int(datetime.utcnow().timestamp()) + {i}" for i in range(n)]
    return "\n".join(lines) + "\n"


def _datetime_utcnow_in_functions(n: int) -> str:
    lines = ["import datetime", ""]
    for i in range(n):
        lines += [f"def handler_{i}(event, context):", '    return datetime.datetime.utcnow().strftime("%Y-%m-%d")', ""]
    return "\n".join(lines)


def _output_string(n: int) -> str:
    lines = ["import pulumi", "from pulumi_aws import s3", "", 'bucket = s3.Bucket("site")', ""]
    lines += [f'pulumi.export("object_{i}", f"arn:aws:s3:::{{bucket.id}}/{i}/*")' for i in range(n)]
    return "\n".join(lines) + "\n"


def _output_string_concat(n: int) -> str:
    lines = ["import pulumi_aws as aws", "", 'api = aws.apigateway.RestApi("api")', ""]
    lines += [f'route_{i} = api.execution_arn + "/*/GET/r{i}"' for i in range(n)]
    return "\n".join(lines) + "\n"


def _http_204(n: int) -> str:
    lines = ["import json", ""]
    for i in range(n):
        lines += [
            f"def handler_{i}(event, context):",
            f'    return {{"statusCode": 204, "body": json.dumps({{"n": {i}}})}}',
            "",
        ]
    return "\n".join(lines)


def _dynamodb_key_condition(n: int) -> str:
    lines = ["import boto3", "", 'table = boto3.resource("dynamodb").Table("items")', ""]
    for i in range(n):
        lines += [
            f"def query_{i}(item_id):",
            "    return table.query(",
            f'        KeyConditionExpression="ItemId = :id{i}",',
            f'        ExpressionAttributeValues={{":id{i}": item_id}},',
            "    )",
            "",
        ]
    return "\n".join(lines)


def _dynamodb_response_get(n: int) -> str:
    lines = ["import boto3", "", 'client = boto3.client("dynamodb")', ""]
    for i in range(n):
        lines += [
            f"def handler_{i}(event, context):",
            f'    result = client.scan(TableName="orders{i}")',
            "    return {\"count\": result['Count'], \"items\": result['Items']}",
            "",
        ]
    return "\n".join(lines)


# case: (rule, generator, run with --unsafe-fixes: the case's fixes are unsafe ones)
GENERATORS: dict[str, tuple[str, Callable[[int], str], bool]] = {
    "datetime-utcnow": ("datetime-utcnow", _datetime_utcnow, False),
    "datetime-utcnow-in-functions": ("datetime-utcnow", _datetime_utcnow_in_functions, False),
    "pulumi-output-string-fstring": ("pulumi-output-string", _output_string, False),
    "pulumi-output-string-concat": ("pulumi-output-string", _output_string_concat, True),
    "http-204-no-body": ("http-204-no-body", _http_204, False),
    "dynamodb-key-condition": ("dynamodb-key-condition", _dynamodb_key_condition, False),
    "dynamodb-response-get": ("dynamodb-response-get", _dynamodb_response_get, True),
}

PARSE_TARGET = 5.0  # iacmod on the smaller file, at most this many times its parse
GROWTH_TARGET = 2.5  # iacmod on the file with twice the findings, at most this many times the smaller


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _cli(*args: str) -> str:
    """The ``iacmod`` command line in this process (one job: no worker processes; no result cache:
    every run does the work); its stdout."""
    from iacmod.cli.app import app

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = app([*args, "--jobs", "1", "--no-cache"], standalone_mode=False)
    if code not in (None, 0, 1):
        raise SystemExit(f"iacmod {' '.join(args)} failed ({code}):\n{err.getvalue()[-2000:]}")
    return out.getvalue()


def _apply(path: Path, rule: str, unsafe: bool) -> str:
    """``iacmod apply --dry-run --select RULE [--unsafe-fixes] PATH``: the diff."""
    return _cli("apply", "--dry-run", "--select", rule, *(["--unsafe-fixes"] if unsafe else []), str(path))


def _counts(path: Path, rule: str, unsafe: bool) -> tuple[int, int]:
    """(findings, fixed) of the apply run, from its JSON report."""
    import json

    report = json.loads(
        _cli(
            "apply",
            "--dry-run",
            "--format",
            "json",
            "--select",
            rule,
            *(["--unsafe-fixes"] if unsafe else []),
            str(path),
        )
    )
    findings = (
        [f for file in report["files"] for f in file.get("findings", ())] if "files" in report else report["findings"]
    )
    fix = lambda f: f.get("fix") or {}  # noqa: E731
    return len(findings), sum(
        1 for f in findings if f.get("fixed") or fix(f).get("applied") or fix(f).get("would_apply")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 4000], metavar=("N", "2N"))
    parser.add_argument("--rules", nargs="*", default=list(GENERATORS), help=f"of: {', '.join(GENERATORS)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", metavar="CASE", help="profile iacmod on CASE's larger file instead")
    args = parser.parse_args()

    import libcst as cst

    small, large = args.sizes
    with tempfile.TemporaryDirectory(prefix="iacmod-scaling-") as tmp:
        folder = Path(tmp)
        # warm up: imports, the rules' tables, libcst.codemod
        warm = folder / "warm"
        warm.mkdir()
        for case, (rule, make, unsafe) in GENERATORS.items():
            (warm / f"{case}.py").write_text(make(3))
            _apply(warm / f"{case}.py", rule, unsafe)
        if args.profile:
            import cProfile
            import pstats

            rule, make, unsafe = GENERATORS[args.profile]
            path = folder / "profile.py"
            path.write_text(make(large))
            prof = cProfile.Profile()
            prof.enable()
            _apply(path, rule, unsafe)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            return 0
        failed = False
        print(
            f"{'case':30} {'N':>6} {'findings':>8} {'fixed':>6} {'parse s':>8} {'iacmod s':>9} {'x parse':>8}  {'x smaller':>9}"
        )
        for case in args.rules:
            rule, make, unsafe = GENERATORS[case]
            sources = {n: make(n) for n in (small, large)}
            paths = {n: folder / f"{case}-{n}.py" for n in (small, large)}
            for n in (small, large):
                paths[n].write_text(sources[n])
            counts = {n: _counts(paths[n], rule, unsafe) for n in (small, large)}
            # the four measurements in turn, --repeat rounds, the best of each: this machine's speed
            # drifts, and a drift between the two sizes would look like (non-)linearity
            parse: dict[int, list[float]] = {small: [], large: []}
            tool: dict[int, list[float]] = {small: [], large: []}
            for _ in range(args.repeat):
                for n in (small, large):
                    parse[n].append(_best(lambda source=sources[n]: cst.parse_module(source), 1))
                    tool[n].append(_best(lambda p=paths[n], r=rule, u=unsafe: _apply(p, r, u), 1))
            for n in (small, large):
                best_parse, best_tool = min(parse[n]), min(tool[n])
                ratio = best_tool / best_parse
                growth = best_tool / min(tool[small]) if n == large else None
                if growth is None:
                    ok = ratio <= PARSE_TARGET
                    verdict = f"{'PASS' if ok else 'FAIL'} (<= {PARSE_TARGET}x parse)"
                else:
                    ok = growth <= GROWTH_TARGET
                    verdict = f"{'PASS' if ok else 'FAIL'} (<= {GROWTH_TARGET}x the {small} file)"
                failed |= not ok
                findings, fixed = counts[n]
                print(
                    f"{case:30} {n:>6} {findings:>8} {fixed:>6} {best_parse:>8.3f} {best_tool:>9.3f} {ratio:>7.2f}x  "
                    f"{(f'{growth:.2f}x' if growth else ''):>9}  {verdict}",
                    flush=True,
                )
        print("FAIL" if failed else "PASS: cost linear in findings within the targets")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
