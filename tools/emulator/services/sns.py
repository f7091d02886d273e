"""SNS: the alert topic and its subscriptions.

Covers: aws:sns Topic and TopicSubscription. What moto lacks: it sends no e-mail, and an
e-mail subscription is confirmed at once rather than pending confirmation.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
from ..core.wire import request_tags, tags_state

NAME_MAX = 256


def _sns(aws: AwsSession) -> Any:
    return aws.client("sns")


@resource("aws:sns/topic:Topic")
def topic(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, NAME_MAX)
    attributes = {
        k: v
        for k, v in {"DisplayName": req.get("displayName"), "KmsMasterKeyId": req.get("kmsMasterKeyId")}.items()
        if v
    }
    arn = aws_call(req, _sns(aws).create_topic, Name=name, Attributes=attributes or None, Tags=request_tags(req))[
        "TopicArn"
    ]
    return Created(arn, {**req.inputs, **tags_state(req), "name": name, "arn": arn})


@resource("aws:sns/topicSubscription:TopicSubscription")
def topic_subscription(aws: AwsSession, req: Request) -> Created:
    arn = aws_call(
        req,
        _sns(aws).subscribe,
        TopicArn=req.get("topic"),
        Protocol=req.get("protocol"),
        Endpoint=req.get("endpoint"),
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return Created(arn, {**req.inputs, "arn": arn})
