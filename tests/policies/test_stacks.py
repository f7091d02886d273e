"""The pack on what the program really builds: every shipped stack passes, careless changes do not.

The careless changes are made the way they would reach a deployment: in the prod preview
JSON (as if the components had been edited carelessly), or in the stack YAML itself and
run through `python -m tools.preview --policy`.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fragments import merged
from tests.support.stacks import Applied, AppliedStacks, write_variant
from tools import policy_check, preview
from tools.policy_check import EXIT_MANDATORY, EXIT_OK, check, mandatory
from tools.stack_files import stack_names

Document = dict[str, Any]


@pytest.fixture
def prod_preview(prod: Applied) -> Document:
    """`python -m tools.preview --stack prod --format json`, from the session's prod, for a test to change."""
    return copy.deepcopy(prod.deployment.to_json())


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_passes_with_no_mandatory_violation(stack, shipped):
    violations = check(shipped(stack).deployment.to_json())
    assert mandatory(violations) == [], "\n".join(map(str, violations))


def test_prod_passes_without_even_an_advisory(prod_preview):
    assert check(prod_preview) == []


# --- careless changes to the prod preview -------------------------------------------------------


def _records(document: Document, type_: str, where: Callable[[dict], bool] = lambda inputs: True) -> list[dict]:
    found = [r for r in document["resources"] if r["type"] == type_ and where(r["inputs"])]
    assert found, f"the prod preview has no {type_} to change"
    return found


def _states(record: dict) -> Iterator[dict]:
    """The record's inputs and outputs: a careless change shows in both."""
    yield record["inputs"]
    yield record["outputs"]


def open_epmd_to_the_world(document: Document) -> None:
    [rule] = _records(
        document, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", lambda i: i.get("fromPort") == 4369
    )
    for state in _states(rule):
        del state["referencedSecurityGroupId"]
        state["cidrIpv4"] = "0.0.0.0/0"


def open_the_app_port_to_the_world(document: Document) -> None:
    [target_group] = _records(document, "aws:lb/targetGroup:TargetGroup")
    [rule] = _records(
        document,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        lambda i: i.get("fromPort") == target_group["inputs"]["port"],
    )
    for state in _states(rule):
        del state["referencedSecurityGroupId"]
        state["cidrIpv4"] = "0.0.0.0/0"


def _node_group_id(document: Document) -> str:
    [template] = _records(document, "aws:ec2/launchTemplate:LaunchTemplate")
    return template["inputs"]["vpcSecurityGroupIds"][0]


def open_ssh(document: Document) -> None:
    rule = copy.deepcopy(_records(document, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")[0])
    rule.update(name="ssh", urn=rule["urn"].rsplit("::", 1)[0] + "::ssh", id="sgr-ssh")
    for state in _states(rule):
        state.pop("referencedSecurityGroupId", None)
        state.update(securityGroupId=_node_group_id(document), fromPort=22, toPort=22, cidrIpv4="0.0.0.0/0")
    document["resources"].append(rule)


def add_inline_rules_to_the_node_group(document: Document) -> None:
    group = next(r for r in document["resources"] if r["id"] == _node_group_id(document))
    for state in _states(group):
        state["ingress"] = [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.40.0.0/16"]}]


def make_imds_optional(document: Document) -> None:
    for state in _states(_records(document, "aws:ec2/launchTemplate:LaunchTemplate")[0]):
        state["metadataOptions"]["httpTokens"] = "optional"


def leave_the_root_volume_unencrypted(document: Document) -> None:
    for state in _states(_records(document, "aws:ec2/launchTemplate:LaunchTemplate")[0]):
        state["blockDeviceMappings"][0]["ebs"]["encrypted"] = "false"


def paste_the_cookie_into_user_data(document: Document) -> None:
    for state in _states(_records(document, "aws:ec2/launchTemplate:LaunchTemplate")[0]):
        text = base64.b64decode(state["userData"]).decode()
        text += "runcmd:\n- echo 'RELEASE_COOKIE=Zq8xW2pL0vN5' >> /etc/shop/release.env\n"
        state["userData"] = base64.b64encode(text.encode()).decode()


def grant_a_wildcard(document: Document) -> None:
    for state in _states(_records(document, "aws:iam/rolePolicy:RolePolicy")[0]):
        policy = json.loads(state["policy"]) if isinstance(state["policy"], str) else state["policy"]
        policy["Statement"][0]["Action"] = "s3:*"
        state["policy"] = json.dumps(policy)


def attach_ssm_managed_instance_core(document: Document) -> None:
    [role] = _records(document, "aws:iam/role:Role", lambda i: "Elixir nodes" in (i.get("description") or ""))
    attachment = copy.deepcopy(role)
    inputs = {"role": role["outputs"]["name"], "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    attachment.update(
        type="aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name="ssm-core",
        urn=role["urn"]
        .rsplit("::", 1)[0]
        .replace("aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        + "::ssm-core",
        id="ssm-core",
        inputs=inputs,
        outputs=dict(inputs),
    )
    document["resources"].append(attachment)


def put_a_token_in_the_release_environment(document: Document) -> None:
    for state in _states(_records(document, "aws:ec2/launchTemplate:LaunchTemplate")[0]):
        text = base64.b64decode(state["userData"]).decode()
        text = text.replace('    POOL_SIZE="10"\n', '    POOL_SIZE="10"\n    MAILER_API_TOKEN="mt-8f2b1c"\n')
        assert "MAILER_API_TOKEN" in text
        state["userData"] = base64.b64encode(text.encode()).decode()


def store_the_cookie_in_clear(document: Document) -> None:
    for state in _states(_records(document, "aws:ssm/parameter:Parameter")[0]):
        state["type"] = "String"


def keep_serving_plain_http(document: Document) -> None:
    [target_group] = _records(document, "aws:lb/targetGroup:TargetGroup")
    [http] = _records(document, "aws:lb/listener:Listener", lambda i: i.get("protocol") == "HTTP")
    for state in _states(http):
        state["defaultActions"] = [{"type": "forward", "targetGroupArn": target_group["id"]}]


def allow_tls_1_0(document: Document) -> None:
    [https] = _records(document, "aws:lb/listener:Listener", lambda i: i.get("protocol") == "HTTPS")
    for state in _states(https):
        state["sslPolicy"] = "ELBSecurityPolicy-2016-08"


def pass_invalid_headers(document: Document) -> None:
    for state in _states(_records(document, "aws:lb/loadBalancer:LoadBalancer")[0]):
        state["dropInvalidHeaderFields"] = False


def switch_off_deletion_protection(document: Document) -> None:
    for state in _states(_records(document, "aws:lb/loadBalancer:LoadBalancer")[0]):
        state["enableDeletionProtection"] = False


def drop_the_health_check_path(document: Document) -> None:
    for state in _states(_records(document, "aws:lb/targetGroup:TargetGroup")[0]):
        state["healthCheck"].pop("path")


def check_health_with_ec2_only(document: Document) -> None:
    for state in _states(_records(document, "aws:autoscaling/group:Group")[0]):
        state["healthCheckType"] = "EC2"


def raise_max_size_past_the_ceiling(document: Document) -> None:
    for state in _states(_records(document, "aws:autoscaling/group:Group")[0]):
        state["maxSize"] = 200.0


def squeeze_into_one_zone(document: Document) -> None:
    for state in _states(_records(document, "aws:autoscaling/group:Group")[0]):
        state["vpcZoneIdentifiers"] = state["vpcZoneIdentifiers"][:1]


def drop_the_scaling_policies(document: Document) -> None:
    _records(document, "aws:autoscaling/policy:Policy")
    document["resources"] = [r for r in document["resources"] if r["type"] != "aws:autoscaling/policy:Policy"]


def drop_the_web_acl(document: Document) -> None:
    _records(document, "aws:wafv2/webAclAssociation:WebAclAssociation")
    document["resources"] = [
        r for r in document["resources"] if r["type"] != "aws:wafv2/webAclAssociation:WebAclAssociation"
    ]


CARELESS_CHANGES = {
    open_epmd_to_the_world: {"cluster-ports-only-from-nodes", "no-admin-ports-from-world"},
    open_the_app_port_to_the_world: {"app-port-only-from-load-balancer"},
    open_ssh: {"no-admin-ports-from-world"},
    add_inline_rules_to_the_node_group: {"no-mixed-security-group-rules"},
    make_imds_optional: {"imdsv2-required"},
    leave_the_root_volume_unencrypted: {"encrypted-volumes"},
    paste_the_cookie_into_user_data: {"no-secrets-in-user-data"},
    grant_a_wildcard: {"node-role-no-wildcard-actions"},
    attach_ssm_managed_instance_core: {"node-role-reads-only-named-secrets"},
    put_a_token_in_the_release_environment: {"no-secrets-in-release-environment"},
    store_the_cookie_in_clear: {"secret-parameters-are-secure-strings"},
    keep_serving_plain_http: {"http-redirects-to-https"},
    allow_tls_1_0: {"listener-tls-policy"},
    pass_invalid_headers: {"alb-drops-invalid-headers"},
    switch_off_deletion_protection: {"prod-load-balancer-deletion-protection"},
    drop_the_health_check_path: {"target-group-health-check"},
    check_health_with_ec2_only: {"asg-elb-health-checks"},
    raise_max_size_past_the_ceiling: {"asg-size-bounds"},
    squeeze_into_one_zone: {"prod-groups-span-zones"},
    drop_the_scaling_policies: {"scalable-groups-have-policies"},
    drop_the_web_acl: {"prod-alb-has-waf"},
}


@pytest.mark.parametrize("careless", CARELESS_CHANGES, ids=lambda change: change.__name__)
def test_a_careless_change_to_prod_exits_3_naming_the_rule(careless, prod_preview, tmp_path, capsys):
    careless(prod_preview)
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(prod_preview))
    assert policy_check.main([str(path)]) == EXIT_MANDATORY
    lines = capsys.readouterr().out.splitlines()
    fired = {line.split(": ")[1] for line in lines if line.startswith("mandatory: ")}
    assert fired == CARELESS_CHANGES[careless]


def test_the_unchanged_prod_preview_exits_0(prod_preview, tmp_path):
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(prod_preview))
    assert policy_check.main([str(path)]) == EXIT_OK


# --- careless changes to the stack YAML, through `tools.preview --policy` ------------------------

CARELESS_STACK_FILE = {
    "elixir-cluster:nodes": {"maxSize": 60, "healthCheckGracePeriod": 10},
    "elixir-cluster:loadBalancer": {"waf": {"enabled": False, "managedRuleGroups": None}},
    "elixir-cluster:network": {"natGateways": "single"},
    "elixir-cluster:release": {"environment": {"REDIS_URL": "redis://shop:hunter2@cache.internal:6379/0"}},
}
"""Five careless edits of prod's stack file: each breaks a rule of its own."""

PROD_OPINIONS = {
    "one node": ({"elixir-cluster:nodes": {"minSize": 1}}, {("prod-min-nodes", "shop-nodes-group")}),
    "no deletion protection": (
        {"elixir-cluster:loadBalancer": {"deletionProtection": False}},
        {("prod-load-balancer-deletion-protection", "shop-lb-alb")},
    ),
    "plain HTTP to the internet": (
        {"elixir-cluster:loadBalancer": {"certificateArn": None, "sslPolicy": None}},
        {("prod-load-balancer-https", "shop-lb-alb")},
    ),
}
"""Stack-file changes to prod that were refused as if AWS rejected them, and what the pack says of
each (one zone behind a network load balancer and one NAT gateway: the tests after these)."""

CARELESS_PROD = functools.reduce(merged, [changes for changes, _ in PROD_OPINIONS.values()], CARELESS_STACK_FILE)
"""prod's stack file with the careless edits and the production opinions at once: one apply (the
session's, see `careless_prod`) that the preview and the pack both read."""


@pytest.fixture
def careless_prod(applied_stacks: AppliedStacks, tmp_path: Path) -> Path:
    """Pulumi.prod.yaml with CARELESS_PROD: the session applies it once, for the tests of this group."""
    return write_variant(tmp_path, "prod", "prod", CARELESS_PROD)


READS_CARELESS_PROD = pytest.mark.xdist_group("careless-prod")
"""The tests reading CARELESS_PROD run on one worker, which applies it once."""


@READS_CARELESS_PROD
def test_preview_policy_exits_3_on_a_careless_stack_file_naming_each_rule_it_breaks(
    careless_prod, previews_read_the_session, capsys
):
    assert preview.main(["--config", str(careless_prod), "--format", "json", "--policy"]) == EXIT_MANDATORY
    captured = capsys.readouterr()
    json.loads(captured.out)  # the chosen format still printed whole, the verdict beside it
    for rule in (
        "asg-size-bounds",
        "asg-elb-health-checks",
        "prod-alb-has-waf",
        "prod-nat-per-zone",
        "no-secrets-in-release-environment",
    ):
        assert f"mandatory: {rule}: " in captured.err
    assert "hunter2" not in captured.err, "a finding names where the secret is, never the secret"


def test_preview_policy_exits_0_on_the_shipped_stack(prod, previews_read_the_session, capsys):
    assert preview.main(["--stack", "prod", "--policy"]) == EXIT_OK
    assert "0 mandatory" in capsys.readouterr().err


# --- production opinions: the settings accept them, the pack flags them --------------------------


@READS_CARELESS_PROD
@pytest.mark.parametrize(("changes", "expected"), PROD_OPINIONS.values(), ids=PROD_OPINIONS.keys())
def test_a_production_opinion_is_accepted_by_the_settings_and_flagged_by_the_pack(
    changes, expected, careless_prod, applied_stacks
):
    applied = applied_stacks.shared(careless_prod)  # the settings accept it and the emulator builds it
    assert applied.settings.cluster.environment == "prod"
    violations = check(applied.deployment.to_json())
    assert expected <= {(v.policy, v.resource) for v in violations}, "\n".join(map(str, violations))
    assert all(v.level.value == "mandatory" for v in violations)


@READS_CARELESS_PROD
def test_the_careless_edits_and_the_opinions_break_their_rules_and_no_other(careless_prod, applied_stacks):
    violations = check(applied_stacks.shared(careless_prod).deployment.to_json())
    assert {(v.policy, v.resource) for v in violations} == {
        ("asg-size-bounds", "shop-nodes-group"),
        ("asg-elb-health-checks", "shop-nodes-group"),
        ("prod-alb-has-waf", "shop-lb-alb"),
        ("prod-nat-per-zone", "shop-network-nat-eu-west-1a"),
        ("no-secrets-in-release-environment", "shop-nodes-template"),
        *(pair for _, expected in PROD_OPINIONS.values() for pair in expected),
    }, "\n".join(map(str, violations))


def test_one_zone_behind_a_network_load_balancer_is_accepted_by_the_settings_and_flagged_by_the_pack(
    prod_behind_an_nlb_in_one_zone,
):
    applied = prod_behind_an_nlb_in_one_zone  # tests/support/variants.py
    assert applied.settings.cluster.environment == "prod"
    assert applied.settings.network.availability_zones == 1
    violations = check(applied.deployment.to_json())
    assert {(v.policy, v.resource) for v in violations} == {
        ("prod-groups-span-zones", "shop-nodes-group"),
        ("prod-groups-span-zones", "shop-lb-nlb"),
    }, "\n".join(map(str, violations))
    assert all(v.level.value == "mandatory" for v in violations)


def test_one_nat_gateway_in_production_is_one_in_aws_and_flagged_on_it(deploy, tmp_path, capsys):
    applied = deploy("prod", {"elixir-cluster:network": {"natGateways": "single"}})  # the settings accept it
    assert applied.settings.cluster.environment == "prod"
    violations = check(applied.deployment.to_json())
    assert {(v.policy, v.resource, v.level.value) for v in violations} == {
        ("prod-nat-per-zone", "shop-network-nat-eu-west-1a", "mandatory")
    }, "\n".join(map(str, violations))
    [nat] = applied.client("ec2").describe_nat_gateways()["NatGateways"]
    zones = {s["SubnetId"]: s["AvailabilityZone"] for s in applied.client("ec2").describe_subnets()["Subnets"]}
    [violation] = [v for v in check(applied.deployment.to_json()) if v.policy == "prod-nat-per-zone"]
    others = sorted(set(zones.values()) - {zones[nat["SubnetId"]]})
    assert f"in {zones[nat['SubnetId']]} is the way out for the private subnets of {', '.join(others)} too" in (
        violation.message
    )
    # a team that accepts the saving keeps the rule as a warning, as `--policy-pack-config` would
    document, config = tmp_path / "prod.json", tmp_path / "policy-config.json"
    document.write_text(json.dumps(applied.deployment.to_json()))
    config.write_text(json.dumps({"prod-nat-per-zone": "advisory"}))
    assert policy_check.main([str(document), "--config", str(config)]) == EXIT_OK
    assert "advisory: prod-nat-per-zone: shop-network-nat-" in capsys.readouterr().out
