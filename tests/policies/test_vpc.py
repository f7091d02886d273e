"""policies/rules/network.py, the VPC's rules: flow logs on, the default security group closed."""

from __future__ import annotations

import copy

import pytest

from tests.support.synthetic import PROD_TAGS, add, change, cluster, findings, remove, resource

VPC_ID = "vpc-0123456789abcdef0"
OTHER_VPC_ID = "vpc-0fedcba9876543210"


def vpc(name: str = "vpc", vpc_id: str = VPC_ID, tags: dict | None = None) -> dict:
    return resource("aws:ec2/vpc:Vpc", name, {"cidrBlock": "10.40.0.0/16", "tags": tags or PROD_TAGS}, vpc_id)


def flow_log(vpc_id: str = VPC_ID) -> dict:
    inputs = {"vpcId": vpc_id, "trafficType": "ALL", "logDestinationType": "s3", "logDestination": "arn:aws:s3:::logs"}
    return resource("aws:ec2/flowLog:FlowLog", f"flow-{vpc_id}", inputs, "fl-0123456789abcdef0")


def default_group(vpc_id: str = VPC_ID, **rules: list) -> dict:
    return resource(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", f"default-{vpc_id}", {"vpcId": vpc_id, **rules}, "sg-0d"
    )


def network() -> dict:
    """The compliant cluster in a VPC of its own, logged and with its default group closed."""
    return add(cluster(), vpc(), flow_log(), default_group())


@pytest.mark.parametrize("rule", ["flow-logs-enabled", "default-security-group-closed"])
def test_the_stack_shape_passes(rule):
    assert findings(network(), rule) == []


def test_a_prod_vpc_without_a_flow_log_is_refused_naming_the_setting():
    [violation] = findings(remove(network(), f"flow-{VPC_ID}"), "flow-logs-enabled")
    assert violation.resource == "vpc"
    assert "elixir-cluster:network.flowLogs.enabled: true" in violation.message


def test_a_flow_log_on_another_vpc_does_not_count():
    document = add(remove(network(), f"flow-{VPC_ID}"), flow_log(OTHER_VPC_ID))
    assert [v.resource for v in findings(document, "flow-logs-enabled")] == ["vpc"]


def test_dev_may_go_without_flow_logs_unless_the_team_requires_them():
    document = remove(network(), f"flow-{VPC_ID}")
    change(document, "vpc", tags={**PROD_TAGS, "Environment": "dev"})
    assert findings(document, "flow-logs-enabled") == []
    everywhere = {"flow-logs-enabled": {"requiredIn": ["dev", "staging", "prod"]}}
    assert [v.resource for v in findings(document, "flow-logs-enabled", everywhere)] == ["vpc"]


def test_a_default_security_group_with_rules_is_refused():
    allow_all = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
    document = add(remove(network(), f"default-{VPC_ID}"), default_group(egress=allow_all))
    [violation] = findings(document, "default-security-group-closed")
    assert violation.resource == f"default-{VPC_ID}"
    assert "declares 1 rule(s)" in violation.message


def test_a_vpc_whose_default_group_is_not_adopted_keeps_aws_rules_and_is_refused():
    document = add(network(), vpc("second", OTHER_VPC_ID))
    document = add(document, flow_log(OTHER_VPC_ID))
    [violation] = findings(document, "default-security-group-closed")
    assert violation.resource == "second"


def test_an_existing_vpc_is_not_the_stacks_to_close():
    # with network.vpcId the stack declares no aws.ec2.Vpc: nothing to adopt
    document = copy.deepcopy(cluster())
    assert findings(document, "default-security-group-closed") == []
    assert findings(document, "flow-logs-enabled") == []


# --- on what the program builds ---------------------------------------------------------------


def test_prod_without_its_flow_log_fails_the_pack(prod):
    document = copy.deepcopy(prod.deployment.to_json())
    document["resources"] = [r for r in document["resources"] if r["type"] != "aws:ec2/flowLog:FlowLog"]
    assert [v.resource for v in findings(document, "flow-logs-enabled")] == ["shop-network-vpc"]


def test_prod_with_its_default_group_opened_fails_the_pack(prod):
    document = copy.deepcopy(prod.deployment.to_json())
    [group] = [r for r in document["resources"] if r["type"] == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"]
    ssh = [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]
    group["inputs"]["ingress"] = group["outputs"]["ingress"] = ssh
    assert [v.resource for v in findings(document, "default-security-group-closed")] == [group["name"]]
