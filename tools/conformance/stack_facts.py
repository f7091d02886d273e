"""What the lab reproduces, read from the stack as built in the emulator, never restated.

`read_stack_facts("prod")` applies stacks/Pulumi.prod.yaml to a fresh emulated account
(tools.emulated_stack.emulated) and reads back through boto3, as AWS would report them:

- the security groups of the node group's launch template and of the load balancer, and
  every rule in them (`describe_security_group_rules`);
- the target group the Auto Scaling group registers its instances in: health check,
  algorithm, deregistration delay; the load balancer's idle timeout (read through the AWS
  keys components/plans/load_balancer.py names, the ones the verifier compares);
- the release environment the bootstrap renders for a node (`release_environment`),
  after checking that the launch template's user data writes exactly that environment,
  so the lab runs what the stack ships.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from components.plans.load_balancer import (
    ALGORITHM,
    DEREGISTRATION_DELAY,
    IDLE_TIMEOUT,
    TRAFFIC_PORT,
    HealthCheck,
    read_health_check,
)
from components.plans.release_environment import release_environment
from components.settings import EPMD_WELL_KNOWN_PORT, StackSettings
from policies.rules.user_data import pieces
from tools.emulated_stack import emulated
from tools.stack_files import stack_file

from .firewall import Rule

_DISTRIBUTION_RANGE = re.compile(r"inet_dist_listen_min (\d+) inet_dist_listen_max (\d+)")
_PROBE_ADDRESS = "192.0.2.254"
"""A TEST-NET-1 address: environment values that contain it are the per-node ones."""


class StackFactsError(RuntimeError):
    """The built stack lacks something the lab needs, or disagrees with itself."""


@dataclass(frozen=True)
class TargetGroup:
    name: str
    protocol: str
    port: int
    health_check: HealthCheck
    algorithm: str
    deregistration_delay: int


@dataclass(frozen=True)
class StackFacts:
    stack: str
    settings: StackSettings
    node_groups: tuple[str, ...]
    """Security groups on the node group's launch template."""
    load_balancer_groups: tuple[str, ...]
    rules: tuple[Rule, ...]
    """Every rule of the node and load-balancer groups."""
    target_group: TargetGroup
    idle_timeout: int

    def release_environment(self, private_ip: str) -> dict[str, str]:
        """The environment the bootstrap writes on the node with this address."""
        return release_environment(self.settings, private_ip)

    @property
    def _sample_environment(self) -> dict[str, str]:
        return self.release_environment(_PROBE_ADDRESS)

    @property
    def app_port(self) -> int:
        return int(self._sample_environment["PORT"])

    @property
    def epmd_port(self) -> int:
        return int(self._sample_environment.get("ERL_EPMD_PORT", EPMD_WELL_KNOWN_PORT))

    @property
    def distribution_ports(self) -> tuple[int, int]:
        """The range ERL_AFLAGS pins distribution to (inet_dist_listen_min, _max)."""
        flags = self._sample_environment.get("ERL_AFLAGS", "")
        found = _DISTRIBUTION_RANGE.search(flags)
        if not found:
            raise StackFactsError(f"ERL_AFLAGS does not pin the distribution ports: {flags!r}")
        return int(found[1]), int(found[2])

    def ingress_of(self, groups: tuple[str, ...]) -> list[Rule]:
        return [r for r in self.rules if r.group_id in groups and not r.egress]

    def rules_of(self, groups: tuple[str, ...]) -> list[Rule]:
        return [r for r in self.rules if r.group_id in groups]


def read_stack_facts(stack: str) -> StackFacts:
    """Apply `stacks/Pulumi.<stack>.yaml` in the emulator and read the facts back from moto."""
    with emulated(stack_file(stack)) as (emulator, _deployment, settings):
        aws = emulator.session
        groups = aws.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
        group = _only(groups, "Auto Scaling group")
        template = _launch_template_data(aws.client("ec2"), group)
        target_group_arn = _only(group.get("TargetGroupARNs", []), "target group on the Auto Scaling group")
        elbv2 = aws.client("elbv2")
        load_balancer_arn = _target_group(elbv2, target_group_arn)["LoadBalancerArns"][0]
        load_balancer = elbv2.describe_load_balancers(LoadBalancerArns=[load_balancer_arn])["LoadBalancers"][0]
        lb_attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=load_balancer_arn)
        node_groups = tuple(template.get("SecurityGroupIds", []))
        load_balancer_groups = tuple(load_balancer.get("SecurityGroups", []))
        rules = aws.client("ec2").describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [*node_groups, *load_balancer_groups]}]
        )["SecurityGroupRules"]
        facts = StackFacts(
            stack=stack,
            settings=settings,
            node_groups=node_groups,
            load_balancer_groups=load_balancer_groups,
            rules=tuple(Rule.from_aws(r) for r in rules),
            target_group=_read_target_group(elbv2, target_group_arn),
            idle_timeout=int(_attributes(lb_attributes)[IDLE_TIMEOUT]),
        )
        _check_user_data_writes_environment(facts, _as_written(base64.b64decode(template["UserData"]).decode()))
        return facts


def _only(items: list[Any], what: str) -> Any:
    if len(items) != 1:
        raise StackFactsError(f"expected one {what}, found {len(items)}")
    return items[0]


def _launch_template_data(ec2: Any, group: dict[str, Any]) -> dict[str, Any]:
    spec = group.get("LaunchTemplate") or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    versions = ec2.describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
    )
    return _only(versions["LaunchTemplateVersions"], "launch template version")["LaunchTemplateData"]


def _target_group(elbv2: Any, arn: str) -> dict[str, Any]:
    return elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]


def _attributes(response: dict[str, Any]) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in response["Attributes"]}


def _read_target_group(elbv2: Any, arn: str) -> TargetGroup:
    described = _target_group(elbv2, arn)
    attributes = _attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn))
    health_check = read_health_check(described)
    if health_check.port != TRAFFIC_PORT:
        raise StackFactsError(f"health check on port {health_check.port}: the lab checks the traffic port")
    return TargetGroup(
        name=described["TargetGroupName"],
        protocol=described["Protocol"],
        port=described["Port"],
        health_check=health_check,
        algorithm=attributes[ALGORITHM],
        deregistration_delay=int(attributes[DEREGISTRATION_DELAY]),
    )


def _as_written(user_data: str) -> str:
    """Every text of the user data as cloud-init reads it (policies/rules/user_data.py): the scripts
    travel gzipped and base64-encoded, and the line that adds RELEASE_NODE is in one of them."""
    return "\n".join(piece.text for piece in pieces(user_data.encode()))


def _check_user_data_writes_environment(facts: StackFacts, user_data: str) -> None:
    """Every variable of the rendered environment is in the launch template's user data.

    Per-node values (those holding the address) are left to the node's shell, so only
    their names are looked for; every other line must appear exactly as rendered.
    """
    missing = []
    for key, value in facts.release_environment(_PROBE_ADDRESS).items():
        expected = f'{key}="' if _PROBE_ADDRESS in value else f'{key}="{value}"'
        if expected not in user_data:
            missing.append(expected)
    if missing:
        raise StackFactsError(f"the launch template's user data does not write {', '.join(missing)}")
