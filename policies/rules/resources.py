"""What the rules read from resources: type tokens, values, tags, ports and references.

CrossGuard hands a rule the resource's properties under Pulumi's camelCase wire names,
behind a read-only proxy: objects are `Mapping`s (not dicts), lists `Sequence`s, numbers
floats. A resource validation sees the resource's inputs; a stack validation sees every
resource's outputs (after the deployment; in a preview, what is known by then) with its
parent and dependencies. Reading a value the engine does not know yet raises
`UnknownValueError`, which CrossGuard reports as "can't run policy during preview".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

# pulumi-aws v7 type tokens (the `aws:alb/...` tokens are the same resources under their old module)
LOAD_BALANCER = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
TARGET_GROUP = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
WEB_ACL_ASSOCIATION = ("aws:wafv2/webAclAssociation:WebAclAssociation",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
INGRESS_RULE = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
EGRESS_RULE = ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",)
LEGACY_RULE = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
VPC = ("aws:ec2/vpc:Vpc",)
DEFAULT_SECURITY_GROUP = ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",)
FLOW_LOG = ("aws:ec2/flowLog:FlowLog",)
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
INSTANCE = ("aws:ec2/instance:Instance",)
VOLUME = ("aws:ebs/volume:Volume",)
AUTOSCALING_GROUP = ("aws:autoscaling/group:Group",)
SCALING_POLICY = ("aws:autoscaling/policy:Policy",)
ROLE = ("aws:iam/role:Role",)
ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
ROLE_POLICY_ATTACHMENT = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
SSM_PARAMETER = ("aws:ssm/parameter:Parameter",)
KMS_KEY = ("aws:kms/key:Key",)
METRIC_ALARM = ("aws:cloudwatch/metricAlarm:MetricAlarm",)
SUBNET = ("aws:ec2/subnet:Subnet",)
NAT_GATEWAY = ("aws:ec2/natGateway:NatGateway",)
ROUTE_TABLE = ("aws:ec2/routeTable:RouteTable",)
ROUTE = ("aws:ec2/route:Route",)
ROUTE_TABLE_ASSOCIATION = ("aws:ec2/routeTableAssociation:RouteTableAssociation",)

APPLICATION = "application"
"""`loadBalancerType` when absent: the provider's default."""

# --- values -------------------------------------------------------------------------------


def items(value: Any) -> list[Any]:
    """A list property as a list: absent is empty, a lone value is a list of one."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def number(value: Any) -> float | None:
    """Numbers arrive as floats (protobuf Struct), some as strings."""
    return None if value is None or value == "" else float(value)


def flag(value: Any) -> bool | None:
    """A boolean; launch-template block devices carry them as the strings "true"/"false"."""
    if value is None or value == "":
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


def whole(value: float) -> str:
    """10.0 -> "10": numbers in messages as the user wrote them."""
    return str(int(value)) if float(value).is_integer() else str(value)


def tag(props: Mapping[str, Any], key: str) -> str | None:
    """A tag's value: `tags` is a map, except on an Auto Scaling group (a list of {key, value})."""
    tags = props.get("tags")
    if isinstance(tags, Mapping):
        return tags.get(key)
    return next((t.get("value") for t in items(tags) if isinstance(t, Mapping) and t.get("key") == key), None)


def is_production(props: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    """The stack tags every resource with its environment (settings.tags["Environment"])."""
    return tag(props, config["environmentTagKey"]) in config["productionEnvironments"]


# --- ports --------------------------------------------------------------------------------

ALL_TRAFFIC = ("-1", "all")
PORT_PROTOCOLS = ("tcp", "6", "udp", "17")


@dataclass(frozen=True)
class Ports:
    """An inclusive port range."""

    first: int
    last: int

    def overlaps(self, other: Ports) -> bool:
        return self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


ALL_PORTS = Ports(0, 65535)


def ports_of(protocol: Any, from_port: Any, to_port: Any) -> Ports | None:
    """What a permission opens; None for protocols without ports (ICMP...)."""
    protocol = str(protocol).lower()
    if protocol in ALL_TRAFFIC:
        return ALL_PORTS
    if protocol not in PORT_PROTOCOLS:
        return None
    return Ports(int(number(from_port)), int(number(to_port)))


def is_world(cidr: str) -> bool:
    """0.0.0.0/0 and ::/0: every address there is."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


# --- security group permissions -------------------------------------------------------------

INGRESS, EGRESS = "ingress", "egress"

Resolve = Callable[[Mapping[str, Any], str], list[str]]
"""(properties, key) -> who the property names: in a stack, the URNs of the resources it
refers to; alone, its raw values."""


def _raw(props: Mapping[str, Any], key: str) -> list[str]:
    return [str(v) for v in items(props.get(key))]


@dataclass(frozen=True)
class Permission:
    """One ingress or egress permission, whichever of the three ways declares it."""

    declared_by: str
    """Name of the resource that declares it (the rule, or the group for an inline rule)."""
    urn: str | None
    """Its URN, when known (in a stack validation)."""
    direction: str
    group: str | None
    """The group it belongs to."""
    ports: Ports
    cidrs: tuple[str, ...]
    peers: tuple[str, ...]
    """Security groups it admits (ingress) or reaches (egress)."""
    prefix_lists: tuple[str, ...]
    inline: bool

    @property
    def outside_sources(self) -> tuple[str, ...]:
        """Every source that is not a security group."""
        return self.cidrs + self.prefix_lists

    def same_rule_as(self, other: Permission) -> bool:
        return (self.direction, self.group, self.ports, set(self.cidrs), set(self.peers), set(self.prefix_lists)) == (
            other.direction,
            other.group,
            other.ports,
            set(other.cidrs),
            set(other.peers),
            set(other.prefix_lists),
        )


def permissions(
    resource_type: str, name: str, props: Mapping[str, Any], resolve: Resolve = _raw, urn: str | None = None
) -> list[Permission]:
    """Every permission `props` declares; `urn` is the declaring resource's (an inline rule's group)."""
    if resource_type in SECURITY_GROUP:
        return _inline_permissions(name, urn, props, resolve)
    if resource_type in INGRESS_RULE + EGRESS_RULE:
        return _rule_resource_permission(resource_type, name, urn, props, resolve)
    if resource_type in LEGACY_RULE:
        return _legacy_rule_permission(name, urn, props, resolve)
    return []


def _inline_permissions(name: str, own: str | None, props: Mapping[str, Any], resolve: Resolve) -> list[Permission]:
    found = []
    for direction in (INGRESS, EGRESS):
        for rule in items(props.get(direction)):
            ports = ports_of(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
            if ports is None:
                continue
            peers = resolve(rule, "securityGroups")
            if rule.get("self") and own:
                peers.append(own)
            cidrs = items(rule.get("cidrBlocks")) + items(rule.get("ipv6CidrBlocks"))
            prefix_lists = tuple(items(rule.get("prefixListIds")))
            found.append(Permission(name, own, direction, own, ports, tuple(cidrs), tuple(peers), prefix_lists, True))
    return found


def _rule_resource_permission(
    resource_type: str, name: str, urn: str | None, props: Mapping[str, Any], resolve: Resolve
) -> list[Permission]:
    ports = ports_of(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"))
    if ports is None:
        return []
    direction = INGRESS if resource_type in INGRESS_RULE else EGRESS
    group = _first(resolve(props, "securityGroupId"))
    peers = resolve(props, "referencedSecurityGroupId")
    cidrs = items(props.get("cidrIpv4")) + items(props.get("cidrIpv6"))
    prefix_lists = items(props.get("prefixListId"))
    return [Permission(name, urn, direction, group, ports, tuple(cidrs), tuple(peers), tuple(prefix_lists), False)]


def _legacy_rule_permission(name: str, urn: str | None, props: Mapping[str, Any], resolve: Resolve) -> list[Permission]:
    ports = ports_of(props.get("protocol"), props.get("fromPort"), props.get("toPort"))
    if ports is None:
        return []
    group = _first(resolve(props, "securityGroupId"))
    peers = resolve(props, "sourceSecurityGroupId")
    if props.get("self") and group:
        peers.append(group)
    cidrs = items(props.get("cidrBlocks")) + items(props.get("ipv6CidrBlocks"))
    direction = INGRESS if props.get("type") == INGRESS else EGRESS
    prefix_lists = tuple(items(props.get("prefixListIds")))
    return [Permission(name, urn, direction, group, ports, tuple(cidrs), tuple(peers), prefix_lists, False)]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


# --- the whole stack ----------------------------------------------------------------------

IDENTIFYING_PROPERTIES = ("id", "arn")
"""What other resources refer to a resource by (an ASG's id is its name)."""


class Stack:
    """The resources of a stack validation, and who refers to whom.

    A reference is resolved through the engine's property dependencies when it has them
    (they hold even in a preview, before ids exist), else by matching the value against
    the other resources' `id` and `arn`. A value that matches nothing stays as it is: a
    resource outside the stack, such as an existing security group.
    """

    def __init__(self, resources: Iterable[PolicyResource]):
        self.resources = list(resources)
        self._by_identity = {value: r.urn for r in self.resources for value in _identities(r)}

    def of_type(self, types: tuple[str, ...]) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type in types]

    def referenced(self, resource: PolicyResource, key: str) -> list[str]:
        """Who `resource.props[key]` names: URNs of resources in the stack, raw values otherwise."""
        dependencies = resource.property_dependencies.get(key)
        if dependencies:
            return [d.urn for d in dependencies]
        return self.identify(items(resource.props.get(key)))

    def identify(self, values: list[Any]) -> list[str]:
        return [self._by_identity.get(str(v), str(v)) for v in values]

    def permissions(self) -> list[Permission]:
        """Every security group permission in the stack, groups and peers resolved."""
        found: list[Permission] = []
        for r in self.resources:
            found += permissions(r.resource_type, r.name, r.props, self._resolver(r), urn=r.urn)
        return found

    def _resolver(self, resource: PolicyResource) -> Resolve:
        if resource.resource_type in SECURITY_GROUP:
            # inline rules name their peers inside a list of objects: only values resolve there
            return lambda props, key: self.identify(items(props.get(key)))
        return lambda _props, key: self.referenced(resource, key)

    def node_groups(self) -> set[str]:
        """The security groups the nodes carry: those their launch templates (or instances) name."""
        return {
            group
            for r in self.of_type(LAUNCH_TEMPLATE + INSTANCE)
            for group in self.referenced(r, "vpcSecurityGroupIds")
        }

    def load_balancer_groups(self) -> set[str]:
        return {group for r in self.of_type(LOAD_BALANCER) for group in self.referenced(r, "securityGroups")}

    def name_of(self, urn_or_value: str) -> str:
        return next((r.name for r in self.resources if r.urn == urn_or_value), urn_or_value)


def _identities(resource: PolicyResource) -> list[str]:
    found = []
    for key in IDENTIFYING_PROPERTIES:
        try:
            value = resource.props.get(key)
        except UnknownValueError:  # not known before the deployment; its dependencies still resolve
            continue
        if isinstance(value, str) and value:
            found.append(value)
    return found
