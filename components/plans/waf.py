"""The web ACL the stack creates in front of the load balancer, as AWS API values.

`web_acl_plan` is None unless the stack creates a web ACL (`loadBalancer.waf` on, without
`webAclArn`); `created_web_acl` is that web ACL from the `waf` settings and its names. The
ACL allows by default; its rules, in order: the per-client-IP rate limit (priority 0: a
flood is cut before the managed groups spend capacity on it), then the managed rule groups
as listed, each keeping its own rules' Block actions (override action None). Every rule and
the ACL publish CloudWatch metrics under their own name and keep sampled requests. Its logs
go to a log group of their own, filtered to blocked requests unless all are asked for.
`described()` is the ACL or a rule as GetWebACL returns it, `logging_filter()` the filter as
GetLoggingConfiguration does: the WebApplicationFirewall component declares these,
`tools.verify` compares a deployed web ACL with them.
API shapes: https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings import MANAGED_RULE_GROUP_VENDOR, StackSettings, WafSettings
from . import names

SCOPE = "REGIONAL"
"""A load balancer's web ACL is regional (CLOUDFRONT is for distributions)."""

RATE_RULE_NAME = "per-ip-rate-limit"
AGGREGATE_BY_IP = "IP"
"""The rate limit counts each client address (the connection's source: the ALB is the edge)."""

LOGGED_ACTION = "BLOCK"
"""With `logs.requests: blocked`, the logging filter keeps the requests a rule blocked."""

DEFAULT_ACTION = {"Allow": {}}
"""What the web ACL does with a request no rule blocked: let it through."""


def visibility(metric_name: str) -> dict[str, Any]:
    """CloudWatch metrics and sampled requests under `metric_name`."""
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric_name}


@dataclass(frozen=True)
class WafRulePlan:
    """One rule of the web ACL: an AWS managed rule group, or the rate limit."""

    name: str
    """The rule's name, also its metric name."""
    priority: int
    managed_group: str | None = None
    """The AWS managed rule group (vendor AWS) the rule runs, or None for the rate limit."""
    rate_limit: int | None = None
    """Requests per window from one client IP before the rest are blocked."""
    window_seconds: int | None = None

    @property
    def is_rate_limit(self) -> bool:
        return self.managed_group is None

    def statement(self) -> dict[str, Any]:
        if self.is_rate_limit:
            return {
                "RateBasedStatement": {
                    "Limit": self.rate_limit,
                    "EvaluationWindowSec": self.window_seconds,
                    "AggregateKeyType": AGGREGATE_BY_IP,
                }
            }
        return {"ManagedRuleGroupStatement": {"VendorName": MANAGED_RULE_GROUP_VENDOR, "Name": self.managed_group}}

    def described(self) -> dict[str, Any]:
        """The rule as GetWebACL returns it."""
        # a rule group's rules keep their own actions (override None); the rate limit blocks
        action = {"Action": {"Block": {}}} if self.is_rate_limit else {"OverrideAction": {"None": {}}}
        return {
            "Name": self.name,
            "Priority": self.priority,
            "Statement": self.statement(),
            **action,
            "VisibilityConfig": visibility(self.name),
        }


@dataclass(frozen=True)
class WebAclPlan:
    """The web ACL the stack creates, and where it logs."""

    name: str
    """The web ACL's name, also its metric name (the WebACL dimension of its metrics)."""
    rules: tuple[WafRulePlan, ...]
    log_group_name: str
    log_retention_days: int
    logs_blocked_only: bool

    @property
    def description(self) -> str:
        return f"{self.name}: AWS managed rule groups and a per-IP rate limit in front of the load balancer"

    def described(self) -> dict[str, Any]:
        """The web ACL itself (its rules aside) as GetWebACL returns it."""
        return {"DefaultAction": DEFAULT_ACTION, "VisibilityConfig": visibility(self.name)}

    def logging_filter(self) -> dict[str, Any] | None:
        """PutLoggingConfiguration's LoggingFilter: keep blocked requests, drop the rest; None logs all."""
        if not self.logs_blocked_only:
            return None
        return {
            "DefaultBehavior": "DROP",
            "Filters": [
                {
                    "Behavior": "KEEP",
                    "Requirement": "MEETS_ANY",
                    "Conditions": [{"ActionCondition": {"Action": LOGGED_ACTION}}],
                }
            ],
        }


def web_acl_plan(settings: StackSettings) -> WebAclPlan | None:
    """The web ACL the stack creates, or None (no WAF, or an existing web ACL)."""
    balancer = settings.load_balancer
    if not balancer.protected_by_waf or not balancer.waf.creates_web_acl:
        return None
    return created_web_acl(
        balancer.waf, name=names.web_acl_name(settings), log_group_name=names.waf_log_group_name(settings)
    )


def created_web_acl(waf: WafSettings, *, name: str, log_group_name: str) -> WebAclPlan:
    """The web ACL of the `loadBalancer.waf` settings, named `name`, logging to `log_group_name`."""
    rules = []
    if waf.rate_limit is not None:
        rules.append(WafRulePlan(RATE_RULE_NAME, 0, None, waf.rate_limit.requests, waf.rate_limit.window_seconds))
    rules += [WafRulePlan(group, len(rules) + i, group) for i, group in enumerate(waf.managed_rule_groups)]
    return WebAclPlan(
        name=name,
        rules=tuple(rules),
        log_group_name=log_group_name,
        log_retention_days=waf.logs.retention_days,
        logs_blocked_only=waf.logs.requests == "blocked",
    )
