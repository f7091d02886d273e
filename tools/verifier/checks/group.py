"""The Auto Scaling group: the stack's sizes, enough nodes in service, attached to the target group.

The group's min and max may also be what one of the stack's schedules sets (prod's
weekday-morning raises min to 6): those are declared too. Desired capacity belongs to
scaling, so it is compared with the nodes in service, not with the stack file.
"""

from __future__ import annotations

from components.plans.node_group import HEALTH_CHECK_TYPE

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .common import not_found

NAME = "Auto Scaling group"
IN_SERVICE = "InService"


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "group.exists", "Auto Scaling group")]
    return [_sizes(env), _capacity(env), _attachment(env)]


def declared_sizes(env: Environment, size: str) -> dict[int, str]:
    """Every value of `min_size` / `max_size` the stack declares, and who declares it."""
    nodes = env.settings.nodes
    values = {getattr(nodes, size): f"nodes.{size}"}
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
    if group.get("HealthCheckType") != HEALTH_CHECK_TYPE:
        problems.append(f"health check type {group.get('HealthCheckType')}, declared {HEALTH_CHECK_TYPE}")
    if group.get("HealthCheckGracePeriod") != env.settings.nodes.health_check_grace_period:
        problems.append(
            f"health check grace period {group.get('HealthCheckGracePeriod')} s, "
            f"declared {env.settings.nodes.health_check_grace_period} s"
        )
    if problems:
        return failed("group.load_balancing", "; ".join(problems), UP_FIX)
    return passed("group.load_balancing", "attached to the target group, ELB health checks")
