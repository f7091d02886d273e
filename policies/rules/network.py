"""Who may reach the nodes: cluster ports, admin ports, the app port, and how rules are declared;
the VPC's audit trail and unused door: flow logs, and a default security group with no rules;
and how production's private subnets reach the internet.

The node security group is the one the nodes' launch template carries; the load
balancer's is the one its load balancer carries. Both are found in the resources, so
the rules hold whatever the stack names them.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .configuration import PRODUCTION, schema, settings
from .resources import (
    ALL_PORTS,
    DEFAULT_SECURITY_GROUP,
    FLOW_LOG,
    INGRESS,
    NAT_GATEWAY,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    SUBNET,
    TARGET_GROUP,
    VPC,
    Permission,
    Ports,
    Stack,
    is_production,
    is_world,
    items,
    number,
    permissions,
    tag,
)

EPMD_PORT = 4369
"""Defaults of elixir-cluster:release.distribution (components/settings/release.py)."""
DISTRIBUTION_PORTS = {"from": 9100, "to": 9155}

# --- EPMD and distribution only between nodes ------------------------------------------------

CLUSTER_PORTS_SCHEMA = schema(
    epmdPort={
        "type": "integer",
        "minimum": 1,
        "maximum": 65535,
        "default": EPMD_PORT,
        "description": "elixir-cluster:release.distribution.epmdPort.",
    },
    distributionPorts={
        "type": "object",
        "properties": {"from": {"type": "integer"}, "to": {"type": "integer"}},
        "required": ["from", "to"],
        "default": DISTRIBUTION_PORTS,
        "description": "elixir-cluster:release.distribution.portRange. Ranges the node group opens to "
        "itself are cluster ports too, so a stack's own range is guarded without this.",
    },
)


def cluster_ports(stack: Stack, node_groups: set[str], config: dict) -> list[Ports]:
    """EPMD, the distribution range, and whatever the node group opens to itself alone."""
    configured = [
        Ports(int(config["epmdPort"]), int(config["epmdPort"])),
        Ports(int(config["distributionPorts"]["from"]), int(config["distributionPorts"]["to"])),
    ]
    among_nodes = [
        p.ports
        for p in _admitted_to(stack, node_groups)
        if set(p.peers) == {p.group} and not p.outside_sources and p.ports != ALL_PORTS
    ]
    return configured + among_nodes


def validate_cluster_ports(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(CLUSTER_PORTS_SCHEMA, args.get_config())
    stack = Stack(args.resources)
    node_groups = stack.node_groups()
    guarded = cluster_ports(stack, node_groups, config)
    for permission in _admitted_to(stack, node_groups):
        hit = next((ports for ports in guarded if permission.ports.overlaps(ports)), None)
        outsiders = _outsiders(stack, permission, allowed=node_groups)
        if hit and outsiders:
            report_violation(
                f"{permission.declared_by} admits {', '.join(outsiders)} to port(s) {permission.ports} of the node "
                f"security group, which carry EPMD and Erlang distribution ({hit}): anyone who reaches them and "
                "guesses the cookie runs code on every node. Remove this rule: nodes reach each other through the "
                "rules the stack derives from elixir-cluster:release.distribution (epmdPort, portRange).",
                permission.urn,
            )


cluster_ports_only_from_nodes = StackValidationPolicy(
    name="cluster-ports-only-from-nodes",
    description="EPMD and the distribution port range are reachable only from the node security group itself.",
    validate=validate_cluster_ports,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CLUSTER_PORTS_SCHEMA,
)

# --- no admin port open to the world ---------------------------------------------------------

ADMIN_PORTS_SCHEMA = schema(
    adminPorts={
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        "default": [22, 3389, EPMD_PORT, 5985, 5986],
        "description": "Ports never open to 0.0.0.0/0 or ::/0: SSH, RDP, EPMD, WinRM.",
    },
)


def validate_admin_ports(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    admin_ports = [int(p) for p in settings(ADMIN_PORTS_SCHEMA, args.get_config())["adminPorts"]]
    for permission in permissions(args.resource_type, args.name, args.props):
        world = [c for c in permission.cidrs if is_world(c)]
        opened = [p for p in admin_ports if permission.ports.overlaps(Ports(p, p))]
        if permission.direction == INGRESS and world and opened:
            report_violation(
                f"{args.name} opens port(s) {', '.join(map(str, opened))} to {', '.join(world)}. Remove it: operators "
                "reach nodes through SSM Session Manager, never SSH or RDP; only the load balancer's listener ports "
                "face clients, from elixir-cluster:loadBalancer.allowedCidrs."
            )


no_admin_ports_from_world = ResourceValidationPolicy(
    name="no-admin-ports-from-world",
    description="No SSH, RDP or other admin port is open to 0.0.0.0/0 or ::/0.",
    validate=validate_admin_ports,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=ADMIN_PORTS_SCHEMA,
)

# --- the app port only from the load balancer ------------------------------------------------


def app_ports(stack: Stack) -> list[Ports]:
    """The ports the load balancer sends requests and health checks to: its target groups'."""
    found = []
    for group in stack.of_type(TARGET_GROUP):
        port = number(group.props.get("port"))
        if port is not None:
            found.append(Ports(int(port), int(port)))
    return found


def validate_app_port(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = Stack(args.resources)
    node_groups = stack.node_groups()
    balancers = stack.load_balancer_groups()
    ports = app_ports(stack)
    for permission in _admitted_to(stack, node_groups):
        hit = next((p for p in ports if permission.ports.overlaps(p)), None)
        outsiders = _outsiders(stack, permission, allowed=balancers)
        if hit and outsiders:
            report_violation(
                f"{permission.declared_by} admits {', '.join(outsiders)} to the nodes' app port {hit}; only the load "
                "balancer's security group may reach it. Remove this rule: clients reach the load balancer "
                "(elixir-cluster:loadBalancer.allowedCidrs), which forwards to elixir-cluster:release.httpPort.",
                permission.urn,
            )


app_port_only_from_load_balancer = StackValidationPolicy(
    name="app-port-only-from-load-balancer",
    description="The nodes' app port (their target group's port) is reachable only from the load balancer's group.",
    validate=validate_app_port,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- inline rules or rule resources, never both ----------------------------------------------


def validate_unmixed_rules(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = Stack(args.resources)
    every = stack.permissions()
    for group in stack.of_type(SECURITY_GROUP):
        separate = [p for p in every if not p.inline and p.group == group.urn]
        # After a refresh the provider reads every rule of the group back into its inline
        # ingress/egress: an inline entry equal to a rule resource is that echo, not a second owner.
        inline = [
            p for p in every if p.inline and p.group == group.urn and not any(p.same_rule_as(s) for s in separate)
        ]
        if inline and separate:
            report_violation(
                f"security group {group.name} declares {len(inline)} inline rule(s) and also has rule resources "
                f"({', '.join(sorted({p.declared_by for p in separate}))}): the provider makes the two fight, each "
                "update deleting the other's rules. Declare every rule as aws.vpc.SecurityGroupIngressRule/EgressRule "
                "(ClusterSecurity.allow in components/security.py), none inline.",
                group.urn,
            )


no_mixed_security_group_rules = StackValidationPolicy(
    name="no-mixed-security-group-rules",
    description="A security group has inline rules or rule resources, never both.",
    validate=validate_unmixed_rules,
    enforcement_level=EnforcementLevel.MANDATORY,
)


# --- every VPC the stack creates logs its traffic -------------------------------------------

FLOW_LOGS_SCHEMA = schema(
    requiredIn={
        "type": "array",
        "items": {"type": "string"},
        "default": ["staging", "prod"],
        "description": "Environments (values of the environment tag) whose VPCs must have a flow log: the "
        "stack's own defaults. Add dev to require them everywhere.",
    },
    environmentTagKey={
        "type": "string",
        "default": "Environment",
        "description": "The tag the stack puts its environment in (elixir-cluster:cluster.environment).",
    },
)


def validate_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(FLOW_LOGS_SCHEMA, args.get_config())
    stack = Stack(args.resources)
    logged = {vpc for flow_log in stack.of_type(FLOW_LOG) for vpc in stack.referenced(flow_log, "vpcId")}
    for vpc in stack.of_type(VPC):
        environment = tag(vpc.props, config["environmentTagKey"])
        if environment in config["requiredIn"] and vpc.urn not in logged:
            report_violation(
                f"VPC {vpc.name} ({environment}) has no flow log: after an incident nobody can tell which "
                "addresses talked to the nodes. Set elixir-cluster:network.flowLogs.enabled: true (to a KMS-encrypted "
                "log group the stack creates, or elixir-cluster:network.flowLogs.destination: an S3 bucket ARN).",
                vpc.urn,
            )


flow_logs_enabled = StackValidationPolicy(
    name="flow-logs-enabled",
    description="Every VPC the stack creates in a configured environment (staging and prod) has a flow log.",
    validate=validate_flow_logs,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=FLOW_LOGS_SCHEMA,
)

# --- the default security group is adopted with no rules ------------------------------------


def validate_default_group(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = Stack(args.resources)
    adopted: set[str] = set()
    for group in stack.of_type(DEFAULT_SECURITY_GROUP):
        adopted.update(stack.referenced(group, "vpcId"))
        rules = items(group.props.get("ingress")) + items(group.props.get("egress"))
        if rules:
            report_violation(
                f"default security group {group.name} declares {len(rules)} rule(s): an instance or endpoint "
                "launched without a group lands in it and gets them. Declare none: nothing in the stack uses the "
                "default group (components/network.py adopts it empty).",
                group.urn,
            )
    for vpc in stack.of_type(VPC):
        if vpc.urn not in adopted:
            report_violation(
                f"VPC {vpc.name}'s default security group keeps AWS's rules (all traffic among its members, all "
                "egress). Adopt it with no rules through aws.ec2.DefaultSecurityGroup, as components/network.py does.",
                vpc.urn,
            )


default_security_group_closed = StackValidationPolicy(
    name="default-security-group-closed",
    description="Every VPC the stack creates has its default security group adopted with no rules.",
    validate=validate_default_group,
    enforcement_level=EnforcementLevel.MANDATORY,
)


def _admitted_to(stack: Stack, groups: set[str]) -> list[Permission]:
    return [p for p in stack.permissions() if p.direction == INGRESS and p.group in groups]


def _outsiders(stack: Stack, permission: Permission, allowed: set[str]) -> list[str]:
    """The sources of `permission` that are not one of the `allowed` groups, by name."""
    return list(permission.outside_sources) + [stack.name_of(p) for p in permission.peers if p not in allowed]


# --- production: a NAT gateway per zone ------------------------------------------------------

NAT_PER_ZONE_SCHEMA = schema(**PRODUCTION)


def nat_gateways_by_route_table(stack: Stack) -> dict[str, set[str]]:
    """route table URN -> the NAT gateways its routes send traffic to (Route resources or inline routes)."""
    nats = {nat.urn for nat in stack.of_type(NAT_GATEWAY)}
    found: dict[str, set[str]] = {}
    for route in stack.of_type(ROUTE):
        for table in stack.referenced(route, "routeTableId"):
            found.setdefault(table, set()).update(n for n in stack.referenced(route, "natGatewayId") if n in nats)
    for table in stack.of_type(ROUTE_TABLE):
        for route in items(table.props.get("routes")):
            found.setdefault(table.urn, set()).update(
                n for n in stack.identify(items(route.get("natGatewayId"))) if n in nats
            )
    return found


def zones_served(stack: Stack) -> dict[str, set[str]]:
    """NAT gateway URN -> the zones of the subnets whose route tables send traffic through it."""
    zone_of = {subnet.urn: subnet.props.get("availabilityZone") for subnet in stack.of_type(SUBNET)}
    via = nat_gateways_by_route_table(stack)
    served: dict[str, set[str]] = {}
    for association in stack.of_type(ROUTE_TABLE_ASSOCIATION):
        zones = {zone_of.get(s) for s in stack.referenced(association, "subnetId")} - {None}
        for table in stack.referenced(association, "routeTableId"):
            for nat in via.get(table, ()):
                served.setdefault(nat, set()).update(zones)
    return served


def validate_nat_per_zone(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(NAT_PER_ZONE_SCHEMA, args.get_config())
    stack = Stack(args.resources)
    zone_of = {subnet.urn: subnet.props.get("availabilityZone") for subnet in stack.of_type(SUBNET)}
    served = zones_served(stack)
    for nat in stack.of_type(NAT_GATEWAY):
        if not is_production(nat.props, config):
            continue
        home = next((zone_of.get(s) for s in stack.referenced(nat, "subnetId") if s in zone_of), None)
        others = sorted(served.get(nat.urn, set()) - {home}) if home else []
        if others:
            report_violation(
                f"{nat.name} in {home} is the way out for the private subnets of {', '.join(others)} too: when "
                f"{home} fails, nodes there can no longer fetch the release or reach AWS APIs that have no "
                "endpoint. Set elixir-cluster:network.natGateways: perAz (one NAT gateway per zone); if the saving "
                "is worth it, set prod-nat-per-zone to advisory in the policy pack configuration.",
                nat.urn,
            )


prod_nat_per_zone = StackValidationPolicy(
    name="prod-nat-per-zone",
    description="In production, each zone's private subnets leave through a NAT gateway in their own zone.",
    validate=validate_nat_per_zone,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=NAT_PER_ZONE_SCHEMA,
)


POLICIES = [
    cluster_ports_only_from_nodes,
    no_admin_ports_from_world,
    app_port_only_from_load_balancer,
    no_mixed_security_group_rules,
    flow_logs_enabled,
    default_security_group_closed,
    prod_nat_per_zone,
]
