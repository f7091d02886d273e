"""tools/changes/report.py: the change reports of five edits to prod, as docs/design.md's contract gives
them, against expectations derived by hand from the stack file and the provider's schemas."""

from __future__ import annotations

import base64
from typing import Any

import pytest

CONTRACT_KEYS = {"urn", "type", "name", "action", "changed", "replaceBecause"}
PROD_GROUP = "shop-nodes-group"
PROD_REFRESH_SECONDS = 3 * 120 + (5 + 45 + 30 + 15 + 10) + 600
"""prod replaces 3 nodes one at a time (90 % of 3 rounds up to 3 in service, 110 % up to 4 running),
each after a 120 s warmup (nodes.instanceRefresh.instanceWarmup), then the last old node drains:
a 5 s poll, the 45 s deregistration delay, 30 s drainSeconds and systemd's 15 s stop margin, 10 s
to complete the lifecycle action; and the canary's 600 s pause at 8 % (none at 100 %, the end)."""


def actions(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(change["action"], change["type"], change["name"]) for change in document["changes"]}


def change(document: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [c for c in document["changes"] if c["name"] == name]
    return found


def decoded(value: str) -> str:
    return base64.b64decode(value).decode()


def test_the_document_is_the_contracts(prod_change):
    document = prod_change("new artifact").to_json()
    assert set(document) == {"stack", "changes", "refresh"}
    assert document["stack"] == "prod"
    assert all(set(c) == CONTRACT_KEYS for c in document["changes"])
    assert set(document["refresh"]) == {"group", "nodes", "batch", "checkpoints", "minimumSeconds"}


def test_a_new_artifact_is_a_new_template_version_a_group_update_and_a_refresh(prod_change):
    report = prod_change("new artifact")
    document = report.to_json()
    assert actions(document) == {
        ("update", "aws:ec2/launchTemplate:LaunchTemplate", "shop-nodes-template"),
        ("update", "aws:iam/rolePolicy:RolePolicy", "shop-nodes-boot"),  # nodes may fetch the new artifact
        ("update", "aws:autoscaling/group:Group", PROD_GROUP),
    }
    user_data = change(document, "shop-nodes-template")["changed"]
    assert list(user_data) == ["userData"]
    assert "ARTIFACT=s3://shop-releases/shop-1.4.2.tar.gz" in decoded(user_data["userData"]["old"])
    assert "ARTIFACT=s3://shop-releases/shop-1.5.0.tar.gz" in decoded(user_data["userData"]["new"])
    assert change(document, PROD_GROUP)["changed"] == {"launchTemplate.version": {"old": "1", "new": "2"}}
    refresh = document["refresh"]
    assert refresh["group"].startswith(f"{PROD_GROUP}-")
    assert (refresh["nodes"], refresh["batch"], refresh["checkpoints"]) == (
        3,
        1,
        [{"percentage": 8, "delaySeconds": 600}, {"percentage": 100, "delaySeconds": 600}],
    )
    assert refresh["minimumSeconds"] == PROD_REFRESH_SECONDS
    assert report.failure is None and not report.replaces


def test_a_new_instance_type_is_a_new_template_version_and_a_refresh(prod_change):
    document = prod_change("new instance type").to_json()
    assert actions(document) == {
        ("update", "aws:ec2/launchTemplate:LaunchTemplate", "shop-nodes-template"),
        ("update", "aws:autoscaling/group:Group", PROD_GROUP),
    }
    assert change(document, "shop-nodes-template")["changed"] == {
        "instanceType": {"old": "c7g.large", "new": "c7g.xlarge"}
    }
    assert document["refresh"]["minimumSeconds"] == PROD_REFRESH_SECONDS


def test_a_scaling_target_updates_its_policy_and_nothing_else(prod_change):
    document = prod_change("scaling target").to_json()
    assert actions(document) == {("update", "aws:autoscaling/policy:Policy", "shop-scaling-track-requestsPerTarget")}
    assert change(document, "shop-scaling-track-requestsPerTarget")["changed"] == {
        "targetTrackingConfiguration.targetValue": {"old": 1000, "new": 800}
    }
    assert document["refresh"] is None  # no node is replaced


def test_an_internal_load_balancer_made_internet_facing_is_replaced_and_prods_deletion_protection_stops_it(
    prod_change,
):
    """`internal` is ForceNew (elbv2/load_balancer.go): a new load balancer, in the public subnets; its
    listeners follow (load_balancer_arn is ForceNew); the alarms, policies and dashboard that name it
    are updated; WAF, which only guards an internet-facing one, is created. Then the old load balancer
    cannot be deleted: prod has deletionProtection on, and `pulumi up` stops there."""
    report = prod_change("internet-facing load balancer")
    document = report.to_json()
    balancer = change(document, "shop-lb-alb")
    assert (balancer["action"], balancer["replaceBecause"]) == ("replace", ["internal"])
    assert balancer["changed"]["internal"] == {"old": True, "new": False}
    assert {path.split("[")[0] for path in balancer["changed"]} == {"internal", "subnets"}
    for listener in ("shop-lb-http", "shop-lb-https"):
        assert (change(document, listener)["action"], change(document, listener)["replaceBecause"]) == (
            "replace",
            ["loadBalancerArn"],
        )
    updated = {name for action, _, name in actions(document) if action == "update"}
    assert {"shop-monitoring-5xx-rate", "shop-monitoring-dashboard", "shop-scaling-track-requestsPerTarget"} <= updated
    created = {name for action, _, name in actions(document) if action == "create"}
    assert {"shop-waf-web-acl", "shop-waf-association"} <= created
    assert not any(action == "delete" for action, _, _ in actions(document))
    assert "OperationNotPermitted" in report.failure and "deletion protection is enabled" in report.failure
    [failed] = [step for step in report.changes if step.error]
    assert failed.name == "shop-lb-alb" and failed.error.startswith("deleting the resource it replaces")
    assert report.replaces and document["refresh"] is None


def test_a_renamed_cluster_is_all_new_resources_and_stops_at_the_cookie_parameter_prod_names(prod_change):
    """The cluster's name is every resource's Pulumi name: each URN changes, so everything is created
    anew (and the old ones would go after), nothing updated or replaced. prod names its cookie
    parameter explicitly (/shop/prod/release-cookie): the new one cannot be created beside the old
    (ParameterAlreadyExists; the provider overwrites only on update)."""
    report = prod_change("cluster renamed")
    assert {step.action for step in report.changes} == {"create"}
    assert all(step.name.startswith("store") for step in report.changes)
    [failed] = [step for step in report.changes if step.error]
    assert (failed.type, failed.name) == ("aws:ssm/parameter:Parameter", "store-nodes-cookie")
    assert report.failure.startswith("aws:ssm/parameter:Parameter 'store-nodes-cookie': ParameterAlreadyExists")


@pytest.mark.parametrize("name", ["new artifact", "scaling target"])
def test_unchanged_resources_are_counted_not_listed(prod_change, name):
    report = prod_change(name)
    assert report.unchanged > 50
    assert all(step.action != "same" for step in report.changes)
