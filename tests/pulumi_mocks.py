"""Run Pulumi programs under Pulumi's own mocks and see what each resource received.

Shared by every test that runs a Pulumi program (Pulumi's runtime state is global, so each
program runs in a fresh process): ``run_program(path)`` / ``run_sources({key: code}, folder)``.

As a script: python pulumi_mocks.py PROGRAM.py  ->  JSON on stdout:
{"error": null | "TypeError: ...", "resources": {name: {"type": ..., "inputs": {...}}},
 "exports": {name: value}}

Every resource gets mocked outputs (ARNs, URLs, names) derived from its name, so tests can check
that documents and strings were built from the real resolved values.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import traceback
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pulumi

ACCOUNT = "123456789012"
REGION = "us-east-1"
RESOURCES: dict[str, dict] = {}
EXPORTS: dict[str, object] = {}


def mocked_state(typ: str, name: str, inputs: dict) -> dict:
    service = typ.split(":")[1].split("/")[0] if ":" in typ else "x"
    state = dict(inputs)
    state.setdefault("arn", f"arn:aws:{service}:{REGION}:{ACCOUNT}:{name}")
    state.setdefault("name", name)
    if typ == "aws:s3/bucket:Bucket" or typ == "aws:s3/bucketV2:BucketV2":
        state["arn"] = f"arn:aws:s3:::{name}"
        state.setdefault("bucket", name)
        state["bucketRegionalDomainName"] = f"{name}.s3.{REGION}.amazonaws.com"
    if typ == "aws:sqs/queue:Queue":
        state["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
    if typ == "aws:lambda/function:Function":
        state["arn"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        state["invokeArn"] = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{state['arn']}/invocations"
    if typ == "aws:apigateway/restApi:RestApi":
        state["execution_arn"] = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{name}-id"
        state["executionArn"] = state["execution_arn"]
    return state


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        RESOURCES[args.name] = {"type": args.typ, "inputs": args.inputs}
        return f"{args.name}-id", mocked_state(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "userId": "u", "id": ACCOUNT}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION, "id": REGION}
        return {}


def main(program: str) -> None:
    pulumi.runtime.set_all_config({"proj:env": "dev", "proj:dbPassword": "s3cret"}, ["proj:dbPassword"])
    pulumi.runtime.set_mocks(Mocks(), project="proj", stack="dev", preview=False)
    original_export = pulumi.export

    def export(name, value):  # record stack exports (mocks have no stack outputs to read back)
        pulumi.Output.from_input(value).apply(lambda v: EXPORTS.__setitem__(name, v))
        original_export(name, value)

    pulumi.export = export
    error = None

    @pulumi.runtime.test
    def run():
        runpy.run_path(program, run_name="__main__")
        return pulumi.Output.from_input(None)

    try:
        run()
    except Exception as exc:  # noqa: BLE001
        error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
    print(json.dumps({"error": error, "resources": RESOURCES, "exports": EXPORTS}, default=repr))


def run_program(path: Path) -> dict:
    """Run the program at ``path`` under the mocks, in a fresh process; its JSON report."""
    proc = subprocess.run(
        [sys.executable, __file__, str(path)], capture_output=True, text=True, timeout=180, cwd=path.parent
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_sources(sources: Mapping[str, str], folder: Path) -> dict[str, dict]:
    """Run several programs (given as code) in parallel processes: {key: report}."""
    paths = {}
    for key, code in sources.items():
        path = folder / key / "__main__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
        paths[key] = path
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(run_program, path) for key, path in paths.items()}
        return {key: future.result() for key, future in futures.items()}


def of_type(report: dict, typ: str) -> dict[str, dict]:
    """{resource name: inputs} of the resources of one Pulumi type, in creation order."""
    return {name: r["inputs"] for name, r in report["resources"].items() if r["type"] == typ}


if __name__ == "__main__":
    main(sys.argv[1])
