"""`loadBalancer.waf`: AWS WAF in front of an internet-facing application load balancer.

Either an existing web ACL (`webAclArn`, a REGIONAL one in the stack's region, which
brings its own rules), or a web ACL the stack creates: AWS managed rule groups and a
per-client-IP rate limit, each rule blocking what it matches, everything else allowed,
CloudWatch metrics per rule, its logs in a KMS-encrypted log group.

AWS associates web ACLs with application load balancers only (not network load
balancers); an internal one is refused too (see LoadBalancerSettings' rules). WAF is on
by default in prod for internet-facing application load balancers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from .limits import (
    DEFAULT_RATE_WINDOW_SECONDS,
    RATE_LIMIT_REQUESTS,
    RATE_WINDOW_SECONDS,
    WEB_ACL_ARN_PATTERN,
)
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem
from .value_types import RateWindow, RetentionDays, SelectableRuleGroup, WebAclArn

DEFAULT_MANAGED_RULE_GROUPS = [
    "AWSManagedRulesCommonRuleSet",  # OWASP Top 10 style: XSS, path traversal, oversized bodies
    "AWSManagedRulesKnownBadInputsRuleSet",  # Log4Shell and other known exploit patterns
    "AWSManagedRulesAmazonIpReputationList",  # addresses Amazon's threat intelligence flags
]


class RateLimitSettings(SettingsModel):
    """Block a client IP address that sends more than `requests` in `windowSeconds`."""

    requests: int = setting(
        2000,
        description="Requests one client IP address may send per window before the rest are blocked.",
        unit="requests",
        limit=RATE_LIMIT_REQUESTS,
    )
    window_seconds: RateWindow = setting(
        DEFAULT_RATE_WINDOW_SECONDS,
        description="How far back AWS WAF counts a client's requests.",
        unit="seconds",
        limit=" or ".join(map(str, RATE_WINDOW_SECONDS)),
    )


class WafLogsSettings(SettingsModel):
    """The web ACL's logs: a CloudWatch log group `aws-waf-logs-<cluster>`, KMS-encrypted."""

    requests: Literal["blocked", "all"] = setting(
        "blocked",
        description="Which requests are logged: the blocked ones (every attack, a small bill) or all of them "
        "(a record per request: at high traffic the costliest log the stack writes).",
    )
    retention_days: RetentionDays = setting(
        365,
        description="How long the log group keeps the records; a year covers most audit and incident timelines.",
        unit="days",
        limit="one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, ... 365, ... 3653)",
    )


class WafSettings(SettingsModel):
    """AWS WAF for an internet-facing application load balancer.

    Rules: webAclArn (an existing web ACL, which brings its own rules) excludes
    managedRuleGroups and rateLimit; it is REGIONAL and in the stack's region; rule groups
    listed once; the other keys only while WAF is on.
    """

    enabled: bool = setting(
        by_environment="loadBalancer.waf.enabled",
        description="Put a web ACL in front of the load balancer. The default applies to an internet-facing "
        "application load balancer; an internal or network one never gets one.",
    )
    web_acl_arn: WebAclArn | None = setting(
        None,
        description="An existing web ACL to associate instead of creating one (its rules are its own).",
        limit="a REGIONAL wafv2 web ACL ARN in the stack's region",
        pattern=WEB_ACL_ARN_PATTERN.replace("(?P<region>", "(").replace("(?P<name>", "("),
        default_text="none: the stack creates the web ACL",
    )
    managed_rule_groups: list[SelectableRuleGroup] = setting(
        default_factory=lambda: list(DEFAULT_MANAGED_RULE_GROUPS),
        description="AWS managed rule groups of the created web ACL, evaluated in this order; each blocks what it "
        "matches.",
        limit="AWS managed rule groups that need no configuration, each once",
    )
    rate_limit: RateLimitSettings | None = setting(
        default_factory=RateLimitSettings,
        description="Per-client-IP rate limit of the created web ACL; null: none.",
    )
    blocked_requests_alarm: int = setting(
        100,
        description="Blocked requests per minute that, kept up for minutes, raise an alarm (an attack, or a rule "
        "blocking real users).",
        unit="requests per minute",
        limit="> 0",
        gt=0,
    )
    logs: WafLogsSettings = setting(default_factory=WafLogsSettings, description="The web ACL's logs.")

    @property
    def creates_web_acl(self) -> bool:
        """True when the stack creates the web ACL (rather than associating an existing one)."""
        return self.web_acl_arn is None

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        arn_path = self._path(at, "web_acl_arn")
        if self.web_acl_arn is not None:
            region = re.match(WEB_ACL_ARN_PATTERN, self.web_acl_arn)["region"]
            if context.region is not None and region != context.region:
                yield Problem(
                    arn_path,
                    f"must be in the stack's region ({context.region}): a load balancer takes its region's web ACLs",
                    self.web_acl_arn,
                )
            for name in ("managed_rule_groups", "rate_limit"):
                if self.is_set(name):
                    yield Problem(
                        self._path(at, name),
                        "applies to the web ACL the stack creates; the one in webAclArn has its own rules: "
                        "remove one of the two",
                        refs=(arn_path,),
                    )
        seen: set[str] = set()
        for index, group in enumerate(self.managed_rule_groups):
            if group in seen:
                yield Problem(self._path(at, "managed_rule_groups", index), "listed twice", group)
            seen.add(group)

    def given_keys(self) -> list[str]:
        """The keys the stack file set, `enabled` aside."""
        return [name for name in type(self).model_fields if name != "enabled" and self.is_set(name)]
