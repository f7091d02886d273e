"""SNS in moto: the alert topic, encrypted under its key, its e-mail subscription, and the error a
subscription to a topic that does not exist gets."""

from __future__ import annotations

import pytest

from tools.emulator import EmulatorError

TOPIC = """
key = aws.kms.Key("alerts", description="alert topic")
topic = aws.sns.Topic("alerts", display_name="shop alerts", kms_master_key_id=key.arn, tags={"team": "payments"})
email = aws.sns.TopicSubscription("oncall", topic=topic.arn, protocol="email", endpoint="oncall@example.com")
pulumi.export("key", key.arn)
pulumi.export("topic", topic.arn)
pulumi.export("name", topic.name)
pulumi.export("subscription", email.arn)
"""


def test_the_topic_is_encrypted_under_its_key(run, aws):
    out = run(TOPIC).outputs
    account = aws("sts").get_caller_identity()["Account"]
    attributes = aws("sns").get_topic_attributes(TopicArn=out["topic"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == out["key"]
    assert attributes["DisplayName"] == "shop alerts"
    assert out["topic"] == f"arn:aws:sns:eu-west-1:{account}:{out['name']}"
    assert out["name"].startswith("alerts-") and len(out["name"]) == len("alerts-") + 7  # Pulumi's auto-name
    assert aws("sns").list_tags_for_resource(ResourceArn=out["topic"])["Tags"] == [{"Key": "team", "Value": "payments"}]


def test_the_topic_mails_its_subscriber(run, aws):
    out = run(TOPIC).outputs
    [subscription] = aws("sns").list_subscriptions_by_topic(TopicArn=out["topic"])["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "oncall@example.com")
    assert out["subscription"].startswith(out["topic"] + ":")  # AWS's form: the topic's ARN and an id


def test_a_subscription_to_a_topic_that_does_not_exist_is_refused_in_aws_words(run, aws):
    account = aws("sts").get_caller_identity()["Account"]
    program = (
        f'aws.sns.TopicSubscription("oncall", topic="arn:aws:sns:eu-west-1:{account}:nowhere", protocol="email",'
        ' endpoint="oncall@example.com")\n'
    )
    with pytest.raises(
        EmulatorError, match=r"^aws:sns/topicSubscription:TopicSubscription 'oncall': NotFound: Topic does not exist$"
    ):
        run(program)
