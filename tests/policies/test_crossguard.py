"""The offline runner against the real thing: the pack's own policy server, spoken to as the Pulumi CLI does.

The pack runs as `--policy-pack policies` starts it (tests/support/policy_server.py).
Configured with the reconciled configuration, it gets an Analyze call per resource (its
inputs) and one AnalyzeStack (every resource's outputs); its diagnostics must be exactly
what `tools.policy_check` reports for the same document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import proto

from policies.rules import POLICIES
from tests.support.policy_server import policy_pack
from tests.support.synthetic import NODE_SG, add, change, cluster, ingress, named, remove
from tools.policy_check import check, reconcile
from tools.stack_files import PROJECT_DIR, project_name, read_stack_file, stack_file

LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled"}
DESCRIPTIONS = {p.name: p.description for p in POLICIES}

pytestmark = pytest.mark.xdist_group("crossguard")
"""One worker runs the module: its policy server process starts once."""


@pytest.fixture(scope="module")
def analyzer() -> Iterator[Any]:
    with policy_pack(read_stack_file(stack_file("prod"), project_name(PROJECT_DIR))) as running:
        yield running.analyzer


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(values, struct_pb2.Struct())


def _configure(analyzer: Any, pack_config: dict[str, Any]) -> None:
    """What the CLI sends after reconciling --policy-pack-config with the pack's schemas."""
    levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
    config = {
        name: proto.PolicyConfig(enforcementLevel=levels[s.level.value], properties=_struct(dict(s.properties)))
        for name, s in reconcile(POLICIES, pack_config).items()
    }
    analyzer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=config))


def _served(analyzer: Any, document: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(level, policy, resource, message) of every diagnostic the real server returns."""
    found = set()
    for record in document["resources"]:
        request = proto.AnalyzeRequest(
            type=record["type"], properties=_struct(record["inputs"]), urn=record["urn"], name=record["name"]
        )
        found |= {_row(d, record["name"]) for d in analyzer.Analyze(request).diagnostics}
    stack = proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(
                type=r["type"],
                properties=_struct({**r["outputs"], "id": r["id"]}),
                urn=r["urn"],
                name=r["name"],
                parent=r["parent"] or "",
            )
            for r in document["resources"]
        ]
    )
    found |= {
        _row(d, d.urn.rsplit("::", 1)[-1] if d.urn else "(stack)") for d in analyzer.AnalyzeStack(stack).diagnostics
    }
    return found


def _row(diagnostic: Any, resource: str) -> tuple[str, str, str, str]:
    description = DESCRIPTIONS[diagnostic.policyName]
    assert diagnostic.message.startswith(description + "\n")  # the server prefixes the rule's description
    message = diagnostic.message.removeprefix(description + "\n")
    return LEVELS[diagnostic.enforcementLevel], diagnostic.policyName, resource, message


def _offline(document: dict[str, Any], pack_config: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(v.level.value, v.policy, v.resource, v.message) for v in check(document, pack_config)}


def _careless() -> dict[str, Any]:
    document = add(cluster(), ingress("epmd-from-world", NODE_SG, 4369, cidrIpv4="0.0.0.0/0"))
    change(document, "template", metadataOptions={"httpTokens": "optional"})
    change(document, "http", defaultActions=[{"type": "forward", "targetGroupArn": "tg"}])
    change(document, "alb", accessLogs=None, enableDeletionProtection=False)
    change(document, "group", maxSize=60, healthCheckGracePeriod=10)
    named(document, "nodes")["outputs"]["ingress"] = [
        {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
    ]
    return remove(document, "cpu")


@pytest.mark.parametrize(
    "pack_config",
    [{}, {"all": "advisory", "imdsv2-required": "mandatory", "asg-size-bounds": {"maxSizeCeiling": 100}}],
    ids=["defaults", "configured"],
)
def test_the_offline_runner_reports_what_the_policy_server_reports(analyzer, pack_config):
    document = _careless()
    _configure(analyzer, pack_config)
    served = _served(analyzer, document)
    assert len({row[1] for row in served}) >= 8  # the comparison covers many rules, resource and stack
    assert _offline(document, pack_config) == served


def test_the_server_announces_every_rule_with_its_level_and_defaults(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    for served, policy in zip(info.policies, POLICIES, strict=True):
        assert LEVELS[served.enforcementLevel] == policy.enforcement_level.value
        schema = json_format.MessageToDict(served.configSchema.properties)
        expected = policy.config_schema.properties if policy.config_schema else {}
        assert schema == json_format.MessageToDict(_struct(expected))
