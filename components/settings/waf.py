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
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator

from .fields import Context, SettingsModel, refuse, setting
from .limits import LOG_RETENTION_DAYS, Range
from .problems import KeyPath, Problem

# --- AWS's limits ---------------------------------------------------------------------

# AWS Managed Rules rule groups (vendor AWS) that work without a ManagedRuleGroupConfig:
# https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
# (baseline, use-case specific and IP reputation groups). Their WCUs add up to 1,975, under
# the 5,000 a web ACL may hold, so no selection of them is refused for its capacity.
ManagedRuleGroup = Literal[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
]
MANAGED_RULE_GROUPS: tuple[str, ...] = get_args(ManagedRuleGroup)
MANAGED_RULE_GROUP_VENDOR = "AWS"

CONFIGURED_RULE_GROUPS = {
    "AWSManagedRulesBotControlRuleSet": "an inspection level",
    "AWSManagedRulesATPRuleSet": "the login page and its fields",
    "AWSManagedRulesACFPRuleSet": "the registration pages and their fields",
    "AWSManagedRulesAntiDDoSRuleSet": "the client-side action settings",
}
"""AWS managed rule groups that AWS accepts only with a ManagedRuleGroupConfig (and bills per request)."""

DEFAULT_MANAGED_RULE_GROUPS = [
    "AWSManagedRulesCommonRuleSet",  # OWASP Top 10 style: XSS, path traversal, oversized bodies
    "AWSManagedRulesKnownBadInputsRuleSet",  # Log4Shell and other known exploit patterns
    "AWSManagedRulesAmazonIpReputationList",  # addresses Amazon's threat intelligence flags
]

# Rate-based rules: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
# (Limit 10 to 2,000,000,000 requests per evaluation window; EvaluationWindowSec 60, 120,
# 300 or 600, default 300).
RATE_LIMIT_REQUESTS = Range(10, 2_000_000_000)
RATE_WINDOW_SECONDS = (60, 120, 300, 600)
DEFAULT_RATE_WINDOW_SECONDS = 300

# A web ACL's ARN: https://docs.aws.amazon.com/waf/latest/APIReference/API_WebACL.html
# (Name 1-128 characters of \w and '-'; Id a UUID); a load balancer's web ACL is REGIONAL.
WEB_ACL_NAME_PATTERN = r"[\w-]{1,128}"
WEB_ACL_ARN_PATTERN = (
    r"^arn:aws(?:-cn|-us-gov)?:wafv2:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:regional/webacl/"
    rf"(?P<name>{WEB_ACL_NAME_PATTERN})/[0-9a-f]{{8}}-(?:[0-9a-f]{{4}}-){{3}}[0-9a-f]{{12}}$"
)
GLOBAL_WEB_ACL = ":global/webacl/"
"""A CloudFront web ACL's ARN: it cannot be associated with a load balancer."""


def web_acl_name(arn: str) -> str:
    """The name inside a web ACL's ARN."""
    return re.match(WEB_ACL_ARN_PATTERN, arn)["name"]


def _web_acl_arn(value: str) -> str:
    if GLOBAL_WEB_ACL in value:
        refuse("is a CloudFront (global) web ACL; a load balancer needs a REGIONAL one")
    if not re.match(WEB_ACL_ARN_PATTERN, value):
        refuse("must be a regional web ACL ARN: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>")
    return value


def _rate_window(value: int) -> int:
    if value not in RATE_WINDOW_SECONDS:
        refuse(f"must be one of {', '.join(map(str, RATE_WINDOW_SECONDS))} (AWS WAF's evaluation windows)")
    return value


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        refuse(f"must be one of CloudWatch Logs' retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}")
    return value


def _configurable_group(value: Any) -> Any:
    if value in CONFIGURED_RULE_GROUPS:
        refuse(
            f"needs a configuration ({CONFIGURED_RULE_GROUPS[value]}) that this stack does not set: "
            "add it to a web ACL of your own and give its webAclArn"
        )
    return value


WebAclArn = Annotated[str, BeforeValidator(_web_acl_arn)]
SelectableRuleGroup = Annotated[ManagedRuleGroup, BeforeValidator(_configurable_group)]
RateWindow = Annotated[int, AfterValidator(_rate_window)]
RetentionDays = Annotated[int, AfterValidator(_retention)]


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
            if region != context.region:
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
