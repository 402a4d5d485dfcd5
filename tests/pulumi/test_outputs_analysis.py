"""The shared Output classification (iacmod/iac/outputs.py) and the facts it relies on."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from iacmod.iac import catalog
from iacmod.iac.outputs import AWS_STR_ATTRIBUTES, METADATA, Kind, OutputAnalysis, expression_key

PROGRAM = """
import os
import pulumi
import pulumi_aws as aws
from pulumi import Output
from pulumi_aws import s3 as storage

config = pulumi.Config()
plain_env = config.get("env")
secret = config.require_secret("password")
bucket = storage.Bucket("b")
buckets = {name: aws.s3.Bucket(name) for name in ["a", "b"]}
ref = pulumi.StackReference("org/net/dev")
vpc_id = ref.get_output("vpc_id")
caller = aws.get_caller_identity()
region = os.environ["AWS_REGION"]
combined = Output.all(bucket.arn, vpc_id)

class Stack(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("t:S", name)
        self.queue = aws.sqs.Queue(name)
        self.label = "fixed"

    def use(self, other: aws.sns.Topic, arn: Output[str], maybe):
        probes = [
            self.queue.url, self.label, other.arn, arn, maybe,
            combined.apply(lambda values: values[0]),
        ]

stack = Stack("s")
probes = [
    bucket.arn, bucket, buckets["a"].id, plain_env, secret, vpc_id, caller.account_id, region,
    combined, stack.queue.arn, stack.label, "text", f"{plain_env}-x",
]
"""


def _classify_all():
    wrapper = MetadataWrapper(cst.parse_module(PROGRAM))
    module = wrapper.module
    results = []

    class Probe(cst.BatchableCSTVisitor):
        METADATA_DEPENDENCIES = METADATA

        def visit_Module(self, node):
            self.analysis = OutputAnalysis(self.get_metadata, node)

        def visit_Assign(self, node):
            target = node.targets[0].target
            if isinstance(target, cst.Name) and target.value == "probes":
                results.append([self.analysis.classify(el.value) for el in node.value.elements])

        def visit_Lambda(self, node):
            self.lambda_kind = self.analysis.classify(node.body)

    probe = Probe()
    wrapper.visit_batched([probe])
    return results, probe, module


def test_classification():
    (method, flat), probe, _ = _classify_all()
    assert [v.kind for v in method] == [Kind.OUTPUT, Kind.PLAIN, Kind.OUTPUT, Kind.OUTPUT, Kind.UNKNOWN, Kind.OUTPUT]
    assert [v.kind for v in flat] == [
        Kind.OUTPUT,
        Kind.RESOURCE,
        Kind.OUTPUT,
        Kind.PLAIN,
        Kind.OUTPUT,
        Kind.OUTPUT,
        Kind.PLAIN,
        Kind.PLAIN,
        Kind.OUTPUT,
        Kind.OUTPUT,
        Kind.PLAIN,
        Kind.PLAIN,
        Kind.PLAIN,
    ]
    assert probe.lambda_kind.kind is Kind.PLAIN  # values inside an .apply callback are plain
    assert flat[0].is_str and not flat[4].is_str


@pytest.mark.parametrize(
    "code, key",
    [
        ("table.arn", "table_arn"),
        ("self.bucket.arn", "bucket_arn"),
        ('self.buckets["logs"].arn', "buckets_logs_arn"),
        ('config.require_secret("dbPassword")', "db_password"),
        ('pulumi.Output.concat(bucket.arn, "/*")', "bucket_arn_concat"),
        ("[f.arn for f in functions]", "f_arns"),
        ("bucket.bucket_arn", "bucket_arn"),
    ],
)
def test_expression_key(code, key):
    assert expression_key(cst.parse_expression(code)) == key


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_aws_str_attributes_are_output_str_on_every_pulumi_aws_resource():
    """Output.concat needs str values: the attribute names treated as certainly ``str`` must be
    ``Output[str]`` (never Optional, never another type) on every pulumi_aws resource class."""
    import pulumi
    import pulumi_aws

    seen: dict[str, set[str]] = {name: set() for name in AWS_STR_ATTRIBUTES}
    for info in pkgutil.iter_modules(pulumi_aws.__path__):
        if info.name.startswith("_") or not info.ispkg or info.name == "config":
            continue
        package = importlib.import_module(f"pulumi_aws.{info.name}")
        for sub in pkgutil.iter_modules(package.__path__):
            if sub.name.startswith(("_", "get_")):
                continue
            module = importlib.import_module(f"{package.__name__}.{sub.name}")
            for cls in vars(module).values():
                if not (
                    inspect.isclass(cls)
                    and issubclass(cls, pulumi.CustomResource)
                    and cls.__module__ == module.__name__
                ):
                    continue
                for attr in AWS_STR_ATTRIBUTES & set(vars(cls)):
                    prop = vars(cls)[attr]
                    if isinstance(prop, property):
                        seen[attr].add(str(prop.fget.__annotations__.get("return")))
    for attr, annotated in seen.items():
        if attr in ("id", "urn"):
            continue  # defined on pulumi.CustomResource / Resource as Output[str]
        assert annotated == {"pulumi.output.Output[str]"}, (attr, annotated)


def test_resources_from_the_catalog_and_the_generic_rule():
    """Calls of a catalog type's Pulumi class carry the type and its canonical class name (re-exports
    folded); any other provider class is a resource by the generic rule, without a type."""
    wrapper = MetadataWrapper(
        cst.parse_module(
            "import pulumi\n"
            "import pulumi_aws as aws\n"
            "import pulumi_random\n"
            "from pulumi_aws.lambda_.function import Function\n"
            "probes = [aws.sqs.Queue('q'), Function('f', role='r'), pulumi_random.RandomId('r', byte_length=4),\n"
            "          aws.ec2.Vpc('v'), pulumi.StackReference('org/p/s'), aws.sqs.QueueArgs()]\n"
        )
    )
    found = []

    class Probe(cst.BatchableCSTVisitor):
        METADATA_DEPENDENCIES = METADATA

        def visit_Module(self, node):
            self.analysis = OutputAnalysis(self.get_metadata, node)

        def visit_Assign(self, node):
            found.extend(self.analysis.classify(el.value) for el in node.value.elements)

    wrapper.visit_batched([Probe()])
    assert [v.kind for v in found] == [Kind.RESOURCE] * 5 + [Kind.UNKNOWN]
    assert [(v.qualname, v.type) for v in found[:5]] == [
        ("pulumi_aws.sqs.Queue", catalog.SQS_QUEUE),
        ("pulumi_aws.lambda_.Function", catalog.LAMBDA_FUNCTION),
        ("pulumi_random.RandomId", None),
        ("pulumi_aws.ec2.Vpc", None),
        ("pulumi.StackReference", None),
    ]
