"""Find an environment's resources by the tags the stack puts on them: no Pulumi state needed.

Every resource carries `elixir-cluster:cluster = <cluster>-<environment>` (settings.tags).
From there the rest is followed the way AWS links it: the group's launch template and
target group, the target group's load balancer, the load balancer's and the launch
template's security groups. Where a link is broken (someone detached the target group),
the tagged resource alone still finds it, so the check that owns the link can say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from components.plans.node_group import NodeGroupPlan, node_group_plan
from components.plans.security import LOAD_BALANCER_SECURITY_GROUP, NODE_SECURITY_GROUP
from components.settings import StackSettings

from .aws import Aws

ELBV2_TAGS_BATCH = 20
"""DescribeTags takes at most 20 resource ARNs per call."""


@dataclass
class Environment:
    """The deployed resources of one stack, as AWS describes them (None: not found)."""

    aws: Aws
    settings: StackSettings
    group: dict[str, Any] | None = None
    target_group: dict[str, Any] | None = None
    load_balancer: dict[str, Any] | None = None
    security_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By role: components.plans.security.LOAD_BALANCER_SECURITY_GROUP and NODE_SECURITY_GROUP."""
    launch_template: tuple[str, str] | None = None
    """(id, version) the group launches from."""
    ambiguities: list[str] = field(default_factory=list)
    """Tags that matched more than one resource of a kind: a copy, or another stack with the same name."""

    @property
    def tag(self) -> str:
        key, value = self.settings.discovery_tag
        return f"{key}={value}"

    @property
    def group_name(self) -> str | None:
        return self.group["AutoScalingGroupName"] if self.group else None

    @property
    def nothing_found(self) -> bool:
        """The tag found none of the resources discovery looks for: the environment is not here."""
        found = (self.group, self.target_group, self.load_balancer, self.security_groups, self.ambiguities)
        return not any(found)

    @cached_property
    def node_group(self) -> NodeGroupPlan:
        """What the stack declares for its nodes: the group, its launch template, its hook."""
        return node_group_plan(self.settings)


def discover(aws: Aws, settings: StackSettings) -> Environment:
    env = Environment(aws, settings)
    key, value = settings.discovery_tag
    groups = list(
        aws.pages(
            "autoscaling",
            "describe_auto_scaling_groups",
            "AutoScalingGroups",
            Filters=[{"Name": f"tag:{key}", "Values": [value]}],
        )
    )
    env.group = _one(env, "Auto Scaling group", groups, lambda g: g["AutoScalingGroupName"])
    if env.group:
        env.launch_template = _launch_template_of(env.group)
    env.target_group = _pick(
        env,
        "target group",
        _tagged_elbv2(aws, settings, aws.pages("elbv2", "describe_target_groups", "TargetGroups"), "TargetGroupArn"),
        linked=set(env.group.get("TargetGroupARNs", [])) if env.group else set(),
        arn_key="TargetGroupArn",
    )
    env.load_balancer = _pick(
        env,
        "load balancer",
        _tagged_elbv2(aws, settings, aws.pages("elbv2", "describe_load_balancers", "LoadBalancers"), "LoadBalancerArn"),
        linked=set(env.target_group.get("LoadBalancerArns", [])) if env.target_group else set(),
        arn_key="LoadBalancerArn",
    )
    env.security_groups = _security_groups(env)
    return env


def _launch_template_of(group: dict[str, Any]) -> tuple[str, str] | None:
    spec = group.get("LaunchTemplate") or (
        group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
    )
    if not spec or "LaunchTemplateId" not in spec:
        return None
    return spec["LaunchTemplateId"], str(spec.get("Version", "$Default"))


def _tagged_elbv2(aws: Aws, settings: StackSettings, items: Iterable[dict], arn_key: str) -> list[dict[str, Any]]:
    """ELBv2 describes cannot filter by tag: read the tags of each, 20 at a time."""
    key, value = settings.discovery_tag
    by_arn = {item[arn_key]: item for item in items}
    tagged = []
    for batch in _batches(list(by_arn), ELBV2_TAGS_BATCH):
        for description in aws.client("elbv2").describe_tags(ResourceArns=batch)["TagDescriptions"]:
            if any(t["Key"] == key and t["Value"] == value for t in description.get("Tags", [])):
                tagged.append(by_arn[description["ResourceArn"]])
    return tagged


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pick(env: Environment, kind: str, tagged: list[dict], *, linked: set[str], arn_key: str) -> dict | None:
    """The tagged one the environment links to; else the only tagged one."""
    attached = [item for item in tagged if item[arn_key] in linked]
    return _one(env, kind, attached or tagged, lambda item: item[arn_key])


def _one(env: Environment, kind: str, found: list[dict], name: Callable[[dict], str]) -> dict | None:
    if len(found) > 1:
        env.ambiguities.append(f"{len(found)} {kind}s tagged {env.tag}: {', '.join(sorted(map(name, found)))}")
        return None
    return found[0] if found else None


def _security_groups(env: Environment) -> dict[str, dict[str, Any]]:
    """The load balancer's group is the tagged one it carries; the nodes' the tagged one the
    launch template names (its other groups are `extraSecurityGroupIds`, not this stack's)."""
    key, value = env.settings.discovery_tag
    tagged = {
        g["GroupId"]: g
        for g in env.aws.pages(
            "ec2", "describe_security_groups", "SecurityGroups", Filters=[{"Name": f"tag:{key}", "Values": [value]}]
        )
    }
    roles: dict[str, dict[str, Any]] = {}
    lb_ids = [i for i in (env.load_balancer or {}).get("SecurityGroups", []) if i in tagged]
    if len(lb_ids) == 1:
        roles[LOAD_BALANCER_SECURITY_GROUP] = tagged.pop(lb_ids[0])
    node_ids = [i for i in _launch_template_groups(env) if i in tagged]
    if len(node_ids) == 1:
        roles[NODE_SECURITY_GROUP] = tagged.pop(node_ids[0])
    for role in (LOAD_BALANCER_SECURITY_GROUP, NODE_SECURITY_GROUP):  # a broken link: the one tagged group left
        if role not in roles and len(tagged) == 1:
            roles[role] = tagged.popitem()[1]
    return roles


def _launch_template_groups(env: Environment) -> list[str]:
    if not env.launch_template:
        return []
    template_id, version = env.launch_template
    versions = env.aws.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=[version]
    )["LaunchTemplateVersions"]
    return versions[0]["LaunchTemplateData"].get("SecurityGroupIds", []) if versions else []
