"""What the EC2 handlers share: the client, and the tag-only update most EC2 types have."""

from __future__ import annotations

from typing import Any

from ...core.registry import Created, Existing, Request
from ...core.session import AwsSession, aws_call
from ...core.wire import aws_tags, retagged, tags_state


def ec2_client(aws: AwsSession) -> Any:
    return aws.client("ec2")


TAGS = ("tags",)


def retag(aws: AwsSession, req: Request, old: Existing, resource_id: str) -> None:
    """EC2's tags of one resource, as the provider's updateTags changes them."""
    to_set, to_remove = retagged(old, req)
    if to_remove:
        aws_call(req, ec2_client(aws).delete_tags, Resources=[resource_id], Tags=[{"Key": k} for k in to_remove])
    if to_set:
        aws_call(req, ec2_client(aws).create_tags, Resources=[resource_id], Tags=aws_tags(to_set))


def tags_only(aws: AwsSession, req: Request, old: Existing) -> Created:
    retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req)))
