"""The AWS provider's own invokes: region, partition and caller identity.

Covers: getRegion, getPartition (answered from the emulated region) and
getCallerIdentity (answered by STS in moto).
"""

from __future__ import annotations

from typing import Any

from .registry import invoke
from .session import AwsSession


@invoke("aws:index/getRegion:getRegion")
def get_region(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or aws.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    }


@invoke("aws:index/getPartition:getPartition")
def get_partition(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}


@invoke("aws:index/getCallerIdentity:getCallerIdentity")
def get_caller_identity(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    identity = aws.client("sts").get_caller_identity()
    return {
        "id": identity["Account"],
        "accountId": identity["Account"],
        "arn": identity["Arn"],
        "userId": identity["UserId"],
    }
