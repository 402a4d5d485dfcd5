"""sqs-encryption: declare the queue's server-side encryption (SSE-SQS) explicitly."""

from iacmod.findings import Severity
from iacmod.iac import catalog
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import Lit, Sym
from iacmod.iac.rules import Check, PropertyRule
from iacmod.rule import Example

SSE = Check("sqs_managed_sse_enabled", fix=Lit(True), good=(True,), unless=("kms_master_key_id",))
ENC = "aws_cdk.aws_sqs.QueueEncryption."


class SqsEncryption(PropertyRule):
    code = "IAC601"
    name = "sqs-encryption"
    summary = "Declare SQS server-side encryption (SSE-SQS) on queues that declare none"
    severity = Severity.INFO  # AWS encrypts new queues anyway; declaring it is a recommendation
    resource = catalog.SQS_QUEUE
    checks = {
        Platform.PULUMI: SSE,
        Platform.CDKTF: SSE,
        Platform.CDK_L1: SSE,
        Platform.CDK: Check(
            "encryption",
            fix=Sym(ENC + "SQS_MANAGED"),
            unless=("encryption_master_key",),
            good=tuple(ENC + v for v in ("SQS_MANAGED", "KMS_MANAGED", "KMS")),
        ),
    }
    missing = (
        "{resource} that declares no encryption: declare SSE-SQS (`{path}`), the encryption AWS applies to new queues"
    )
    bad = "{resource} with `{path}={value}` stores messages unencrypted at rest: use SSE-SQS or a KMS key"
    rationale = """
Messages often carry personal or business data. Since 2022 AWS encrypts *new* queues with
SSE-SQS by default, but a queue that declares nothing is flagged by every scanner (CKV_AWS_27,
cdk-nag AwsSolutions-SQS2), and queues created earlier stay unencrypted until it is declared.
"""
    fix_description = """
Sets `sqs_managed_sse_enabled=True` (Pulumi, CDKTF, CDK `CfnQueue`) or
`encryption=sqs.QueueEncryption.SQS_MANAGED` (CDK `Queue`). Queues with a KMS key are left
alone (SSE-SQS and SSE-KMS exclude each other); an explicit opt-out is reported, not changed.
"""
    fix_safety_notes = """
**Safe**: SSE-SQS is transparent to producers and consumers (no key policy, no grants, no cost)
and is what AWS applies to new queues anyway; an older unencrypted queue becomes encrypted.
"""
    examples = (
        Example(
            title="pulumi queue",
            before="""
            import pulumi_aws as aws
            q = aws.sqs.Queue("jobs", visibility_timeout_seconds=60)
            """,
            after="""
            import pulumi_aws as aws
            q = aws.sqs.Queue("jobs", visibility_timeout_seconds=60, sqs_managed_sse_enabled=True)
            """,
        ),
        Example(
            title="cdk queue imports the enum",
            before="""
            from aws_cdk import aws_sqs as sqs
            q = sqs.Queue(self, "Jobs")
            """,
            after="""
            from aws_cdk import aws_sqs as sqs
            q = sqs.Queue(self, "Jobs", encryption=sqs.QueueEncryption.SQS_MANAGED)
            """,
        ),
        Example(
            title="kms key or opt-out",
            before="""
            import pulumi_aws as aws
            a = aws.sqs.Queue("a", kms_master_key_id=key.arn)
            b = aws.sqs.Queue("b", sqs_managed_sse_enabled=False)
            """,
            findings=1,
            message="stores messages unencrypted",
            line=3,
        ),
    )
