"""S3: buckets a stack writes to but does not own (it creates none).

Covers: the fixture `provide_bucket`, so a flow log to an S3 bucket finds it, as AWS and
moto's EC2 check. What moto lacks: nothing here; a moto server must already hold the bucket
or it is created there too.
"""

from __future__ import annotations

from ..core.registry import Request
from ..core.session import AwsSession, aws_call

US_EAST_1 = "us-east-1"  # the one region where CreateBucket takes no LocationConstraint


def provide_bucket(aws: AwsSession, name: str) -> None:
    """Make the bucket `name` exist in the stack's region and account."""
    s3 = aws.client("s3")
    if name in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return
    where = {} if aws.region == US_EAST_1 else {"CreateBucketConfiguration": {"LocationConstraint": aws.region}}
    aws_call(Request(type="existing bucket", name=name, inputs={}), s3.create_bucket, Bucket=name, **where)
