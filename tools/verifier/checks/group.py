"""The Auto Scaling group against the node group's plan (plans/node_group.py): its sizes, enough
nodes in service, the target group and health checks, the template version it launches, its
default warmup, metrics, instance mix and tags. Its instance refreshes are refresh.py's.

The group's min and max may also be what one of the stack's schedules sets (prod's
weekday-morning raises min to 6): those are declared too. Desired capacity belongs to
scaling, so it is compared with the nodes in service, not with the stack file.
"""

from __future__ import annotations

from typing import Any

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .common import not_compared, not_found

NAME = "Auto Scaling group"
IN_SERVICE = "InService"
MOVING_VERSIONS = ("$Latest", "$Default")


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "group.exists", "Auto Scaling group")]
    return [
        _sizes(env),
        _capacity(env),
        _attachment(env),
        _template_version(env),
        _warmup(env),
        _metrics(env),
        _instances(env),
        _tags(env),
    ]


def declared_sizes(env: Environment, size: str) -> dict[int, str]:
    """Every value of `min_size` / `max_size` the stack declares, and who declares it."""
    values = {getattr(env.node_group.group.sizes, size): f"nodes.{size}"}
    for schedule in env.settings.scaling.schedules:
        value = getattr(schedule, size)
        if value is not None:
            values.setdefault(value, f"schedule {schedule.name}")
    return values


def _sizes(env: Environment) -> Finding:
    group = env.group
    wrong = []
    for size, key in (("min_size", "MinSize"), ("max_size", "MaxSize")):
        allowed = declared_sizes(env, size)
        if group[key] not in allowed:
            wrong.append(f"{key} {group[key]}, declared {' or '.join(str(v) for v in allowed)}")
    name = env.group_name
    if wrong:
        return failed("group.size", f"{name}: {'; '.join(wrong)}", UP_FIX)
    return passed("group.size", f"{name}: min {group['MinSize']}, max {group['MaxSize']}")


def _capacity(env: Environment) -> Finding:
    group = env.group
    in_service = [i for i in group.get("Instances", []) if i["LifecycleState"] == IN_SERVICE]
    count, desired, minimum = len(in_service), group["DesiredCapacity"], group["MinSize"]
    detail = f"{count} in service, desired {desired}, min {minimum}"
    if count < minimum:
        return failed(
            "group.capacity",
            detail,
            "look at the group's activity history (aws autoscaling describe-scaling-activities) for failed launches",
        )
    if count != desired:
        return warned("group.capacity", detail, "the group is scaling: verify again in a few minutes")
    return passed("group.capacity", detail)


def _attachment(env: Environment) -> Finding:
    group = env.group
    problems = []
    if env.target_group and env.target_group["TargetGroupArn"] not in group.get("TargetGroupARNs", []):
        problems.append(f"not attached to the target group {env.target_group['TargetGroupName']}")
    declared = env.node_group.group.described_health_check()
    if group.get("HealthCheckType") != declared["HealthCheckType"]:
        problems.append(f"health check type {group.get('HealthCheckType')}, declared {declared['HealthCheckType']}")
    if group.get("HealthCheckGracePeriod") != declared["HealthCheckGracePeriod"]:
        problems.append(
            f"health check grace period {group.get('HealthCheckGracePeriod')} s, "
            f"declared {declared['HealthCheckGracePeriod']} s"
        )
    if problems:
        return failed("group.load_balancing", "; ".join(problems), UP_FIX)
    if env.target_group is None:
        return not_compared("group.load_balancing", "ELB health checks", ["the target group it should be attached to"])
    return passed("group.load_balancing", "attached to the target group, ELB health checks")


def _template_version(env: Environment) -> Finding:
    if env.launch_template is None:
        return failed("group.template_version", f"{env.group_name} launches from no launch template", UP_FIX)
    template_id, version = env.launch_template
    if version in MOVING_VERSIONS or not version.isdigit():
        return failed(
            "group.template_version",
            f"{env.group_name} launches {template_id} version {version}: "
            "a new template version would then start no instance refresh, and nodes would differ",
            UP_FIX,
        )
    return passed("group.template_version", f"{template_id} version {version}, by its number")


def _warmup(env: Environment) -> Finding:
    found, declared = env.group.get("DefaultInstanceWarmup"), env.node_group.group.default_instance_warmup
    if found != declared:
        return failed("group.warmup", f"DefaultInstanceWarmup {found}, declared {declared}", UP_FIX)
    return passed("group.warmup", f"a new node warms up {declared} s before its metrics count")


def _metrics(env: Environment) -> Finding:
    declared = env.node_group.group.described_metrics()
    found = sorted(env.group.get("EnabledMetrics", []), key=lambda m: m["Metric"])
    if found == declared:
        return passed("group.metrics", f"{len(found)} group metrics, every {declared[0]['Granularity']}")
    found_names, declared_names = {m["Metric"] for m in found}, {m["Metric"] for m in declared}
    problems = []
    if missing := sorted(declared_names - found_names):
        problems.append(f"not collected: {', '.join(missing)}")
    if extra := sorted(found_names - declared_names):
        problems.append(f"undeclared: {', '.join(extra)}")
    granularity = {m["Granularity"] for m in found} - {m["Granularity"] for m in declared}
    if granularity:
        problems.append(f"granularity {', '.join(sorted(granularity))}, declared {declared[0]['Granularity']}")
    return failed("group.metrics", "; ".join(problems), UP_FIX)


def _instances(env: Environment) -> Finding:
    declared = env.node_group.group.described_instances()
    problems = _differences(declared, env.group)
    if "MixedInstancesPolicy" not in declared and env.group.get("MixedInstancesPolicy"):
        problems.append("an undeclared mixed instances policy chooses the instance types")
    if problems:
        return failed("group.instances", "; ".join(problems), UP_FIX)
    policy = declared.get("MixedInstancesPolicy")
    if policy is None:
        return passed("group.instances", "one instance type, on demand")
    types = ", ".join(o["InstanceType"] for o in policy["LaunchTemplate"]["Overrides"])
    return passed("group.instances", f"mixed instances {types}; capacity rebalance {declared['CapacityRebalance']}")


def _differences(declared: dict[str, Any], found: dict[str, Any], path: str = "") -> list[str]:
    """Each declared value AWS reports otherwise (what AWS adds beside them is its defaults)."""
    problems = []
    for key, value in declared.items():
        where = f"{path}{key}"
        actual = found.get(key) if isinstance(found, dict) else None
        if isinstance(value, dict) and isinstance(actual, dict):
            problems += _differences(value, actual, f"{where}.")
        elif actual != value:
            problems.append(f"{where} {actual!r}, declared {value!r}")
    return problems


def _tags(env: Environment) -> Finding:
    found = {t["Key"]: t for t in env.group.get("Tags", [])}
    problems = []
    for tag in env.node_group.group.described_tags():
        actual = found.get(tag["Key"])
        if actual is None:
            problems.append(f"missing tag {tag['Key']}")
        elif actual["Value"] != tag["Value"]:
            problems.append(f"tag {tag['Key']} {actual['Value']!r}, declared {tag['Value']!r}")
        elif not actual.get("PropagateAtLaunch"):
            problems.append(f"tag {tag['Key']} no longer propagates to new nodes")
    if problems:
        return failed("group.tags", "; ".join(problems), UP_FIX)
    return passed("group.tags", f"{len(env.node_group.group.tags)} tags, each propagated to new nodes")
