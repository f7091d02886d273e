"""Monitoring: the health alarms exist and notify the alert topic when they fire and when they
clear, their actions enabled; their states are reported.

The expected alarms are `components.plans.names.health_alarm_names` (which ones a stack has
depends on its load balancer type and whether the group can grow), the topic
`names.alarm_topic_name`: the names the Monitoring component creates them under.
"""

from __future__ import annotations

from components.plans import names

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .scaling import FIRING, acts_on, alarms_named

NAME = "health alarms"


def run(env: Environment) -> list[Finding]:
    expected = names.health_alarm_names(env.settings)
    topic_name = names.alarm_topic_name(env.settings)
    topics = [t["TopicArn"] for t in env.aws.pages("sns", "list_topics", "Topics")]
    topic = next((arn for arn in topics if arn.rsplit(":", 1)[-1] == topic_name), None)
    findings = []
    if topic is None:
        findings.append(failed("monitoring.topic", f"no SNS topic {topic_name}: alarms notify nobody", UP_FIX))
    else:
        findings.append(passed("monitoring.topic", topic_name))
    found = alarms_named(env, expected)
    missing = [name for name in expected if name not in found]
    silent = [name for name, alarm in found.items() if topic and not acts_on(alarm, topic)]
    # the all-clear matters too: without it the on-call never hears that the trouble passed
    no_all_clear = [name for name, alarm in found.items() if topic and not acts_on(alarm, topic, "OKActions")]
    firing = sorted(name for name, alarm in found.items() if alarm.get("StateValue") == FIRING)
    if missing or silent or no_all_clear:
        problems = [f"missing {name}" for name in missing] + [f"{name} does not notify {topic_name}" for name in silent]
        problems += [f"{name} does not tell {topic_name} when it clears" for name in no_all_clear if name not in silent]
        findings.append(failed("monitoring.alarms", "; ".join(problems), UP_FIX))
    elif firing:
        findings.append(
            warned(
                "monitoring.alarms",
                f"in ALARM: {', '.join(firing)}",
                "see the alarm in CloudWatch; the topic has mailed it",
            )
        )
    else:
        states = ", ".join(
            f"{name.removeprefix(env.settings.qualified_name + '-')} {found[name]['StateValue']}" for name in expected
        )
        findings.append(passed("monitoring.alarms", states))
    return findings
