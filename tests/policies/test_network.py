"""policies/rules/network.py: who may reach the nodes, and how security group rules are declared."""

from __future__ import annotations

import pytest

from tests.support.synthetic import LB_SG, NODE_SG, add, change, cluster, findings, ingress, named, resource

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


# --- prod-nat-per-zone -------------------------------------------------------------------------

ZONES = ("eu-west-1a", "eu-west-1b")
PROD = {"Environment": "prod"}


def vpc(nat_in: tuple[str, ...], inline_routes: bool = False, tags: dict | None = None) -> dict:
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
    assert findings(vpc(nat_in), "prod-nat-per-zone") == []


@pytest.mark.parametrize("inline_routes", [False, True], ids=["route resources", "inline routes"])
def test_one_nat_gateway_for_every_production_zone_is_flagged(inline_routes):
    [violation] = findings(vpc(ZONES[:1], inline_routes), "prod-nat-per-zone")
    assert violation.level.value == "mandatory" and violation.resource == "nat-eu-west-1a"
    assert "in eu-west-1a is the way out for the private subnets of eu-west-1b" in violation.message
    assert "elixir-cluster:network.natGateways: perAz" in violation.message


def test_a_team_may_accept_one_nat_gateway_in_production():
    [violation] = findings(vpc(ZONES[:1]), "prod-nat-per-zone", {"prod-nat-per-zone": "advisory"})
    assert violation.level.value == "advisory"
    assert findings(vpc(ZONES[:1]), "prod-nat-per-zone", {"prod-nat-per-zone": "disabled"}) == []


def test_other_environments_may_share_a_nat_gateway():
    shared = vpc(ZONES[:1], tags={"Environment": "staging"})
    assert findings(shared, "prod-nat-per-zone") == []
    config = {"prod-nat-per-zone": {"productionEnvironments": ["prod", "staging"]}}
    assert len(findings(shared, "prod-nat-per-zone", config)) == 1
