"""tools/emulator/core/session.py: what an update does to tags (`retag`), as the provider's
updateTags: the keys gone removed, the new and changed values set, the rest left alone."""

from __future__ import annotations

TAGGED = """
role = aws.iam.Role("role", assume_role_policy='{"Version": "2012-10-17", "Statement": []}',
                    tags={"team": "payments", "cost": "42", "tier": "web"})
topic = aws.sns.Topic("topic", tags={"team": "payments", "cost": "42", "tier": "web"})
"""
RETAGGED = TAGGED.replace('"team": "payments", "cost": "42"', '"team": "checkout"')


def test_an_update_removes_the_keys_gone_and_sets_the_changed_values(run, update, aws):
    first = run(TAGGED)
    changes = update(RETAGGED, first)
    assert {step.name: step.action for step in changes.steps} == {"role": "update", "topic": "update"}
    role, topic = first.named("role").id, first.named("topic").id
    role_tags = aws("iam").list_role_tags(RoleName=role)["Tags"]
    topic_tags = aws("sns").list_tags_for_resource(ResourceArn=topic)["Tags"]
    for tags in (role_tags, topic_tags):
        assert {t["Key"]: t["Value"] for t in tags} == {"team": "checkout", "tier": "web"}
    assert changes.deployment.named("role").id == role and changes.deployment.named("topic").id == topic
