"""tools/emulator/core/update.py: an edited program applied over an applied one, as Pulumi's engine
does: nothing for unchanged inputs, an update in place, a replacement (creating first, or deleting
first when a name cannot exist twice), deletes dependents first, ignoreChanges and aliases kept,
secrets masked, and a step nothing handles refused by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tools.emulator import SECRET_MASK, ChangeFailed, Emulator

NETWORK = """
vpc = aws.ec2.Vpc("vpc", cidr_block="10.8.0.0/16", tags={"team": "payments"})
subnet = aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.8.1.0/24")
sg = aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, description="nodes")
"""


def _steps(changes: Any) -> dict[str, str]:
    return {step.name: step.action for step in changes.steps}


@contextmanager
def aws_calls(emulator: Emulator) -> Iterator[list[str]]:
    """Every AWS operation the emulator's session calls inside the block."""
    made: list[str] = []
    session = emulator.session

    def count(model: Any, **_: Any) -> None:
        made.append(model.name)

    session._session._session.register("before-call", count)  # clients made from here on
    for client in session._clients.values():  # and the ones the first run made
        client.meta.events.register("before-call", count)
    try:
        yield made
    finally:
        session._session._session.unregister("before-call", count)
        for client in session._clients.values():
            client.meta.events.unregister("before-call", count)


def test_unchanged_inputs_make_no_aws_call_and_keep_every_id(run, update, emulator):
    first = run(NETWORK)
    with aws_calls(emulator) as made:
        changes = update(NETWORK, first)
    assert made == []
    assert set(_steps(changes).values()) == {"same"}
    assert sorted((r.urn, r.id, str(r.outputs)) for r in changes.deployment.resources) == sorted(
        (r.urn, r.id, str(r.outputs)) for r in first.resources
    )


def test_a_changed_tag_is_an_update_in_place(run, update, aws):
    first = run(NETWORK)
    changes = update(NETWORK.replace('"payments"', '"checkout"'), first)
    (step,) = [s for s in changes.steps if s.action != "same"]
    assert (step.name, step.action, step.changed) == ("vpc", "update", {"tags.team": ("payments", "checkout")})
    vpc = first.named("vpc").id
    assert step.new_id == vpc
    [described] = aws("ec2").describe_vpcs(VpcIds=[vpc])["Vpcs"]
    assert {t["Key"]: t["Value"] for t in described["Tags"]} == {"team": "checkout"}


def test_a_property_that_forces_a_new_resource_replaces_it_creating_first(run, update, aws):
    """A security group's description is ForceNew (vpc_security_group.go). The replacement is
    created before the old one goes, under a new auto-name (AWS refuses two of one name in a VPC)."""
    first = run(NETWORK)
    changes = update(NETWORK.replace('description="nodes"', 'description="cluster nodes"'), first)
    (step,) = [s for s in changes.steps if s.action != "same"]
    assert (step.action, step.replace_because, step.delete_first) == ("replace", ["description"], False)
    old, new = first.named("sg"), changes.deployment.named("sg")
    assert new.id != old.id and new.outputs["name"] != old.outputs["name"]
    ec2 = aws("ec2")
    [group] = ec2.describe_security_groups(GroupIds=[new.id])["SecurityGroups"]
    assert group["Description"] == "cluster nodes"
    with pytest.raises(ClientError, match="InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=[old.id])


def test_an_explicit_name_replaces_by_deleting_first(run, update, aws):
    """The name cannot exist twice: the bridge deletes before it replaces (nameRequiresDeleteBeforeReplace)."""
    named = NETWORK.replace('description="nodes"', 'name="web", description="nodes"')
    first = run(named)
    changes = update(named.replace('description="nodes"', 'description="web nodes"'), first)
    (step,) = [s for s in changes.steps if s.action != "same"]
    assert (step.action, step.delete_first) == ("replace", True)
    groups = aws("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web"]}])["SecurityGroups"]
    assert [(g["GroupId"], g["Description"]) for g in groups] == [(changes.deployment.named("sg").id, "web nodes")]


def test_what_the_program_no_longer_declares_is_deleted_dependents_first(run, update, aws):
    """The VPC can only go once its subnet and group have (AWS: DependencyViolation)."""
    first = run(NETWORK)
    changes = update('aws.ec2.Vpc("other", cidr_block="10.9.0.0/16")\n', first)
    deletes = [step.name for step in changes.steps if step.action == "delete"]
    assert sorted(deletes[:2]) == ["sg", "subnet"] and deletes[2:] == ["vpc"]  # what depends on the VPC first
    assert aws("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [first.named("vpc").id]}])["Vpcs"] == []


def test_ignored_changes_keep_the_old_value(run, update, aws):
    body = NETWORK.replace(
        'tags={"team": "payments"})', 'tags={"team": "payments"}, opts=pulumi.ResourceOptions(ignore_changes=["tags"]))'
    )
    first = run(body)
    changes = update(body.replace('"payments"', '"checkout"'), first)
    assert set(_steps(changes).values()) == {"same"}
    [vpc] = aws("ec2").describe_vpcs(VpcIds=[first.named("vpc").id])["Vpcs"]
    assert vpc["Tags"] == [{"Key": "team", "Value": "payments"}]


def test_an_alias_carries_a_resource_to_its_new_name(run, update):
    first = run(NETWORK)
    moved = NETWORK.replace(
        'aws.ec2.Vpc("vpc", cidr_block="10.8.0.0/16", tags={"team": "payments"})',
        'aws.ec2.Vpc("network", cidr_block="10.8.0.0/16", tags={"team": "payments"}, '
        'opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="vpc")]))',
    )
    changes = update(moved, first)
    assert set(_steps(changes).values()) == {"same"}
    assert changes.deployment.named("network").id == first.named("vpc").id


def test_a_change_no_handler_makes_fails_naming_the_property_and_keeps_the_steps_done(run, update):
    """The provider changes a VPC's tenancy in place; the emulator does not, and says so."""
    first = run(NETWORK)
    body = NETWORK.replace('"payments"', '"checkout"').replace(
        'cidr_block="10.8.0.0/16"', 'cidr_block="10.8.0.0/16", instance_tenancy="dedicated"'
    )
    with pytest.raises(
        ChangeFailed, match=r"aws:ec2/vpc:Vpc 'vpc': the emulator cannot update instanceTenancy"
    ) as failed:
        update(body, first)
    (step,) = failed.value.steps
    assert (step.name, step.action) == ("vpc", "update")
    assert "instanceTenancy" in step.error


def test_secrets_stay_masked_in_what_changed(run, update, aws):
    body = 'aws.ssm.Parameter("p", name="/app/key", type="SecureString", value=pulumi.Output.secret("{}"))\n'
    first = run(body.format("one"))
    changes = update(body.format("two"), first)
    (step,) = [s for s in changes.steps if s.action != "same"]
    assert (step.action, step.changed) == ("update", {"value": (SECRET_MASK, SECRET_MASK)})
    assert changes.deployment.named("p").outputs["value"] == SECRET_MASK
    parameter = aws("ssm").get_parameter(Name="/app/key", WithDecryption=True)["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("two", 2)  # overwritten, same ARN
    assert changes.deployment.named("p").outputs["arn"] == first.named("p").outputs["arn"]
