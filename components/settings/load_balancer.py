"""The `loadBalancer` section: the load balancer, its listeners, target group and health check."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Literal

from .conventions import HTTP_LISTENER_PORT, HTTPS_LISTENER_PORT
from .limits import (
    ACCESS_LOG_PREFIX_REFUSED,
    ACM_CERTIFICATE_ARN_PATTERN,
    ALB_SUCCESS_CODES,
    BUCKET_NAME_LENGTH,
    DEFAULT_TLS_POLICY,
    DEREGISTRATION_DELAY,
    HEALTH_CHECK_INTERVAL,
    HEALTH_CHECK_PATH_MAX_LENGTH,
    HEALTH_CHECK_THRESHOLD,
    HEALTH_CHECK_TIMEOUT,
    IDLE_TIMEOUT,
    MATCHER_PATTERN,
    NLB_SUCCESS_CODES,
    SECURITY_GROUP_RULES_MAX,
    STICKINESS_DURATION,
    URL_PATH_PATTERN,
    SslPolicyName,
)
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem, Shown
from .value_types import AcmCertificateArn, BucketName, ClientCidr, Matcher, matcher_ranges
from .waf import WafSettings


class StickinessSettings(SettingsModel):
    """Sticky sessions: an lb_cookie on an ALB, source IP on an NLB."""

    enabled: bool = setting(False, description="Keep a client on the same node.")
    duration_seconds: int = setting(
        86400,
        description="Cookie lifetime (application load balancer only).",
        unit="seconds",
        limit=STICKINESS_DURATION,
    )


class AccessLogsSettings(SettingsModel):
    """Access logs to an S3 bucket in the stack's region (its bucket policy must admit ELB log delivery)."""

    bucket: BucketName = setting(
        description="Bucket receiving the logs.",
        limit=f"an S3 bucket name: {BUCKET_NAME_LENGTH} characters a-z 0-9 . -",
        examples=["shop-alb-logs"],
    )
    prefix: str = setting(
        "",
        description="Key prefix inside the bucket.",
        limit=f"no leading or trailing '/', no '{ACCESS_LOG_PREFIX_REFUSED}'",
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        path = self._path(at, "prefix")
        if self.prefix.startswith("/") or self.prefix.endswith("/"):
            yield Problem(path, "must not start or end with '/' (AWS adds the separators)", self.prefix)
        if ACCESS_LOG_PREFIX_REFUSED in self.prefix:
            yield Problem(path, f"must not contain '{ACCESS_LOG_PREFIX_REFUSED}' (AWS appends it)", self.prefix)


class HealthCheckSettings(SettingsModel):
    """The target group's health check: an HTTP GET of `path` on the app port.

    Rules: timeout < interval; success codes within 200-499 on an application and 200-599
    on a network load balancer.
    """

    path: str = setting(
        "/health",
        description="Path the load balancer requests; the release answers 200 while it can serve.",
        limit=f"starts with '/', at most {HEALTH_CHECK_PATH_MAX_LENGTH} characters",
        pattern=r"^/",
        max_length=HEALTH_CHECK_PATH_MAX_LENGTH,
    )
    interval: int = setting(
        10, description="Time between checks of one node.", unit="seconds", limit=HEALTH_CHECK_INTERVAL
    )
    timeout: int = setting(
        5, description="Time without an answer that fails a check.", unit="seconds", limit=HEALTH_CHECK_TIMEOUT
    )
    healthy_threshold: int = setting(
        2, description="Consecutive successes that make a node healthy.", unit="checks", limit=HEALTH_CHECK_THRESHOLD
    )
    unhealthy_threshold: int = setting(
        2, description="Consecutive failures that make a node unhealthy.", unit="checks", limit=HEALTH_CHECK_THRESHOLD
    )
    matcher: Matcher = setting(
        "200",
        description='HTTP codes that count as healthy: "200", "200,202" or "200-299".',
        limit=f"codes {ALB_SUCCESS_CODES} (application) or {NLB_SUCCESS_CODES} (network)",
        pattern=MATCHER_PATTERN,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if not self.path.startswith("/"):
            yield Problem(self._path(at, "path"), "must start with '/'", self.path)
        elif not re.fullmatch(URL_PATH_PATTERN, self.path):
            yield Problem(
                self._path(at, "path"), "must be a URL path: printable ASCII without spaces (write %20)", self.path
            )
        if self.timeout >= self.interval:
            yield Problem(
                self._path(at, "timeout"),
                f"must be < interval ({self.interval})",
                self.timeout,
                refs=(self._path(at, "interval"),),
            )


def _why_no_waf(kind: str) -> str:
    if kind == "network":
        return "AWS WAF cannot protect a network load balancer (web ACLs attach to application load balancers only)"
    # AWS would take it, but the web ACL's IP reputation list and per-IP rate limit judge
    # internet clients; inside the VPC a few NAT and service addresses carry every caller,
    # so the rate limit would block whole services
    return "WAF guards internet-facing load balancers; an internal one's callers are VPC addresses it would rate-limit"


def _a_load_balancer(kind: str) -> str:
    return "an application load balancer" if kind == "application" else "a network load balancer"


class LoadBalancerSettings(SettingsModel):
    """The load balancer in front of the nodes, its listeners and target group.

    Rules: sslPolicy only with certificateArn; certificateArn in the stack's region; a
    network load balancer has no algorithm choice, idle timeout, cookie duration or access
    logs without TLS; success codes per type; allowedCidrs fit the security group's rule
    quota. Deletion protection and HTTPS in production are the policy pack's call
    (prod-load-balancer-deletion-protection, prod-load-balancer-https). WAF only on an
    internet-facing application load balancer, its keys only while it is on.
    """

    type: Literal["application", "network"] = setting(
        "application",
        description="application (HTTP, redirects, least-outstanding-requests) or network (TCP/TLS, one zone allowed).",
    )
    internal: bool = setting(False, description="Reachable only inside the VPC (placed in the private subnets).")
    allowed_cidrs: list[ClientCidr] = setting(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Client networks admitted to the listener ports.",
        limit=f"IPv4/IPv6 CIDR blocks; listeners x blocks <= {SECURITY_GROUP_RULES_MAX} per IP version",
        min_length=1,
    )
    certificate_arn: AcmCertificateArn | None = setting(
        None,
        description="ACM certificate: HTTPS (TLS on a network load balancer) on 443, and on an application load "
        "balancer an HTTP listener that redirects to it.",
        limit="an ACM certificate ARN in the stack's region",
        pattern=ACM_CERTIFICATE_ARN_PATTERN.replace("(?P<region>", "("),
        default_text="none: HTTP only",
    )
    ssl_policy: SslPolicyName = setting(
        DEFAULT_TLS_POLICY,
        description="TLS policy of the HTTPS/TLS listener (only with certificateArn): any ELB predefined policy; the "
        "policy pack's listener-tls-policy flags those that allow TLS 1.0/1.1.",
    )
    algorithm: Literal["round_robin", "least_outstanding_requests", "weighted_random"] = setting(
        "round_robin",
        description="How an application load balancer picks a node; least_outstanding_requests suits uneven "
        "request costs. A network load balancer always hashes flows (round_robin here).",
    )
    stickiness: StickinessSettings = setting(default_factory=StickinessSettings, description="Sticky sessions.")
    deregistration_delay: int = setting(
        30,
        description="How long a leaving node keeps its in-flight requests before the load balancer cuts them; "
        "AWS waits for it before the termination hook (and release.drainSeconds) begins.",
        unit="seconds",
        limit=DEREGISTRATION_DELAY,
    )
    idle_timeout: int = setting(
        60,
        description="Application load balancer connection idle timeout; longer than the app's keep-alive is a "
        "common source of 502s, so keep the app's longer.",
        unit="seconds",
        limit=IDLE_TIMEOUT,
    )
    deletion_protection: bool = setting(
        by_environment="loadBalancer.deletionProtection",
        description="Refuse deletion of the load balancer (pulumi destroy fails until it is turned off).",
    )
    access_logs: AccessLogsSettings | None = setting(None, description="Access logs to S3.", default_text="off")
    health_check: HealthCheckSettings = setting(default_factory=HealthCheckSettings, description="Target health check.")
    waf: WafSettings = setting(
        default_factory=WafSettings, description="AWS WAF in front of an internet-facing application load balancer."
    )

    @property
    def waf_eligible(self) -> bool:
        """Internet-facing and application: the only load balancer the stack puts a web ACL in front of."""
        return self.type == "application" and not self.internal

    @property
    def protected_by_waf(self) -> bool:
        """True when a web ACL (created or existing) is associated with the load balancer."""
        return self.waf_eligible and self.waf.enabled

    @property
    def https(self) -> bool:
        """True when a certificate makes the listener HTTPS (TLS on a network load balancer)."""
        return self.certificate_arn is not None

    @property
    def listener_ports(self) -> list[int]:
        """Ports clients connect to: 80 (and 443 with a certificate; 80 then redirects).

        A network load balancer cannot redirect, so with a certificate it listens on 443 only.
        """
        if not self.https:
            return [HTTP_LISTENER_PORT]
        if self.type == "network":
            return [HTTPS_LISTENER_PORT]
        return [HTTP_LISTENER_PORT, HTTPS_LISTENER_PORT]

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        certificate_path = self._path(at, "certificate_arn")
        if self.is_set("ssl_policy") and not self.https:
            yield Problem(
                self._path(at, "ssl_policy"),
                "has no effect without certificateArn: set both or neither",
                self.ssl_policy,
                refs=(certificate_path,),
            )
        if self.https and context.region is not None:
            region = re.match(ACM_CERTIFICATE_ARN_PATTERN, self.certificate_arn)["region"]
            if region != context.region:
                yield Problem(
                    certificate_path,
                    f"must be in the stack's region ({context.region}): a load balancer uses its region's certificates",
                    self.certificate_arn,
                )
        if self.type == "network":
            yield from self._network_rules(at)
        yield from self._matcher_rules(at)
        yield from self._cidr_rules(at)
        yield from self._waf_rules(at, context)

    def _network_rules(self, at: KeyPath) -> Iterator[Problem]:
        type_path = self._path(at, "type")
        if self.algorithm != "round_robin":
            yield Problem(
                self._path(at, "algorithm"),
                "a network load balancer has no algorithm choice (it hashes flows)",
                self.algorithm,
                refs=(type_path,),
            )
        if self.is_set("idle_timeout"):
            yield Problem(
                self._path(at, "idle_timeout"),
                "applies to application load balancers only",
                self.idle_timeout,
                refs=(type_path,),
            )
        if self.stickiness.is_set("duration_seconds"):
            yield Problem(
                self._path(at, "stickiness", "durationSeconds"),
                "a network load balancer sticks by source IP, without a duration",
                self.stickiness.duration_seconds,
                refs=(type_path,),
            )
        if self.access_logs and not self.https:
            yield Problem(
                self._path(at, "access_logs"),
                "a network load balancer logs TLS listeners only: set certificateArn",
                refs=(type_path,),
            )

    def _waf_rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        waf_path = self._path(at, "waf")
        if not self.waf_eligible and self.waf.is_set("enabled") and self.waf.enabled:
            yield Problem(
                (*waf_path, "enabled"),
                _why_no_waf(self.type) + ": remove loadBalancer.waf (or set enabled: false)",
                True,
                refs=(self._path(at, "type" if self.type == "network" else "internal"),),
            )
            return
        if self.protected_by_waf:
            return
        if self.waf_eligible:
            why = "enabled: false" if self.waf.is_set("enabled") else f"off by default in {context.environment}"
            rule, cause = f"has no effect while WAF is off ({why}): set loadBalancer.waf.enabled: true", "enabled"
        else:
            rule, cause = f"has no effect: {_why_no_waf(self.type)}: remove it", None
        for name in self.waf.given_keys():
            refs = (*waf_path, cause) if cause else self._path(at, "type" if self.type == "network" else "internal")
            yield Problem((*waf_path, type(self.waf).model_fields[name].alias or name), rule, refs=(refs,))

    def _matcher_rules(self, at: KeyPath) -> Iterator[Problem]:
        codes = ALB_SUCCESS_CODES if self.type == "application" else NLB_SUCCESS_CODES
        matcher = self.health_check.matcher
        if any(low < codes.min or high > codes.max for low, high in matcher_ranges(matcher)):
            yield Problem(
                self._path(at, "health_check", "matcher"),
                f"codes must be within {codes.min}-{codes.max} on {_a_load_balancer(self.type)}",
                matcher,
                refs=(self._path(at, "type"),),
            )

    def _cidr_rules(self, at: KeyPath) -> Iterator[Problem]:
        path = self._path(at, "allowed_cidrs")
        seen: set[str] = set()
        for index, cidr in enumerate(self.allowed_cidrs):
            if cidr in seen:
                yield Problem((*path, index), "listed twice", cidr)
            seen.add(cidr)
        for version in (4, 6):
            count = len({c for c in self.allowed_cidrs if ipaddress.ip_network(c).version == version})
            if count * len(self.listener_ports) > SECURITY_GROUP_RULES_MAX:
                yield Problem(
                    path,
                    f"{count} IPv{version} blocks x {len(self.listener_ports)} listener ports exceed the "
                    f"{SECURITY_GROUP_RULES_MAX} inbound rules a security group holds",
                    Shown(f"{count} blocks"),
                )
