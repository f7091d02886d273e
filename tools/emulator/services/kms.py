"""KMS: the keys the stack creates (the release cookie's, the alert topic's, log groups').

Covers: aws:kms Key (its policy, given or AWS's default, and rotation) and Alias. moto keeps
the key policy as given and does not evaluate it; it does not run AWS's lockout safety
check (a policy that would lock the caller out is refused by AWS, accepted here).
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
from ..core.wire import aws_tags, tags_state


def _kms(aws: AwsSession) -> Any:
    return aws.client("kms")


@resource("aws:kms/key:Key")
def key(aws: AwsSession, req: Request) -> Created:
    kms = _kms(aws)
    created = aws_call(
        req,
        kms.create_key,
        Description=req.get("description"),
        KeyUsage=req.get("keyUsage", "ENCRYPT_DECRYPT"),
        KeySpec=req.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT"),
        Policy=req.get("policy"),
        Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in aws_tags(req.get("tags"))] or None,
    )["KeyMetadata"]
    key_id = created["KeyId"]
    if req.get("enableKeyRotation"):
        aws_call(req, kms.enable_key_rotation, KeyId=key_id)
    state = {**req.inputs, **tags_state(req), "arn": created["Arn"], "keyId": key_id}
    return Created(key_id, state)


@resource("aws:kms/alias:Alias")
def alias(aws: AwsSession, req: Request) -> Created:
    name = req.get("name") or f"alias/{aws.physical_name(req, 200)}"
    aws_call(req, _kms(aws).create_alias, AliasName=name, TargetKeyId=req.get("targetKeyId"))
    target = _kms(aws).describe_key(KeyId=req.get("targetKeyId"))["KeyMetadata"]["Arn"]
    state = {**req.inputs, "name": name, "arn": aws.arn("kms", name), "targetKeyArn": target}
    return Created(name, state)
