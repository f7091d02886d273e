"""SNS: the alert topic and its subscriptions.

Covers: aws:sns Topic and TopicSubscription. An update sets a topic's attributes (display
name, KMS key) and tags, a subscription's delivery attributes (SetSubscriptionAttributes); its
topic, protocol and endpoint force a replacement. What moto lacks: it sends no e-mail, and an
e-mail subscription is confirmed at once rather than pending confirmation.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
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


# --- changes to an applied stack: updates in place and deletes ------------------------------

TOPIC_ATTRIBUTES = {"displayName": "DisplayName", "kmsMasterKeyId": "KmsMasterKeyId"}
SUBSCRIPTION_ATTRIBUTES = {
    "deliveryPolicy": "DeliveryPolicy",
    "filterPolicy": "FilterPolicy",
    "filterPolicyScope": "FilterPolicyScope",
    "rawMessageDelivery": "RawMessageDelivery",
    "redrivePolicy": "RedrivePolicy",
}


@updates("aws:sns/topic:Topic", handles=(*TOPIC_ATTRIBUTES, "tags"))
def update_topic(aws: AwsSession, req: Request, old: Existing) -> Created:
    sns, arn = _sns(aws), old.id
    for ours, theirs in TOPIC_ATTRIBUTES.items():
        if req.get(ours) != old.inputs.get(ours):
            aws_call(
                req, sns.set_topic_attributes, TopicArn=arn, AttributeName=theirs, AttributeValue=req.get(ours, "")
            )
    retag(req, old, sns.untag_resource, sns.tag_resource, ResourceArn=arn)
    return Created(arn, old.updated(req, **tags_state(req)))


@deletes("aws:sns/topic:Topic")
def delete_topic(aws: AwsSession, old: Existing) -> None:
    gone(old, _sns(aws).delete_topic, TopicArn=old.id)


@updates("aws:sns/topicSubscription:TopicSubscription", handles=tuple(SUBSCRIPTION_ATTRIBUTES))
def update_topic_subscription(aws: AwsSession, req: Request, old: Existing) -> Created:
    for ours, theirs in SUBSCRIPTION_ATTRIBUTES.items():
        if req.get(ours) != old.inputs.get(ours):
            value = req.get(ours, "")
            aws_call(
                req,
                _sns(aws).set_subscription_attributes,
                SubscriptionArn=old.id,
                AttributeName=theirs,
                AttributeValue=str(value).lower() if isinstance(value, bool) else value,
            )
    return Created(old.id, old.updated(req))


@deletes("aws:sns/topicSubscription:TopicSubscription")
def delete_topic_subscription(aws: AwsSession, old: Existing) -> None:
    gone(old, _sns(aws).unsubscribe, SubscriptionArn=old.id)
