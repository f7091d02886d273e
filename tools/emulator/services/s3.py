"""S3: buckets a stack writes to but does not own (it creates none).

Covers: the fixture `provide_bucket`, so a flow log to an S3 bucket finds it, as AWS and
moto's EC2 check. What moto lacks: nothing here; a moto server must already hold the bucket
or it is created there too.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..core.registry import Request
from ..core.session import AwsSession, aws_call

US_EAST_1 = "us-east-1"  # the one region where CreateBucket takes no LocationConstraint


def provide_bucket(aws: AwsSession, name: str) -> None:
    """Make the bucket `name` exist: bucket names are global, so one that exists already, in this
    account or another (a central log bucket), is the one the stack means; else it is created in
    the stack's region and account."""
    s3 = aws.client("s3")
    if _exists(s3, name):
        return
    where = {} if aws.region == US_EAST_1 else {"CreateBucketConfiguration": {"LocationConstraint": aws.region}}
    aws_call(Request(type="existing bucket", name=name, inputs={}), s3.create_bucket, Bucket=name, **where)


def _exists(s3: object, name: str) -> bool:
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as missing:
        if missing.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True
