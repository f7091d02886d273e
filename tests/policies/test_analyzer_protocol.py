"""`pulumi preview --policy-pack policies` works: the pack's own process, spoken to as the Pulumi CLI does.

The pack is started as the CLI's Python plugin starts it (`python -u -m pulumi.policy <engine>
policies`, in policies/, with the stack's identity and config in its environment: see
tests/support/policy_server.py for where in pulumi's source each detail comes from). Then the
CLI's calls in the CLI's order: ConfigureStack, GetAnalyzerInfo, Configure with the reconciled
policy config, an Analyze per resource and an AnalyzeStack, on the real prod preview and on a
careless change to it. Expected names, levels and defaults are written out here by hand.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime import proto

from tests.support.policy_server import (
    LEVEL_NAMES,
    POLICY_PACK_DIR,
    PolicyPackProcess,
    analyze_request,
    analyze_stack_request,
    policy_pack,
    reconciled,
)
from tests.support.stacks import Applied
from tools.stack_files import PROJECT_DIR, project_name, read_stack_file, stack_file

RESOURCE, STACK = "resource", "stack"
ANNOUNCED = {
    # rule: (level, kind, {config property: default})
    "cluster-ports-only-from-nodes": (
        "mandatory",
        STACK,
        {"epmdPort": 4369, "distributionPorts": {"from": 9100, "to": 9155}},
    ),
    "no-admin-ports-from-world": ("mandatory", RESOURCE, {"adminPorts": [22, 3389, 4369, 5985, 5986]}),
    "app-port-only-from-load-balancer": ("mandatory", STACK, {}),
    "imdsv2-required": ("mandatory", RESOURCE, {}),
    "encrypted-volumes": ("mandatory", RESOURCE, {}),
    "http-redirects-to-https": ("mandatory", STACK, {}),
    "load-balancer-access-logs": ("advisory", RESOURCE, {}),
    "asg-size-bounds": ("mandatory", RESOURCE, {"maxSizeCeiling": 50}),
    "alarms-have-actions": ("advisory", RESOURCE, {}),
}
KINDS = {proto.POLICY_TYPE_RESOURCE: RESOURCE, proto.POLICY_TYPE_STACK: STACK}
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

pytestmark = pytest.mark.xdist_group("prod")
"""One worker runs the module, beside prod's other readers: its policy server starts once, and the
prod it reads is the one that worker applies for them."""

Diagnostic = tuple[str, str, str]
"""(rule, level, urn) of one diagnostic; the urn is empty for a resource's own Analyze."""


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with policy_pack(read_stack_file(stack_file("prod"), project_name(PROJECT_DIR))) as running:
        yield running


@pytest.fixture(scope="module")
def info(pack: PolicyPackProcess) -> Any:
    return pack.analyzer.GetAnalyzerInfo(empty_pb2.Empty())


def configure(pack: PolicyPackProcess, info: Any, pack_config: dict[str, Any] | None = None) -> None:
    """What `--policy-pack-config` with `pack_config` makes the CLI send (the server keeps it)."""
    pack.analyzer.Configure(reconciled(info, pack_config or {}))


def analyze(pack: PolicyPackProcess, record: dict[str, Any]) -> set[Diagnostic]:
    return _rows(pack.analyzer.Analyze(analyze_request(record)))


def analyze_stack(pack: PolicyPackProcess, document: dict[str, Any]) -> set[Diagnostic]:
    return _rows(pack.analyzer.AnalyzeStack(analyze_stack_request(document)))


def _rows(response: Any) -> set[Diagnostic]:
    """The diagnostics of the rules named here: rules added later may judge the same resources."""
    return {
        (d.policyName, LEVEL_NAMES[d.enforcementLevel], d.urn)
        for d in response.diagnostics
        if d.policyName in ANNOUNCED
    }


def _messages(response: Any) -> dict[str, str]:
    return {d.policyName: d.message for d in response.diagnostics}


# --- what the pack announces ---------------------------------------------------------------------


def test_the_pack_announces_itself_as_elixir_cluster_with_config(info):
    assert info.name == "elixir-cluster"
    assert info.supportsConfig


def test_the_pack_announces_each_rule_with_its_level_kind_and_config_defaults(info):
    announced = {p.name: p for p in info.policies}
    for name, (level, kind, defaults) in ANNOUNCED.items():
        policy = announced[name]
        schema = json_format.MessageToDict(policy.configSchema.properties)
        assert (LEVEL_NAMES[policy.enforcementLevel], KINDS[policy.policy_type]) == (level, kind), name
        assert {key: spec["default"] for key, spec in schema.items()} == defaults, name


def test_every_announced_rule_has_a_description_a_kind_a_live_level_and_a_default_for_each_setting(info):
    assert len(info.policies) >= len(ANNOUNCED)
    for policy in info.policies:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name), policy.name
        assert policy.description, policy.name
        assert policy.policy_type in KINDS, policy.name
        # the pack ships no remediation and no dead rule: each one warns or blocks
        assert LEVEL_NAMES[policy.enforcementLevel] in ("advisory", "mandatory"), policy.name
        schema = json_format.MessageToDict(policy.configSchema.properties)
        # the CLI fills a property in only from its default: one without would reach the rule unset
        assert all("default" in spec for spec in schema.values()), policy.name


def test_the_process_runs_the_pinned_pulumi_policy(pack):
    pinned = re.search(r"^pulumi-policy==(\S+)$", (POLICY_PACK_DIR / "requirements.txt").read_text(), re.M)
    assert pack.analyzer.GetPluginInfo(empty_pb2.Empty()).version == pinned[1]


# --- Analyze: one resource before it is created ------------------------------------------------


def launch_template(http_tokens: str) -> dict[str, Any]:
    inputs = {
        "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": http_tokens},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 20}}],
    }
    return _record(LAUNCH_TEMPLATE, f"nodes-{http_tokens}", inputs)


def world_ingress(name: str, group: str, port: int) -> dict[str, Any]:
    inputs = {"securityGroupId": group, "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": "0.0.0.0/0"}
    return _record(INGRESS_RULE, name, inputs, f"sgr-{name}")


def _record(type_: str, name: str, inputs: dict[str, Any], id_: str | None = None) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:prod::elixir-cluster::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": None,
        "id": id_ or name,
        "inputs": inputs,
        "outputs": copy.deepcopy(inputs),
    }


def test_a_launch_template_with_imdsv1_is_refused_and_one_requiring_tokens_passes(pack, info):
    configure(pack, info)
    response = pack.analyzer.Analyze(analyze_request(launch_template("optional")))
    assert _rows(response) == {("imdsv2-required", "mandatory", "")}
    # the server prefixes the rule's description; the rule's own text names the resource and the fix
    message = _messages(response)["imdsv2-required"]
    assert message.startswith("Launch templates and instances require IMDSv2 session tokens.\n")
    assert "nodes-optional" in message and "httpTokens" in message
    assert analyze(pack, launch_template("required")) == set()


def test_configure_makes_a_rule_advisory_or_turns_it_off(pack, info):
    careless = launch_template("optional")
    configure(pack, info, {"imdsv2-required": "advisory"})
    assert analyze(pack, careless) == {("imdsv2-required", "advisory", "")}
    configure(pack, info, {"imdsv2-required": {"enforcementLevel": "disabled"}})
    assert analyze(pack, careless) == set()
    configure(pack, info, {"all": "advisory", "imdsv2-required": "mandatory"})
    assert analyze(pack, careless) == {("imdsv2-required", "mandatory", "")}


def test_configure_changes_what_a_rule_reads_from_its_config(pack, info):
    epmd, ssh = world_ingress("epmd-from-world", "sg-0aaaaaaaaaaaaaaa1", 4369), world_ingress("ssh", "sg-01", 22)
    configure(pack, info)
    assert analyze(pack, epmd) == {("no-admin-ports-from-world", "mandatory", "")}
    configure(pack, info, {"no-admin-ports-from-world": {"adminPorts": [22]}})
    assert analyze(pack, epmd) == set()
    assert analyze(pack, ssh) == {("no-admin-ports-from-world", "mandatory", "")}


# --- the prod preview: Analyze each resource, then AnalyzeStack -----------------------------------


@pytest.fixture(scope="module")
def prod_document(prod: Applied) -> dict[str, Any]:
    return prod.deployment.to_json()


def careless_prod(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The prod preview plus a rule opening EPMD on the node security group to the world."""
    careless = copy.deepcopy(document)
    [template] = [r for r in careless["resources"] if r["type"] == LAUNCH_TEMPLATE]
    rule = world_ingress("epmd-from-world", template["inputs"]["vpcSecurityGroupIds"][0], 4369)
    careless["resources"].append(rule)
    return careless, rule


def test_the_shipped_prod_stack_gets_no_diagnostic_from_any_rule(pack, info, prod_document):
    configure(pack, info)
    assert len(prod_document["resources"]) > 50  # the whole stack, not a sample
    for record in prod_document["resources"]:
        assert list(pack.analyzer.Analyze(analyze_request(record)).diagnostics) == [], record["name"]
    assert list(pack.analyzer.AnalyzeStack(analyze_stack_request(prod_document)).diagnostics) == []


def test_epmd_open_to_the_world_in_prod_is_refused_by_the_resource_and_the_stack_rule(pack, info, prod_document):
    careless, rule = careless_prod(prod_document)
    configure(pack, info)
    assert analyze(pack, rule) == {("no-admin-ports-from-world", "mandatory", "")}
    response = pack.analyzer.AnalyzeStack(analyze_stack_request(careless))
    assert _rows(response) == {("cluster-ports-only-from-nodes", "mandatory", rule["urn"])}
    message = _messages(response)["cluster-ports-only-from-nodes"]
    assert "epmd-from-world admits 0.0.0.0/0 to port(s) 4369" in message


def test_configure_reaches_the_stack_rules(pack, info, prod_document):
    careless, rule = careless_prod(prod_document)
    configure(pack, info, {"cluster-ports-only-from-nodes": "advisory"})
    assert analyze_stack(pack, careless) == {("cluster-ports-only-from-nodes", "advisory", rule["urn"])}
    configure(pack, info, {"cluster-ports-only-from-nodes": "disabled"})
    assert analyze_stack(pack, careless) == set()
    # a team on another distribution range: the load balancer reaching 9200 is now a cluster port breach
    [balancer] = [r for r in careless["resources"] if r["type"] == "aws:lb/loadBalancer:LoadBalancer"]
    lb_to_9200 = _record(
        INGRESS_RULE,
        "lb-to-9200",
        {
            "securityGroupId": rule["inputs"]["securityGroupId"],
            "ipProtocol": "tcp",
            "fromPort": 9200,
            "toPort": 9200,
            "referencedSecurityGroupId": balancer["inputs"]["securityGroups"][0],
        },
    )
    shipped_plus = copy.deepcopy(prod_document)
    shipped_plus["resources"].append(lb_to_9200)
    configure(pack, info)
    assert analyze_stack(pack, shipped_plus) == set()
    configure(pack, info, {"cluster-ports-only-from-nodes": {"distributionPorts": {"from": 9200, "to": 9300}}})
    assert analyze_stack(pack, shipped_plus) == {("cluster-ports-only-from-nodes", "mandatory", lb_to_9200["urn"])}
