"""policies/rules/network.py: who may reach the nodes, how security group rules are declared, the VPC's
flow logs and default security group, production's NAT gateways."""

from __future__ import annotations

import copy

import pytest

from tests.support.synthetic import (
    LB_SG,
    NODE_SG,
    PROD_TAGS,
    add,
    change,
    cluster,
    findings,
    ingress,
    named,
    remove,
    resource,
)

EXTERNAL_SG = "sg-0ccccccccccccccc3"  # e.g. one of nodes.extraSecurityGroupIds, outside the stack


@pytest.mark.parametrize(
    "rule",
    [
        "cluster-ports-only-from-nodes",
        "no-admin-ports-from-world",
        "app-port-only-from-load-balancer",
        "no-mixed-security-group-rules",
    ],
)
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize(
    ("port", "last", "source"),
    [
        (4369, None, {"cidrIpv4": "0.0.0.0/0"}),
        (4369, None, {"cidrIpv4": "10.40.0.0/16"}),  # the whole VPC is not the node group either
        (9100, 9155, {"referencedSecurityGroupId": LB_SG}),
        (9150, 9200, {"cidrIpv6": "::/0"}),  # overlapping the range is enough
        (0, 65535, {"cidrIpv4": "10.0.0.0/8"}),
        (4369, None, {"referencedSecurityGroupId": EXTERNAL_SG}),
    ],
)
def test_epmd_and_distribution_admit_only_the_node_group(port, last, source):
    document = add(cluster(), ingress("careless", NODE_SG, port, last, **source))
    [violation] = findings(document, "cluster-ports-only-from-nodes")
    assert violation.resource == "careless"
    assert "elixir-cluster:release.distribution" in violation.message


def test_all_traffic_from_outside_reaches_the_cluster_ports():
    everything = resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "all-from-vpc",
        {"securityGroupId": NODE_SG, "ipProtocol": "-1", "cidrIpv4": "10.40.0.0/16"},
        "sgr-all",
    )
    assert [v.resource for v in findings(add(cluster(), everything), "cluster-ports-only-from-nodes")] == [
        "all-from-vpc"
    ]


def test_the_node_group_is_the_one_the_launch_template_carries():
    # EPMD on the load balancer's group reaches no node
    document = add(cluster(), ingress("lb-epmd", LB_SG, 4369, cidrIpv4="10.0.0.0/8"))
    assert findings(document, "cluster-ports-only-from-nodes") == []
    change(document, "template", vpcSecurityGroupIds=[NODE_SG, LB_SG])
    assert [v.resource for v in findings(document, "cluster-ports-only-from-nodes")] == ["lb-epmd"]


def test_a_custom_distribution_range_is_guarded_through_the_rule_the_stack_derives_from_it():
    document = cluster()
    change(document, "nodes-distribution-from-nodes", fromPort=9200, toPort=9300)
    add(document, ingress("careless", NODE_SG, 9250, cidrIpv4="10.0.0.0/8"))
    assert [v.resource for v in findings(document, "cluster-ports-only-from-nodes")] == ["careless"]


def test_configured_cluster_ports_are_guarded():
    document = add(cluster(), ingress("careless", NODE_SG, 5555, cidrIpv4="10.0.0.0/8"))
    assert findings(document, "cluster-ports-only-from-nodes") == []
    config = {"cluster-ports-only-from-nodes": {"epmdPort": 5555}}
    assert len(findings(document, "cluster-ports-only-from-nodes", config)) == 1


@pytest.mark.parametrize(
    ("port", "cidr"),
    [(22, "0.0.0.0/0"), (3389, "0.0.0.0/0"), (22, "::/0"), (4369, "0.0.0.0/0")],
)
def test_admin_ports_never_open_to_the_world(port, cidr):
    source = {"cidrIpv6" if ":" in cidr else "cidrIpv4": cidr}
    document = add(cluster(), ingress("ssh", NODE_SG, port, **source))
    [violation] = findings(document, "no-admin-ports-from-world")
    assert violation.resource == "ssh" and str(port) in violation.message and "SSM Session Manager" in violation.message


def test_admin_ports_from_a_private_range_or_web_ports_from_the_world_pass():
    document = add(cluster(), ingress("ssh-from-office", NODE_SG, 22, cidrIpv4="192.0.2.0/24"))
    assert findings(document, "no-admin-ports-from-world") == []  # the listener ports 80/443 are open too


def test_admin_ports_in_inline_and_legacy_rules_are_found():
    inline = resource(
        "aws:ec2/securityGroup:SecurityGroup",
        "bastion",
        {"ingress": [{"protocol": "tcp", "fromPort": 20, "toPort": 25, "cidrBlocks": ["0.0.0.0/0"]}]},
        "sg-0ddddddddddddddd4",
    )
    legacy = resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "rdp",
        {
            "type": "ingress",
            "securityGroupId": NODE_SG,
            "protocol": "tcp",
            "fromPort": 3389,
            "toPort": 3389,
            "cidrBlocks": ["0.0.0.0/0"],
        },
        "sgrule-1",
    )
    document = add(cluster(), inline, legacy)
    assert sorted(v.resource for v in findings(document, "no-admin-ports-from-world")) == ["bastion", "rdp"]


def test_the_admin_port_list_is_configurable():
    document = add(cluster(), ingress("vnc", NODE_SG, 5900, cidrIpv4="0.0.0.0/0"))
    assert findings(document, "no-admin-ports-from-world") == []
    assert (
        len(findings(document, "no-admin-ports-from-world", {"no-admin-ports-from-world": {"adminPorts": [5900]}})) == 1
    )


@pytest.mark.parametrize(
    "source",
    [{"cidrIpv4": "0.0.0.0/0"}, {"cidrIpv4": "10.40.0.0/16"}, {"referencedSecurityGroupId": EXTERNAL_SG}],
)
def test_the_app_port_admits_only_the_load_balancer(source):
    document = add(cluster(), ingress("direct", NODE_SG, 4000, **source))
    [violation] = findings(document, "app-port-only-from-load-balancer")
    assert violation.resource == "direct" and "elixir-cluster:loadBalancer.allowedCidrs" in violation.message


def test_the_app_port_is_the_target_groups_port():
    document = change(cluster(), "targets", port=8080)
    change(document, "nodes-app-from-lb", fromPort=8080, toPort=8080)
    add(document, ingress("direct", NODE_SG, 4000, cidrIpv4="0.0.0.0/0"))
    assert findings(document, "app-port-only-from-load-balancer") == []
    add(document, ingress("direct-8080", NODE_SG, 8080, cidrIpv4="0.0.0.0/0"))
    assert [v.resource for v in findings(document, "app-port-only-from-load-balancer")] == ["direct-8080"]


def test_inline_rules_beside_rule_resources_are_refused():
    document = change(
        cluster(),
        "nodes",
        ingress=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/8"]}],
    )
    [violation] = findings(document, "no-mixed-security-group-rules")
    assert violation.resource == "nodes" and "nodes-app-from-lb" in violation.message


def test_inline_rules_alone_or_echoed_back_by_a_refresh_pass():
    alone = resource(
        "aws:ec2/securityGroup:SecurityGroup",
        "legacy",
        {"ingress": [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/8"]}]},
        "sg-0eeeeeeeeeeeeeee5",
    )
    document = add(cluster(), alone)
    # after `pulumi refresh` the provider lists the group's rule resources in its outputs
    named(document, "nodes")["outputs"]["ingress"] = [
        {"protocol": "tcp", "fromPort": 4000, "toPort": 4000, "securityGroups": [LB_SG]},
        {"protocol": "tcp", "fromPort": 4369, "toPort": 4369, "self": True},
    ]
    assert findings(document, "no-mixed-security-group-rules") == []


# --- the VPC: flow logs and the default security group -------------------------------------

VPC_ID = "vpc-0123456789abcdef0"
OTHER_VPC_ID = "vpc-0fedcba9876543210"


def a_vpc(name: str = "vpc", vpc_id: str = VPC_ID, tags: dict | None = None) -> dict:
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
    return add(cluster(), a_vpc(), flow_log(), default_group())


@pytest.mark.parametrize("rule", ["flow-logs-enabled", "default-security-group-closed"])
def test_the_stack_shape_in_a_vpc_of_its_own_passes(rule):
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
    document = add(network(), a_vpc("second", OTHER_VPC_ID))
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


# --- prod-nat-per-zone -------------------------------------------------------------------------

ZONES = ("eu-west-1a", "eu-west-1b")
PROD = {"Environment": "prod"}


def vpc_with_nats(nat_in: tuple[str, ...], inline_routes: bool = False, tags: dict | None = None) -> dict:
    """A VPC with a public and a private subnet per zone; each private route table leaves through
    the NAT gateway of its own zone if `nat_in` has one there, else through the first one."""
    document = {"stack": "test", "outputs": {}, "resources": []}
    nats = {zone: f"nat-{zone}" for zone in nat_in}
    for zone in ZONES:
        add(
            document,
            resource("aws:ec2/subnet:Subnet", f"public-{zone}", {"availabilityZone": zone}, f"subnet-pub-{zone}"),
            resource("aws:ec2/subnet:Subnet", f"private-{zone}", {"availabilityZone": zone}, f"subnet-priv-{zone}"),
        )
    for zone, nat in nats.items():
        inputs = {"subnetId": f"subnet-pub-{zone}", "tags": tags or PROD}
        add(document, resource("aws:ec2/natGateway:NatGateway", nat, inputs, nat))
    for zone in ZONES:
        nat = nats.get(zone) or next(iter(nats.values()), None)
        route = {"cidrBlock": "0.0.0.0/0", "natGatewayId": nat}
        table = resource(
            "aws:ec2/routeTable:RouteTable",
            f"private-{zone}",
            {"tags": PROD, **({"routes": [route]} if inline_routes and nat else {})},
            f"rtb-{zone}",
        )
        add(
            document,
            table,
            resource(
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                f"private-{zone}-association",
                {"subnetId": f"subnet-priv-{zone}", "routeTableId": f"rtb-{zone}"},
            ),
        )
        if nat and not inline_routes:
            inputs = {"routeTableId": f"rtb-{zone}", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": nat}
            add(document, resource("aws:ec2/route:Route", f"private-{zone}-nat", inputs))
    return document


@pytest.mark.parametrize("nat_in", [ZONES, ()], ids=["perAz", "none"])
def test_production_zones_that_leave_through_their_own_nat_gateway_pass(nat_in):
    assert findings(vpc_with_nats(nat_in), "prod-nat-per-zone") == []


@pytest.mark.parametrize("inline_routes", [False, True], ids=["route resources", "inline routes"])
def test_one_nat_gateway_for_every_production_zone_is_flagged(inline_routes):
    [violation] = findings(vpc_with_nats(ZONES[:1], inline_routes), "prod-nat-per-zone")
    assert violation.level.value == "mandatory" and violation.resource == "nat-eu-west-1a"
    assert "in eu-west-1a is the way out for the private subnets of eu-west-1b" in violation.message
    assert "elixir-cluster:network.natGateways: perAz" in violation.message


def test_a_team_may_accept_one_nat_gateway_in_production():
    [violation] = findings(vpc_with_nats(ZONES[:1]), "prod-nat-per-zone", {"prod-nat-per-zone": "advisory"})
    assert violation.level.value == "advisory"
    assert findings(vpc_with_nats(ZONES[:1]), "prod-nat-per-zone", {"prod-nat-per-zone": "disabled"}) == []


def test_other_environments_may_share_a_nat_gateway():
    shared = vpc_with_nats(ZONES[:1], tags={"Environment": "staging"})
    assert findings(shared, "prod-nat-per-zone") == []
    config = {"prod-nat-per-zone": {"productionEnvironments": ["prod", "staging"]}}
    assert len(findings(shared, "prod-nat-per-zone", config)) == 1


# --- each boundary, at both sides: the last port (or network) that passes, the first that violates ---


@pytest.mark.parametrize(
    ("first", "last", "violations"),
    [
        (4300, 4368, 0),
        (4300, 4369, 1),
        (4369, 4369, 1),
        (4370, 9099, 0),
        (9099, 9100, 1),
        (9155, 9200, 1),
        (9156, 9200, 0),
    ],
)
def test_the_cluster_ports_begin_and_end_exactly_at_epmd_and_the_distribution_range(first, last, violations):
    document = add(cluster(), ingress("near", NODE_SG, first, last, cidrIpv4="10.0.0.0/8"))
    assert len(findings(document, "cluster-ports-only-from-nodes")) == violations


@pytest.mark.parametrize(
    ("first", "last", "violations"), [(3990, 3999, 0), (3990, 4000, 1), (4000, 4010, 1), (4001, 4010, 0)]
)
def test_the_app_port_is_guarded_to_the_port(first, last, violations):
    document = add(cluster(), ingress("near", NODE_SG, first, last, cidrIpv4="0.0.0.0/0"))
    assert len(findings(document, "app-port-only-from-load-balancer")) == violations


@pytest.mark.parametrize(
    ("first", "last", "cidr", "violations"),
    [
        (20, 21, "0.0.0.0/0", 0),
        (20, 22, "0.0.0.0/0", 1),
        (23, 25, "0.0.0.0/0", 0),
        (22, 22, "0.0.0.0/1", 0),
        (22, 22, "0.0.0.0/0", 1),
    ],
)
def test_an_admin_port_is_refused_only_when_the_range_reaches_it_from_every_address(first, last, cidr, violations):
    document = add(cluster(), ingress("near", NODE_SG, first, last, cidrIpv4=cidr))
    assert len(findings(document, "no-admin-ports-from-world")) == violations
