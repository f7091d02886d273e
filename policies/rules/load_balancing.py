"""The load balancer: what it accepts, how it speaks TLS, how it checks nodes, how it is kept."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .configuration import PRODUCTION, schema, settings
from .resources import (
    APPLICATION,
    LISTENER,
    LOAD_BALANCER,
    TARGET_GROUP,
    WEB_ACL_ASSOCIATION,
    Stack,
    is_production,
    items,
    number,
    whole,
)

HTTP, HTTPS, TLS = "HTTP", "HTTPS", "TLS"
REDIRECT = "redirect"

# --- ALBs drop invalid header fields --------------------------------------------------------


def validate_header_dropping(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LOAD_BALANCER:
        return
    if (args.props.get("loadBalancerType") or APPLICATION) == APPLICATION and not args.props.get(
        "dropInvalidHeaderFields"
    ):
        report_violation(
            f"{args.name} passes requests with invalid header fields on to the nodes (request smuggling). "
            "Set dropInvalidHeaderFields true (components/load_balancer.py; no stack setting turns it off)."
        )


alb_drops_invalid_headers = ResourceValidationPolicy(
    name="alb-drops-invalid-headers",
    description="Application load balancers drop invalid HTTP header fields.",
    validate=validate_header_dropping,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- TLS 1.2+ ---------------------------------------------------------------------------------

TLS12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
]
"""The ELB security policies that refuse TLS 1.0 and 1.1 (the ones elixir-cluster:loadBalancer.sslPolicy accepts):
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"""
RECOMMENDED_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

TLS_SCHEMA = schema(
    allowedSslPolicies={
        "type": "array",
        "items": {"type": "string"},
        "default": TLS12_POLICIES,
        "description": "ELB security policies an HTTPS or TLS listener may use.",
    },
)


def validate_tls_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LISTENER or args.props.get("protocol") not in (HTTPS, TLS):
        return
    allowed = settings(TLS_SCHEMA, args.get_config())["allowedSslPolicies"]
    policy = args.props.get("sslPolicy")
    if policy not in allowed:
        report_violation(
            f"{args.name} ({args.props.get('protocol')} :{whole(number(args.props.get('port')) or 0)}) uses "
            f"{policy or 'the default security policy (TLS 1.0+)'}. Set elixir-cluster:loadBalancer.sslPolicy to a "
            f"TLS 1.2+ policy such as {RECOMMENDED_TLS_POLICY}."
        )


listener_tls_policy = ResourceValidationPolicy(
    name="listener-tls-policy",
    description="HTTPS and TLS listeners use a TLS 1.2+ security policy from the allow-list.",
    validate=validate_tls_policy,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=TLS_SCHEMA,
)

# --- HTTP redirects once HTTPS exists ---------------------------------------------------------


def redirects_to_https(listener: Mapping[str, Any]) -> bool:
    actions = items(listener.get("defaultActions"))
    return bool(actions) and all(
        a.get("type") == REDIRECT and (a.get("redirect") or {}).get("protocol") == HTTPS for a in actions
    )


def validate_http_redirects(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = Stack(args.resources)
    by_load_balancer = defaultdict(list)
    for listener in stack.of_type(LISTENER):
        for balancer in stack.referenced(listener, "loadBalancerArn"):
            by_load_balancer[balancer].append(listener)
    for balancer, listeners in by_load_balancer.items():
        if not any(listener.props.get("protocol") == HTTPS for listener in listeners):
            continue
        for listener in listeners:
            if listener.props.get("protocol") == HTTP and not redirects_to_https(listener.props):
                report_violation(
                    f"{listener.name} serves plain HTTP on {stack.name_of(balancer)}, which also serves HTTPS: "
                    "requests and cookies cross the internet in clear. It must redirect to HTTPS; with "
                    "elixir-cluster:loadBalancer.certificateArn set the stack makes port 80 redirect, so restore "
                    "that listener's redirect action.",
                    listener.urn,
                )


http_redirects_to_https = StackValidationPolicy(
    name="http-redirects-to-https",
    description="A load balancer with an HTTPS listener only redirects on its HTTP listeners.",
    validate=validate_http_redirects,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- target group health checks ---------------------------------------------------------------

HTTP_HEALTH_CHECKS = (HTTP, HTTPS)
DEFAULT_HEALTH_CHECK_INTERVAL = 30  # seconds, the ELB API's default
LAMBDA_TARGETS = "lambda"


def health_check_problems(target_group: Mapping[str, Any]) -> list[str]:
    check = target_group.get("healthCheck") or {}
    if check.get("enabled") is False:
        return ["health checks are disabled: a dead node keeps receiving requests"]
    problems = []
    protocol = check.get("protocol") or target_group.get("protocol")
    if protocol in HTTP_HEALTH_CHECKS and not check.get("path"):
        problems.append("no health check path: set elixir-cluster:loadBalancer.healthCheck.path (e.g. /health)")
    interval = number(check.get("interval")) or DEFAULT_HEALTH_CHECK_INTERVAL
    timeout = number(check.get("timeout"))
    if timeout is not None and timeout >= interval:
        problems.append(
            f"timeout {whole(timeout)} s is not below interval {whole(interval)} s: set "
            "elixir-cluster:loadBalancer.healthCheck.timeout below healthCheck.interval"
        )
    return problems


def validate_health_check(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in TARGET_GROUP or args.props.get("targetType") == LAMBDA_TARGETS:
        return
    for problem in health_check_problems(args.props):
        report_violation(f"{args.name}: {problem}.")


target_group_health_check = ResourceValidationPolicy(
    name="target-group-health-check",
    description="Target groups check health, on a path for HTTP(S), with a timeout below the interval.",
    validate=validate_health_check,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- production load balancers are protected -------------------------------------------------

DELETION_PROTECTION_SCHEMA = schema(**PRODUCTION)


def validate_deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LOAD_BALANCER:
        return
    config = settings(DELETION_PROTECTION_SCHEMA, args.get_config())
    if is_production(args.props, config) and not args.props.get("enableDeletionProtection"):
        report_violation(
            f"{args.name} serves production but can be deleted by one mistaken `pulumi destroy` or console click "
            "(and its DNS name with it). Set elixir-cluster:loadBalancer.deletionProtection: true."
        )


prod_load_balancer_deletion_protection = ResourceValidationPolicy(
    name="prod-load-balancer-deletion-protection",
    description="Production load balancers have deletion protection on.",
    validate=validate_deletion_protection,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=DELETION_PROTECTION_SCHEMA,
)

# --- access logs -----------------------------------------------------------------------------


def validate_access_logs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LOAD_BALANCER:
        return
    logs = args.props.get("accessLogs") or {}
    # the provider's default is off, even with a bucket set
    if not (logs.get("enabled") and logs.get("bucket")):
        report_violation(
            f"{args.name} keeps no access logs: after an incident there is no record of who asked for what. "
            "Set elixir-cluster:loadBalancer.accessLogs: {bucket: <bucket in this region>, prefix: <stack>}."
        )


load_balancer_access_logs = ResourceValidationPolicy(
    name="load-balancer-access-logs",
    description="Load balancers write access logs.",
    validate=validate_access_logs,
    enforcement_level=EnforcementLevel.ADVISORY,
)

# --- production serves HTTPS to the internet ------------------------------------------------

HTTPS_SCHEMA = schema(**PRODUCTION)


def validate_production_https(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(HTTPS_SCHEMA, args.get_config())
    stack = Stack(args.resources)
    protocols = defaultdict(set)
    for listener in stack.of_type(LISTENER):
        for balancer in stack.referenced(listener, "loadBalancerArn"):
            protocols[balancer].add(listener.props.get("protocol"))
    for balancer in stack.of_type(LOAD_BALANCER):
        facing = not balancer.props.get("internal")
        if facing and is_production(balancer.props, config) and not protocols[balancer.urn] & {HTTPS, TLS}:
            report_violation(
                f"{balancer.name} faces the internet from production without HTTPS: requests, session cookies and "
                "LiveView traffic cross it in clear. Set elixir-cluster:loadBalancer.certificateArn (an ACM "
                "certificate in the stack's region; port 80 then redirects), or elixir-cluster:loadBalancer.internal "
                "if only the VPC reaches it.",
                balancer.urn,
            )


prod_load_balancer_https = StackValidationPolicy(
    name="prod-load-balancer-https",
    description="Internet-facing production load balancers serve HTTPS (or TLS).",
    validate=validate_production_https,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=HTTPS_SCHEMA,
)

# --- an internet-facing production ALB is behind AWS WAF ------------------------------------

WAF_SCHEMA = schema(**PRODUCTION)


def validate_waf(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(WAF_SCHEMA, args.get_config())
    stack = Stack(args.resources)
    associations = stack.of_type(WEB_ACL_ASSOCIATION)
    protected = {balancer for a in associations for balancer in stack.referenced(a, "resourceArn")}
    for balancer in stack.of_type(LOAD_BALANCER):
        props = balancer.props
        if (props.get("loadBalancerType") or APPLICATION) != APPLICATION or props.get("internal"):
            continue  # AWS WAF protects application load balancers; an internal one faces no internet
        if is_production(props, config) and balancer.urn not in protected:
            report_violation(
                f"{balancer.name} takes production traffic from the internet with no web ACL in front of it: "
                "nothing filters known exploits (Log4Shell, path traversal), flagged addresses or floods from one "
                "client. Set elixir-cluster:loadBalancer.waf.enabled: true (prod's default), or associate an "
                "existing web ACL with elixir-cluster:loadBalancer.waf.webAclArn.",
                balancer.urn,
            )


prod_alb_has_waf = StackValidationPolicy(
    name="prod-alb-has-waf",
    description="An internet-facing production application load balancer has an AWS WAF web ACL association.",
    validate=validate_waf,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=WAF_SCHEMA,
)

POLICIES = [
    alb_drops_invalid_headers,
    listener_tls_policy,
    http_redirects_to_https,
    target_group_health_check,
    prod_load_balancer_deletion_protection,
    load_balancer_access_logs,
    prod_load_balancer_https,
    prod_alb_has_waf,
]
