"""Security-group rules as iptables, applied inside a lab namespace.

A namespace in the lab stands for an instance: it holds the rules of every security
group the instance is in, written the way a security group behaves:

- default DROP in both directions (a group admits nothing it does not list);
- replies to allowed traffic pass (groups are stateful: ESTABLISHED,RELATED);
- loopback passes (a group does not filter an instance talking to itself);
- then one ACCEPT per rule and peer: a rule naming a security group admits the lab
  addresses of the namespaces in that group, a CIDR stays that CIDR.

Rules come from moto through `describe_security_group_rules` (see stack_facts); this
module turns them into an iptables-restore document and loads it in one step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any

from .netns import Namespace

ALL_PROTOCOLS = "-1"
PORT_PROTOCOLS = ("tcp", "udp")


class UnsupportedRule(ValueError):
    """A rule the lab cannot express; refusing beats proving less than the stack declares."""


@dataclass(frozen=True)
class Rule:
    """One security-group rule, as AWS (moto) reports it."""

    rule_id: str
    group_id: str
    egress: bool
    protocol: str
    from_port: int
    to_port: int
    peer_group: str | None = None
    cidr: str | None = None

    @classmethod
    def from_aws(cls, item: Mapping[str, Any]) -> Rule:
        """From one `SecurityGroupRules` entry of `describe_security_group_rules`."""
        protocol = item["IpProtocol"]
        if protocol != ALL_PROTOCOLS and protocol not in PORT_PROTOCOLS:
            raise UnsupportedRule(f"{item['SecurityGroupRuleId']}: protocol {protocol}")
        if item.get("PrefixListId") or item.get("CidrIpv6"):
            # IPv6 is off in the lab, prefix lists have no lab addresses: neither would be proven.
            raise UnsupportedRule(f"{item['SecurityGroupRuleId']}: only IPv4 CIDRs and security groups as peers")
        return cls(
            rule_id=item["SecurityGroupRuleId"],
            group_id=item["GroupId"],
            egress=item["IsEgress"],
            protocol=protocol,
            from_port=item.get("FromPort", -1),
            to_port=item.get("ToPort", -1),
            peer_group=item.get("ReferencedGroupInfo", {}).get("GroupId"),
            cidr=item.get("CidrIpv4"),
        )

    @property
    def ports(self) -> tuple[int, int]:
        return self.from_port, self.to_port

    def covers(self, port: int) -> bool:
        return self.protocol == ALL_PROTOCOLS or self.from_port <= port <= self.to_port

    def describe(self) -> str:
        """`tcp 9100-9155 from sg-…` for reports and failure messages."""
        ports = "all" if self.protocol == ALL_PROTOCOLS else _port_text(self.ports)
        peer = self.peer_group or self.cidr
        return f"{self.protocol} {ports} {'to' if self.egress else 'from'} {peer}"


def _port_text(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


def ruleset(rules: Iterable[Rule], members: Mapping[str, Sequence[IPv4Address]]) -> str:
    """The iptables-restore document for an instance holding `rules`.

    `members` maps a security group id to the lab addresses of the namespaces in it.
    """
    lines = [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT DROP [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A OUTPUT -o lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        "-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ]
    for rule in rules:
        lines += [_accept(rule, peer) for peer in _peers(rule, members)]
    return "\n".join([*lines, "COMMIT", ""])


def _peers(rule: Rule, members: Mapping[str, Sequence[IPv4Address]]) -> list[str]:
    if rule.peer_group is None:
        return [rule.cidr]
    return [f"{address}/32" for address in members.get(rule.peer_group, ())]


def _accept(rule: Rule, peer: str) -> str:
    chain, direction = ("OUTPUT", "-d") if rule.egress else ("INPUT", "-s")
    parts = ["-A", chain, direction, peer]
    if rule.protocol != ALL_PROTOCOLS:
        parts += ["-p", rule.protocol, "--dport", f"{rule.from_port}:{rule.to_port}"]
    parts += ["-m", "comment", "--comment", rule.rule_id, "-j", "ACCEPT"]
    return " ".join(parts)


def apply(namespace: Namespace, document: str) -> None:
    """Replace the namespace's filter table with `document` in one atomic step."""
    namespace.run(["iptables-restore"], stdin=document)
