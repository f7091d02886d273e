"""The load balancer: every node registered and healthy, the balancer, its target group and
listeners as declared.

The expected balancer, listeners and target group come from components/plans/load_balancer.py
(`balancer_plan`, `listener_plan`, `target_group_plan`), the plans the LoadBalancer component
builds them from.

- `load_balancer.targets`: every node in service is registered and healthy.
- `load_balancer.target_group`: the health check, the drain, the algorithm and stickiness.
- `load_balancer.attributes`: deletion protection, access logs and the per-type options
  (invalid-header dropping and idle timeout, or cross-zone balancing).
- `load_balancer.listeners`: one per declared port, with its action and TLS.

The web ACL in front of it is checked in waf.py.
"""

from __future__ import annotations

from typing import Any

from components.plans.load_balancer import (
    ACCESS_LOGS_BUCKET,
    ACCESS_LOGS_ENABLED,
    ACCESS_LOGS_PREFIX,
    FORWARD,
    ListenerPlan,
    balancer_plan,
    listener_plan,
    target_group_plan,
)

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand, warned
from . import waf
from .common import not_compared, not_found

NAME = "load balancer"
HEALTHY = "healthy"
IN_SERVICE = "InService"
SECURE_PROTOCOLS = ("HTTPS", "TLS")
"""Listener protocols that terminate TLS: AWS reports an SslPolicy on the others too, meaning nothing."""
UNSET_ATTRIBUTES = {ACCESS_LOGS_ENABLED: "false", ACCESS_LOGS_BUCKET: "", ACCESS_LOGS_PREFIX: ""}
"""What an attribute nobody set reads as (moto leaves these out of DescribeLoadBalancerAttributes)."""


def run(env: Environment) -> list[Finding]:
    findings = []
    if env.target_group is None:
        findings.append(not_found(env, "load_balancer.target_group", "target group"))
    else:
        findings += [_targets(env), _target_group(env)]
    if env.load_balancer is None:
        findings.append(not_found(env, "load_balancer.listeners", "load balancer"))
    else:
        findings += [_attributes(env), _listeners(env)]
    return findings + waf.run(env)


# --- targets ------------------------------------------------------------------------------


def _targets(env: Environment) -> Finding:
    if env.group is None:
        return not_compared("load_balancer.targets", "", ["the Auto Scaling group whose nodes it should serve"])
    elbv2 = env.aws.client("elbv2")
    health = {
        d["Target"]["Id"]: d["TargetHealth"]
        for d in elbv2.describe_target_health(TargetGroupArn=env.target_group["TargetGroupArn"])[
            "TargetHealthDescriptions"
        ]
    }
    nodes = [i["InstanceId"] for i in env.group.get("Instances", []) if i["LifecycleState"] == IN_SERVICE]
    problems = []
    for node in nodes:
        state = health.get(node)
        if state is None:
            problems.append(f"{node} is not registered")
        elif state["State"] != HEALTHY:
            reason = state.get("Description") or state.get("Reason") or ""
            problems.append(f"{node} is {state['State']}" + (f" ({reason})" if reason else ""))
    if problems:
        return failed(
            "load_balancer.targets",
            "; ".join(problems),
            "re-attach the target group to the group (`pulumi refresh`, then `pulumi up`), or replace unhealthy nodes: "
            "aws autoscaling set-instance-health --health-status Unhealthy",
        )
    strangers = sorted(set(health) - set(nodes))
    if strangers:
        return warned(
            "load_balancer.targets",
            f"{len(nodes)} nodes healthy; registered but not in service in the group: {', '.join(strangers)}",
            "deregister targets the group does not own (aws elbv2 deregister-targets)",
        )
    return passed("load_balancer.targets", f"{len(nodes)} of {len(nodes)} nodes healthy")


# --- the target group ------------------------------------------------------------------------


def _target_group(env: Environment) -> Finding:
    group = env.target_group
    plan = target_group_plan(env.settings.load_balancer, env.settings.release.http_port)
    attributes = {
        a["Key"]: a["Value"]
        for a in env.aws.client("elbv2").describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])[
            "Attributes"
        ]
    }
    expected = _matcher_code({**plan.described(), **plan.attributes()})
    actual = _matcher_code({**{key: group.get(key) for key in plan.described()}, **attributes})
    drift = [
        f"{key} {actual.get(key)!r}, declared {value!r}" for key, value in expected.items() if actual.get(key) != value
    ]
    if drift:
        return failed("load_balancer.target_group", f"{group['TargetGroupName']}: {'; '.join(drift)}", UP_FIX)
    check = plan.health_check
    return passed(
        "load_balancer.target_group",
        f"health check {check.path} every {check.interval} s, deregistration delay {plan.deregistration_delay} s",
    )


# --- the load balancer ------------------------------------------------------------------------


def _attributes(env: Environment) -> Finding:
    balancer = env.load_balancer
    plan = balancer_plan(env.settings.load_balancer)
    found = {
        a["Key"]: a["Value"]
        for a in env.aws.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])[
            "Attributes"
        ]
    }
    expected = plan.attributes()
    actual = {key: found.get(key, UNSET_ATTRIBUTES.get(key)) for key in expected}
    drift = [f"{key} {actual[key]!r}, declared {value!r}" for key, value in expected.items() if actual[key] != value]
    if drift:
        return failed("load_balancer.attributes", f"{balancer['LoadBalancerName']}: {'; '.join(drift)}", UP_FIX)
    return passed(
        "load_balancer.attributes",
        f"{balancer['LoadBalancerName']}: {balancer.get('Type')} {balancer.get('Scheme')}, "
        f"deletion protection {'on' if plan.deletion_protection else 'off'}, "
        f"access logs {'to ' + plan.access_logs.bucket if plan.access_logs else 'off'}",
    )


def _matcher_code(described: dict[str, Any]) -> dict[str, Any]:
    """The success codes as their HttpCode string, so a drift reads `Matcher '200-299', declared '200'`."""
    return {**described, "Matcher": (described.get("Matcher") or {}).get("HttpCode")}


# --- listeners ----------------------------------------------------------------------------------


def _listeners(env: Environment) -> Finding:
    listeners = list(
        env.aws.pages("elbv2", "describe_listeners", "Listeners", LoadBalancerArn=env.load_balancer["LoadBalancerArn"])
    )
    plans = listener_plan(env.settings.load_balancer)
    # a load balancer has one listener per port, so a port pairs what is with what was declared
    expected = {plan.port: _describe_plan(env, plan) for plan in plans}
    actual = {listener["Port"]: _describe_listener(listener) for listener in listeners}
    problems = [f"missing {expected[port]}" for port in sorted(expected.keys() - actual.keys())]
    problems += [
        f"{actual[port]}, declared {expected[port]}"
        for port in sorted(expected.keys() & actual.keys())
        if actual[port] != expected[port]
    ]
    extra = sorted(actual.keys() - expected.keys())
    problems += [f"extra {actual[port]}" for port in extra]
    if extra:
        delete = f"delete the listeners on port {', '.join(map(str, extra))} (aws elbv2 delete-listener)"
        return failed("load_balancer.listeners", "; ".join(problems), remove_by_hand(delete))
    if problems:
        return failed("load_balancer.listeners", "; ".join(problems), UP_FIX)
    return passed("load_balancer.listeners", ", ".join(actual[port] for port in sorted(actual)))


def _describe_plan(env: Environment, plan: ListenerPlan) -> str:
    if plan.action == FORWARD:
        action = f"forward to {env.target_group['TargetGroupName'] if env.target_group else 'the target group'}"
    else:
        redirect = plan.redirect
        action = f"redirect to {redirect.protocol}:{redirect.port} {redirect.status_code}"
    tls = f" [{plan.ssl_policy}, {plan.certificate_arn}]" if plan.secure else ""
    return f"{plan.protocol}:{plan.port} {action}{tls}"


def _describe_listener(listener: dict[str, Any]) -> str:
    """The same shape as `_describe_plan`, from what AWS describes."""
    actions = []
    for action in listener.get("DefaultActions", []):
        if action["Type"] == FORWARD:
            target = action.get("TargetGroupArn", "").split("/")[-2:-1] or ["?"]
            actions.append(f"forward to {target[0]}")
        elif action.get("RedirectConfig"):
            redirect = action["RedirectConfig"]
            actions.append(
                f"redirect to {redirect.get('Protocol')}:{redirect.get('Port')} {redirect.get('StatusCode')}"
            )
        else:
            actions.append(action["Type"])
    tls = ""
    if listener["Protocol"] in SECURE_PROTOCOLS:
        certificates = ", ".join(c["CertificateArn"] for c in listener.get("Certificates", []))
        tls = f" [{listener.get('SslPolicy')}, {certificates}]"
    return f"{listener['Protocol']}:{listener['Port']} {' + '.join(actions)}{tls}"
