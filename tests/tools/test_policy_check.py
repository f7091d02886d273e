"""`python -m tools.policy_check`: runs the pack as CrossGuard would, with its configuration and exit codes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.rules.network import cluster_ports_only_from_nodes
from tests.support.synthetic import NODE_SG, add, change, cluster, ingress, named, remove
from tools import policy_check
from tools.policy_check import EXIT_MANDATORY, EXIT_OK, EXIT_UNREADABLE, check


@pytest.fixture
def run(tmp_path, capsys):
    """run(document, config=None) -> (exit code, stdout, stderr) of the command line."""

    def invoke(document, config=None, config_name="policy-config.json"):
        path = tmp_path / "preview.json"
        path.write_text(json.dumps(document) if isinstance(document, dict) else document)
        argv = [str(path)]
        if config is not None:
            config_path = tmp_path / config_name
            config_path.write_text(config if isinstance(config, str) else json.dumps(config))
            argv += ["--config", str(config_path)]
        code = policy_check.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _world_open_ssh():
    return add(cluster(), ingress("ssh", NODE_SG, 22, cidrIpv4="0.0.0.0/0"))


# --- exit codes and output --------------------------------------------------------------------


def test_a_compliant_stack_exits_0(run):
    code, out, _ = run(cluster())
    assert code == EXIT_OK
    assert out == "policy pack elixir-cluster: 0 mandatory, 0 advisory violation(s)\n"


def test_a_mandatory_violation_exits_3_naming_level_rule_and_resource(run):
    code, out, _ = run(_world_open_ssh())
    assert code == EXIT_MANDATORY
    assert out.startswith("mandatory: no-admin-ports-from-world: ssh: ssh opens port(s) 22 to 0.0.0.0/0.")
    assert "1 mandatory, 0 advisory" in out


def test_advisory_violations_alone_exit_0(run):
    code, out, _ = run(change(cluster(), "alb", accessLogs=None))
    assert code == EXIT_OK
    assert out.startswith("advisory: load-balancer-access-logs: alb: ")


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"stack": "prod"}), json.dumps([1, 2])], ids=["broken", "no-resources", "list"]
)
def test_an_unreadable_document_exits_2(run, content):
    code, out, err = run(content)
    assert code == EXIT_UNREADABLE and out == "" and err.startswith("error: ")


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert policy_check.main([str(tmp_path / "nowhere.json")]) == EXIT_UNREADABLE
    assert "nowhere.json" in capsys.readouterr().err


# --- policy configuration, as --policy-pack-config takes it -----------------------------------


def test_all_lowers_every_rule(run):
    code, out, _ = run(_world_open_ssh(), {"all": "advisory"})
    assert code == EXIT_OK and out.startswith("advisory: no-admin-ports-from-world")


def test_a_rules_own_level_beats_all_wherever_it_stands(run):
    for config in (
        {"no-admin-ports-from-world": "mandatory", "all": "advisory"},
        {"all": {"enforcementLevel": "advisory"}, "no-admin-ports-from-world": "mandatory"},
    ):
        assert run(_world_open_ssh(), config)[0] == EXIT_MANDATORY


def test_a_disabled_rule_does_not_run(run):
    code, out, _ = run(_world_open_ssh(), {"no-admin-ports-from-world": "disabled"})
    assert code == EXIT_OK and "no-admin-ports-from-world" not in out


def test_an_advisory_rule_can_be_made_mandatory(run):
    assert run(change(cluster(), "alb", accessLogs=None), {"load-balancer-access-logs": "mandatory"})[0] == 3


def test_properties_and_level_together(run):
    config = {"asg-size-bounds": {"enforcementLevel": "advisory", "maxSizeCeiling": 10}}
    code, out, _ = run(cluster(), config)
    assert code == EXIT_OK and out.startswith("advisory: asg-size-bounds: group: ")


def test_yaml_configuration_is_read_too(run):
    code, _, _ = run(cluster(), "asg-size-bounds:\n  maxSizeCeiling: 10\n", config_name="policy-config.yaml")
    assert code == EXIT_MANDATORY


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"all": "strict"}, "all: 'strict' is not a valid enforcement level"),
        (
            {"asg-size-bounds": {"maxSizeCeiling": "ten"}},
            "asg-size-bounds: maxSizeCeiling: 'ten' is not of type 'integer'",
        ),
        ({"asg-size-bound": {"maxSizeCeiling": 10}}, "asg-size-bound: the elixir-cluster pack has no such policy"),
        ({"imdsv2-required": {"strict": True}}, "imdsv2-required: takes no configuration"),
        ({"asg-size-bounds": 10}, "must be a string or object"),
    ],
)
def test_invalid_configuration_exits_2_naming_the_rule(run, config, problem):
    code, out, err = run(cluster(), config)
    assert code == EXIT_UNREADABLE and out == "" and problem in err


# --- what a rule receives: CrossGuard's view ----------------------------------------------------


def _probe(kind, seen, schema=None):
    def validate(args, report_violation):
        seen.append(args)

    if kind is StackValidationPolicy:
        return StackValidationPolicy(name="probe", description="probe", validate=validate, config_schema=schema)
    return ResourceValidationPolicy(name="probe", description="probe", validate=validate, config_schema=schema)


def test_a_resource_rule_sees_inputs_as_crossguard_delivers_them():
    seen = []
    schema = PolicyConfigSchema(properties={"limit": {"type": "integer", "default": 3}})
    check(cluster(), policies=[_probe(ResourceValidationPolicy, seen, schema)])
    group = next(args for args in seen if args.name == "group")
    assert group.resource_type == "aws:autoscaling/group:Group" and group.urn.endswith("::group")
    assert isinstance(group.props, Mapping) and not isinstance(group.props, dict)  # the read-only proxy
    assert isinstance(group.props["tags"], Sequence) and not isinstance(group.props["tags"], list)
    assert group.props["maxSize"] == 12.0 and isinstance(group.props["maxSize"], float)  # protobuf numbers
    assert "name" not in group.props  # an output: not what Analyze sees
    assert group.get_config() == {"limit": 3.0}


def test_a_stack_rule_sees_every_resource_with_outputs_ids_and_parents():
    document = cluster()
    named(document, "nodes-epmd-from-nodes")["parent"] = named(document, "nodes")["urn"]
    named(document, "nodes-epmd-from-nodes")["dependencies"] = [named(document, "nodes")["urn"]]
    seen = []
    check(document, policies=[_probe(StackValidationPolicy, seen)])
    [args] = seen
    assert [r.name for r in args.resources] == [r["name"] for r in document["resources"]]
    by_name = {r.name: r for r in args.resources}
    assert by_name["group"].props["name"] == "shop-nodes-group-1234567"  # outputs
    assert by_name["nodes"].props["id"] == NODE_SG  # the id the provider reports
    rule = by_name["nodes-epmd-from-nodes"]
    assert rule.parent is by_name["nodes"] and rule.dependencies == [by_name["nodes"]]


def test_a_value_unknown_during_preview_makes_the_rule_advisory_not_a_crash():
    document = change(cluster(), "alb", dropInvalidHeaderFields=UNKNOWN_STRING_VALUE)
    [violation] = [v for v in check(document) if v.policy == "alb-drops-invalid-headers"]
    assert violation.level == EnforcementLevel.ADVISORY and "can't run during preview" in violation.message


def _resource(type_, name, props, **dependencies):
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return PolicyResource(
        type_,
        unknown_checking_proxy(props),
        f"urn:pulumi:p::e::{type_}::{name}",
        name,
        options,
        None,
        None,
        [],
        dict(dependencies),
    )


def test_stack_rules_resolve_references_through_property_dependencies_before_ids_exist():
    """A real `pulumi preview` of a new stack: no group id is known, the dependencies are."""
    group = _resource("aws:ec2/securityGroup:SecurityGroup", "nodes", {"id": UNKNOWN_STRING_VALUE})
    template = _resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "template",
        {"vpcSecurityGroupIds": [UNKNOWN_STRING_VALUE]},
        vpcSecurityGroupIds=[group],
    )
    careless = _resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "careless",
        {
            "securityGroupId": UNKNOWN_STRING_VALUE,
            "ipProtocol": "tcp",
            "fromPort": 4369.0,
            "toPort": 4369.0,
            "cidrIpv4": "0.0.0.0/0",
        },
        securityGroupId=[group],
    )
    reported = []
    args = StackValidationArgs([group, template, careless], {})
    cluster_ports_only_from_nodes.validate(args, lambda message, urn=None: reported.append(urn))
    assert reported == [careless.urn]


def test_the_stack_rules_see_the_whole_resource_set():
    # the same HTTP listener passes or fails depending on a sibling elsewhere in the stack
    forwarding = change(cluster(), "http", defaultActions=[{"type": "forward", "targetGroupArn": "tg"}])
    assert [v.resource for v in check(forwarding) if v.policy == "http-redirects-to-https"] == ["http"]
    assert [v for v in check(remove(forwarding, "https")) if v.policy == "http-redirects-to-https"] == []


def test_one_rule_alone_reports_what_it_reports_among_all_and_a_name_the_pack_lacks_is_refused():
    # SSH open to the world (a resource rule) and the load balancer without its web ACL (a stack rule)
    document = remove(remove(_world_open_ssh(), "waf"), "unhealthy-hosts")
    everything = check(document)
    rules = {v.policy for v in everything}
    assert len(rules) >= 2, everything
    for rule in rules:
        assert check(document, only=rule) == [v for v in everything if v.policy == rule]
    with pytest.raises(ValueError, match="no policy named 'no-such-rule'"):
        check(document, only="no-such-rule")
