"""Monitoring: the alert topic and who it mails, the health alarms as declared, the dashboard.

- `monitoring.topic`: the topic `names.alarm_topic_name` exists and mails exactly
  `alerts.emails` (an address confirms by mail; a pending one counts as subscribed).
- `monitoring.alarms`: every alarm of `components.plans.health_alarms.health_alarms` exists,
  notifies the topic when it fires and when it clears, its actions enabled, and watches what
  it declares (metric or metric math, statistic, dimensions, period, threshold, comparison,
  evaluation periods, datapoints, missing-data treatment); their states are reported.
- `monitoring.dashboard`: the dashboard `names.dashboard_name` holds the widgets
  `components.plans.dashboard.dashboard_plan` draws for the group, load balancer, target
  group and alarms found.

The plans are the ones the Monitoring component declares from.
"""

from __future__ import annotations

import json
from typing import Any

from components.plans import names
from components.plans.dashboard import DashboardNames, dashboard_plan
from components.plans.health_alarms import HealthAlarm, Watched, alarm_arn, health_alarms
from components.plans.load_balancer import arn_suffix

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand, warned
from .common import not_compared
from .scaling import FIRING, acts_on, alarms_named

NAME = "health alarms"
COMPARED = (
    *("Namespace", "MetricName", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Metrics"),
    *("EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData"),
)
"""What an alarm is compared on (its actions are compared on their own: they name the topic)."""


def run(env: Environment) -> list[Finding]:
    topic_name = names.alarm_topic_name(env.settings)
    topics = [t["TopicArn"] for t in env.aws.pages("sns", "list_topics", "Topics")]
    topic = next((arn for arn in topics if arn.rsplit(":", 1)[-1] == topic_name), None)
    return [_topic(env, topic), _alarms(env, topic), _dashboard(env)]


# --- the topic ----------------------------------------------------------------------------------


def _topic(env: Environment, topic: str | None) -> Finding:
    topic_name = names.alarm_topic_name(env.settings)
    if topic is None:
        return failed("monitoring.topic", f"no SNS topic {topic_name}: alarms notify nobody", UP_FIX)
    subscribed = {
        s["Endpoint"].lower()
        for s in env.aws.pages("sns", "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic)
        if s["Protocol"] == "email"
    }
    declared = {email.lower() for email in env.settings.alerts.emails}
    strangers = sorted(subscribed - declared)
    problems = [f"{email} is not subscribed" for email in sorted(declared - subscribed)]
    problems += [f"{email} is subscribed but not in alerts.emails" for email in strangers]
    if strangers:
        unsubscribe = f"unsubscribe {', '.join(strangers)} (aws sns unsubscribe)"
        return failed("monitoring.topic", f"{topic_name}: {'; '.join(problems)}", remove_by_hand(unsubscribe))
    if problems:
        return failed("monitoring.topic", f"{topic_name}: {'; '.join(problems)}", UP_FIX)
    return passed("monitoring.topic", f"{topic_name}: mails {', '.join(sorted(declared)) or 'nobody'}")


# --- the alarms ---------------------------------------------------------------------------------


def _alarms(env: Environment, topic: str | None) -> Finding:
    topic_name = names.alarm_topic_name(env.settings)
    declared = health_alarms(env.settings)
    found = alarms_named(env, [alarm.name for alarm in declared])
    watched = _watched(env)
    problems = [f"missing {alarm.name}" for alarm in declared if alarm.name not in found]
    for alarm in (a for a in declared if a.name in found):
        deployed = found[alarm.name]
        if topic and not acts_on(deployed, topic):
            problems.append(f"{alarm.name} does not notify {topic_name}")
        elif topic and not acts_on(deployed, topic, "OKActions"):
            # the all-clear matters too: without it the on-call never hears that the trouble passed
            problems.append(f"{alarm.name} does not tell {topic_name} when it clears")
        problems += [f"{alarm.name}: {drift}" for drift in _drift(alarm, deployed, watched)]
    if problems:
        return failed("monitoring.alarms", "; ".join(problems), UP_FIX)
    firing = sorted(name for name, alarm in found.items() if alarm.get("StateValue") == FIRING)
    if firing:
        return warned(
            "monitoring.alarms",
            f"in ALARM: {', '.join(firing)}",
            "see the alarm in CloudWatch; the topic has mailed it",
        )
    prefix = f"{env.settings.qualified_name}-"
    states = ", ".join(f"{a.name.removeprefix(prefix)} {found[a.name]['StateValue']}" for a in declared)
    missing = [] if topic else [f"the alert topic {topic_name} they notify"]
    missing += [f"{what} in their dimensions" for what, value in watched.items() if value is None]
    if missing:
        return not_compared("monitoring.alarms", states, missing)
    return passed("monitoring.alarms", states)


def _watched(env: Environment) -> dict[Watched, str | None]:
    """What the alarms' dimensions name, as found (None: not found, its own check says so)."""
    return {
        Watched.GROUP: env.group_name,
        Watched.LOAD_BALANCER: arn_suffix(env.load_balancer["LoadBalancerArn"]) if env.load_balancer else None,
        Watched.TARGET_GROUP: arn_suffix(env.target_group["TargetGroupArn"]) if env.target_group else None,
    }


def _drift(alarm: HealthAlarm, deployed: dict[str, Any], watched: dict[Watched, str | None]) -> list[str]:
    actual = _comparable(deployed)
    declared = {key: _known(value, actual.get(key)) for key, value in _comparable(alarm.described(watched)).items()}
    drift = [
        f"{key} {actual.get(key)!r}, declared {value!r}" for key, value in declared.items() if actual.get(key) != value
    ]
    return drift + [f"{key} {actual[key]!r}, declared none" for key in sorted(actual.keys() - declared.keys())]


def _comparable(alarm: dict[str, Any]) -> dict[str, Any]:
    """The compared keys, without AWS's empty lists; dimensions as {name: value}, metric math by Id."""
    compared = {key: _dimensioned(alarm[key]) for key in COMPARED if alarm.get(key) not in (None, [])}
    if "Metrics" in compared:
        compared["Metrics"] = {query["Id"]: query for query in compared["Metrics"]}
    return compared


def _dimensioned(value: Any) -> Any:
    """`[{"Name": n, "Value": v}, ...]` as `{n: v}`, anywhere in `value`."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and set(v) == {"Name", "Value"} for v in value):
        return {v["Name"]: v["Value"] for v in value}
    if isinstance(value, list):
        return [_dimensioned(v) for v in value]
    if isinstance(value, dict):
        return {key: _dimensioned(v) for key, v in value.items()}
    return value


def _known(declared: Any, actual: Any) -> Any:
    """`declared`, where a dimension whose resource was not found (None) reads as what is deployed."""
    if declared is None:
        return actual
    if isinstance(declared, dict) and isinstance(actual, dict):
        return {key: _known(value, actual.get(key)) for key, value in declared.items()}
    return declared


# --- the dashboard ------------------------------------------------------------------------------


def _dashboard(env: Environment) -> Finding:
    name = names.dashboard_name(env.settings)
    cloudwatch = env.aws.client("cloudwatch")
    try:
        dashboard = cloudwatch.get_dashboard(DashboardName=name)
    except (cloudwatch.exceptions.DashboardNotFoundError, cloudwatch.exceptions.ResourceNotFound):
        return failed("monitoring.dashboard", f"no dashboard {name}", UP_FIX)
    watched = _watched(env)
    unknown = [str(what) for what, value in watched.items() if value is None]
    if unknown:
        return warned(
            "monitoring.dashboard",
            f"{name}: not compared, {' and '.join(unknown)} not found",
            "see the failing checks that look for them",
        )
    _, partition, _, _, account, _ = dashboard["DashboardArn"].split(":", 5)
    alarms = [
        alarm_arn(partition=partition, region=env.settings.region, account_id=account, name=a.name)
        for a in health_alarms(env.settings)
    ]
    declared = dashboard_plan(env.settings).widgets(
        DashboardNames(
            group_name=watched[Watched.GROUP],
            load_balancer=watched[Watched.LOAD_BALANCER],
            target_group=watched[Watched.TARGET_GROUP],
            alarm_arns=tuple(alarms),
        )
    )
    widgets = json.loads(dashboard["DashboardBody"]).get("widgets", [])
    titled = {_title(w): w for w in widgets}
    problems = [f"missing {_title(w)}" for w in declared if _title(w) not in titled]
    problems += [f"{_title(w)} changed" for w in declared if _title(w) in titled and titled[_title(w)] != w]
    problems += [f"extra {title}" for title in titled.keys() - {_title(w) for w in declared}]
    if problems:
        return failed("monitoring.dashboard", f"{name}: {'; '.join(problems)}", UP_FIX)
    return passed("monitoring.dashboard", f"{name}: {len(declared)} widgets as declared")


def _title(widget: dict[str, Any]) -> str:
    return f"the {widget.get('properties', {}).get('title', widget.get('type'))!r} widget"
