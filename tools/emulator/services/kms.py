"""KMS: the keys the stack creates (the release cookie's, the alert topic's, log groups').

Covers: aws:kms Key (its policy, given or AWS's default, and rotation) and Alias. moto keeps
the key policy as given and does not evaluate it; it does not run AWS's lockout safety
check (a policy that would lock the caller out is refused by AWS, accepted here).

An update changes a key's description, policy, rotation and tags, an alias's target key. A
deleted key is scheduled for deletion after its waiting period (deletionWindowInDays, 30
unless given), as AWS deletes keys.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone
from ..core.wire import aws_tags, retagged, tags_state, to_int

DELETION_WINDOW_DEFAULT = 30
"""Days a deleted key waits before AWS deletes it, unless deletionWindowInDays says otherwise."""


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


# --- changes to an applied stack: updates in place and deletes ------------------------------


@updates("aws:kms/key:Key", handles=("deletionWindowInDays", "description", "enableKeyRotation", "policy", "tags"))
def update_key(aws: AwsSession, req: Request, old: Existing) -> Created:
    kms, key_id = _kms(aws), old.id
    if req.get("description") != old.inputs.get("description"):
        aws_call(req, kms.update_key_description, KeyId=key_id, Description=req.get("description", ""))
    if req.get("policy") and req.get("policy") != old.inputs.get("policy"):
        aws_call(req, kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=req.get("policy"))
    if bool(req.get("enableKeyRotation")) != bool(old.inputs.get("enableKeyRotation")):
        rotate = kms.enable_key_rotation if req.get("enableKeyRotation") else kms.disable_key_rotation
        aws_call(req, rotate, KeyId=key_id)
    to_set, to_remove = retagged(old, req)
    if to_remove:
        aws_call(req, kms.untag_resource, KeyId=key_id, TagKeys=to_remove)
    if to_set:
        aws_call(
            req,
            kms.tag_resource,
            KeyId=key_id,
            Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in aws_tags(to_set)],
        )
    return Created(key_id, old.updated(req, **tags_state(req)))


@deletes("aws:kms/key:Key")
def delete_key(aws: AwsSession, old: Existing) -> None:
    window = to_int(old.inputs.get("deletionWindowInDays")) or DELETION_WINDOW_DEFAULT
    gone(old, _kms(aws).schedule_key_deletion, KeyId=old.id, PendingWindowInDays=window)


@updates("aws:kms/alias:Alias", handles=("targetKeyId",))
def update_alias(aws: AwsSession, req: Request, old: Existing) -> Created:
    aws_call(req, _kms(aws).update_alias, AliasName=old.id, TargetKeyId=req.get("targetKeyId"))
    target = _kms(aws).describe_key(KeyId=req.get("targetKeyId"))["KeyMetadata"]["Arn"]
    return Created(old.id, old.updated(req, targetKeyArn=target))


@deletes("aws:kms/alias:Alias")
def delete_alias(aws: AwsSession, old: Existing) -> None:
    gone(old, _kms(aws).delete_alias, AliasName=old.id)
