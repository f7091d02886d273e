"""The two security groups: their rules exactly as declared, nothing more, nothing less.

The declared rule set is `components.plans.security.cluster_grants`, the plan ClusterSecurity
creates its rule resources from. A rule is compared by direction, protocol, ports and
peer (descriptions are not compared: they are not access, and AWS may drop them on rules
that reference a group). An extra rule is a fail that names it: someone opening EPMD to
the world "just to debug" is exactly what this is for.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from components.plans.security import (
    ALL_PROTOCOLS,
    EGRESS,
    INGRESS,
    LOAD_BALANCER_SECURITY_GROUP,
    NODE_SECURITY_GROUP,
    Grant,
    cluster_grants,
)

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand
from .common import not_found

NAME = "security groups"
GROUP_TITLES = {LOAD_BALANCER_SECURITY_GROUP: "load balancer", NODE_SECURITY_GROUP: "nodes"}


class Rule(NamedTuple):
    """A rule as access: what reaches what. `peer` is a CIDR, a prefix list or a group's role/id."""

    direction: str
    protocol: str
    first: int | None
    last: int | None
    peer: str

    def __str__(self) -> str:
        protocol = "all traffic" if self.protocol == ALL_PROTOCOLS else self.protocol
        ports = (
            "" if self.first is None else f" {self.first}" if self.first == self.last else f" {self.first}-{self.last}"
        )
        way = "from" if self.direction == INGRESS else "to"
        return f"{self.direction} {protocol}{ports} {way} {self.peer}"


def run(env: Environment) -> list[Finding]:
    return [_group(env, role) for role in (NODE_SECURITY_GROUP, LOAD_BALANCER_SECURITY_GROUP)]


def declared_rules(env: Environment, role: str) -> set[Rule]:
    grants = cluster_grants(env.settings.load_balancer, env.settings.release)
    return {_from_grant(grant, env) for grant in grants if grant.group == role}


def _group(env: Environment, role: str) -> Finding:
    check = f"security.{role}"
    group = env.security_groups.get(role)
    if group is None:
        return not_found(env, check, f"{GROUP_TITLES[role]} security group")
    rules = env.aws.pages(
        "ec2",
        "describe_security_group_rules",
        "SecurityGroupRules",
        Filters=[{"Name": "group-id", "Values": [group["GroupId"]]}],
    )
    actual = {_from_aws(rule, env) for rule in rules}
    expected = declared_rules(env, role)
    extra, missing = sorted(map(str, actual - expected)), sorted(map(str, expected - actual))
    title = f"{GROUP_TITLES[role]} group {group['GroupId']}"
    if extra or missing:
        group_id = group["GroupId"]
        problems = [f"extra rule: {rule}" for rule in extra] + [f"missing rule: {rule}" for rule in missing]
        revoke = f"revoke the extra rules (aws ec2 revoke-security-group-{{ingress,egress}} --group-id {group_id})"
        fix = remove_by_hand(revoke) if extra else UP_FIX
        return failed(check, f"{title}: {'; '.join(problems)}", fix)
    return passed(check, f"{title}: {len(expected)} rules as declared")


def _from_grant(grant: Grant, env: Environment) -> Rule:
    ports = grant.ports
    return Rule(
        grant.direction,
        grant.protocol,
        None if ports is None else ports.first,
        None if ports is None else ports.to,
        _peer_name(grant.peer, env) if grant.peer_is_group else grant.peer,
    )


def _from_aws(rule: dict[str, Any], env: Environment) -> Rule:
    protocol = str(rule["IpProtocol"])
    every_port = protocol == ALL_PROTOCOLS or rule.get("FromPort") in (None, -1)
    return Rule(
        EGRESS if rule["IsEgress"] else INGRESS,
        protocol,
        None if every_port else rule["FromPort"],
        None if every_port else rule["ToPort"],
        _aws_peer(rule, env),
    )


def _aws_peer(rule: dict[str, Any], env: Environment) -> str:
    if rule.get("ReferencedGroupInfo"):
        group_id = rule["ReferencedGroupInfo"]["GroupId"]
        roles = {g["GroupId"]: role for role, g in env.security_groups.items()}
        return _peer_name(roles[group_id], env) if group_id in roles else group_id
    return rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId") or "?"


def _peer_name(role: str, env: Environment) -> str:
    group = env.security_groups.get(role)
    return f"the {GROUP_TITLES[role]} group" + (f" ({group['GroupId']})" if group else "")
