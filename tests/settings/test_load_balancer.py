"""`loadBalancer`: the load balancer, its listeners, target group, health check and access logs."""

from __future__ import annotations

import pytest

from tests.support.fragments import CERTIFICATE
from tests.support.sections import load, problems, refusals


@pytest.mark.parametrize(
    ("lb", "line"),
    [
        (
            {"sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"},
            "elixir-cluster:loadBalancer.sslPolicy: has no effect without certificateArn: set both or neither, got "
            '"ELBSecurityPolicy-TLS13-1-3-2021-06"',
        ),
        (
            {"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2099-01"},
            "elixir-cluster:loadBalancer.sslPolicy: did you mean ELBSecurityPolicy-TLS13-1-2-2021-06? must be one of",
        ),
        (  # the closest policy first, before the 40 names AWS has
            {"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-6"},
            "elixir-cluster:loadBalancer.sslPolicy: did you mean ELBSecurityPolicy-TLS13-1-2-2021-06? must be one of: ",
        ),
        (
            {"certificateArn": CERTIFICATE.replace("eu-west-1", "us-east-1")},
            "elixir-cluster:loadBalancer.certificateArn: must be in the stack's region (eu-west-1)",
        ),
        (
            {"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"},
            "elixir-cluster:loadBalancer.certificateArn: must be an ACM certificate ARN",
        ),
        (
            {"type": "network", "algorithm": "least_outstanding_requests"},
            "elixir-cluster:loadBalancer.algorithm: a network load balancer has no algorithm choice",
        ),
        (
            {"type": "network", "idleTimeout": 120},
            "elixir-cluster:loadBalancer.idleTimeout: applies to application load balancers only",
        ),
        (
            {"type": "network", "stickiness": {"enabled": True, "durationSeconds": 60}},
            "elixir-cluster:loadBalancer.stickiness.durationSeconds: a network load balancer sticks by source IP",
        ),
        (
            {"type": "network", "accessLogs": {"bucket": "shop-logs"}},
            "elixir-cluster:loadBalancer.accessLogs: a network load balancer logs TLS listeners only",
        ),
        (
            {"healthCheck": {"matcher": "200-502"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: codes must be within 200-499 on an application",
        ),
        ({"healthCheck": {"matcher": "2xx"}}, "elixir-cluster:loadBalancer.healthCheck.matcher: must be HTTP codes"),
        (
            {"healthCheck": {"matcher": "299-200"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: range 299-200 is reversed",
        ),
        (
            {"healthCheck": {"interval": 5, "timeout": 5}},
            "elixir-cluster:loadBalancer.healthCheck.timeout: must be < interval (5), got 5",
        ),
        (
            {"healthCheck": {"interval": 301}},
            "elixir-cluster:loadBalancer.healthCheck.interval: must be <= 300, got 301",
        ),
        (
            {"healthCheck": {"healthyThreshold": 1}},
            "elixir-cluster:loadBalancer.healthCheck.healthyThreshold: must be >= 2, got 1",
        ),
        (
            {"healthCheck": {"path": "health"}},
            "elixir-cluster:loadBalancer.healthCheck.path: must start with '/', got \"health\"",
        ),
        (
            {"healthCheck": {"path": "/health check"}},
            "elixir-cluster:loadBalancer.healthCheck.path: must be a URL path: printable ASCII without spaces",
        ),
        ({"deregistrationDelay": 3601}, "elixir-cluster:loadBalancer.deregistrationDelay: must be <= 3600, got 3601"),
        ({"idleTimeout": 4001}, "elixir-cluster:loadBalancer.idleTimeout: must be <= 4000, got 4001"),
        (
            {"stickiness": {"durationSeconds": 604801}},
            "elixir-cluster:loadBalancer.stickiness.durationSeconds: must be <= 604800",
        ),
        (
            {"accessLogs": {"bucket": "shop-logs", "prefix": "/prod/"}},
            "elixir-cluster:loadBalancer.accessLogs.prefix: must not start or end with '/'",
        ),
        (
            {"accessLogs": {"bucket": "shop-logs", "prefix": "AWSLogs"}},
            "elixir-cluster:loadBalancer.accessLogs.prefix: must not contain 'AWSLogs'",
        ),
        (
            {"accessLogs": {"bucket": "shop..logs"}},
            "elixir-cluster:loadBalancer.accessLogs.bucket: a bucket name has no '..'",
        ),
        (
            {"accessLogs": {"bucket": "192.168.1.1"}},
            "elixir-cluster:loadBalancer.accessLogs.bucket: a bucket name must not look like an IP",
        ),
        (
            {"allowedCidrs": ["203.0.113.7/24"]},
            "elixir-cluster:loadBalancer.allowedCidrs[0]: host bits must be zero (did you mean 203.0.113.0/24?)",
        ),
        (
            {"allowedCidrs": ["0.0.0.0"]},
            "elixir-cluster:loadBalancer.allowedCidrs[0]: needs its prefix length: 0.0.0.0/32 for this one host, "
            'or 0.0.0.0/0 for everyone, got "0.0.0.0"',
        ),
        (
            {"allowedCidrs": ["10.0.0.0/8", "10.0.0.0/8"]},
            'elixir-cluster:loadBalancer.allowedCidrs[1]: listed twice, got "10.0.0.0/8"',
        ),
        ({"allowedCidrs": []}, "elixir-cluster:loadBalancer.allowedCidrs: must have at least 1 items"),
        (
            {"certificateArn": CERTIFICATE, "allowedCidrs": [f"10.0.{i}.0/24" for i in range(31)]},
            "elixir-cluster:loadBalancer.allowedCidrs: 31 IPv4 blocks x 2 listener ports exceed the 60 inbound rules",
        ),
    ],
)
def test_load_balancer_rules(lb, line):
    (found,) = problems(loadBalancer=lb)
    assert found.startswith(line)


def test_a_network_load_balancer_accepts_5xx_success_codes():
    loaded = load(loadBalancer={"type": "network", "healthCheck": {"matcher": "200-599"}})
    assert loaded.load_balancer.health_check.matcher == "200-599"


def test_prod_may_drop_deletion_protection_and_serve_plain_http():
    # opinions the policy pack judges (prod-load-balancer-deletion-protection, prod-load-balancer-https)
    loaded = load(stack="prod", loadBalancer={"deletionProtection": False})
    assert not loaded.load_balancer.deletion_protection and not loaded.load_balancer.https
    assert loaded.load_balancer.listener_ports == [80]


def test_prod_still_refuses_what_aws_refuses_of_a_load_balancer():
    lines = problems(
        stack="prod", loadBalancer={"deletionProtection": False, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}
    )
    assert lines == [
        "elixir-cluster:loadBalancer.sslPolicy: has no effect without certificateArn: set both or neither, "
        'got "ELBSecurityPolicy-TLS13-1-3-2021-06"'
    ]


def test_an_internal_prod_load_balancer_may_serve_http():
    assert not load(stack="prod", loadBalancer={"internal": True}).load_balancer.https


def test_a_network_load_balancer_with_tls_listens_on_443_only():
    loaded = load(loadBalancer={"type": "network", "certificateArn": CERTIFICATE})
    assert loaded.load_balancer.listener_ports == [443]  # an NLB cannot redirect 80 to 443


def test_an_application_load_balancer_with_a_certificate_listens_on_80_and_443():
    assert load(loadBalancer={"certificateArn": CERTIFICATE}).load_balancer.listener_ports == [80, 443]


@pytest.mark.parametrize(
    ("lb", "refused"),
    [
        # the health check's timeout < interval
        ({"healthCheck": {"interval": 10, "timeout": 9}}, None),
        (
            {"healthCheck": {"interval": 10, "timeout": 10}},
            "elixir-cluster:loadBalancer.healthCheck.timeout: must be < interval (10), got 10",
        ),
        # success codes 200-499 on an application load balancer, 200-599 on a network one
        ({"healthCheck": {"matcher": "200-499"}}, None),
        (
            {"healthCheck": {"matcher": "200-500"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: codes must be within 200-499 on an application load "
            'balancer, got "200-500"',
        ),
        (
            {"healthCheck": {"matcher": "199,200"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: codes must be within 200-499 on an application load "
            'balancer, got "199,200"',
        ),
        ({"type": "network", "healthCheck": {"matcher": "200-599"}}, None),
        (
            {"type": "network", "healthCheck": {"matcher": "200-600"}},
            "elixir-cluster:loadBalancer.healthCheck.matcher: codes must be within 200-599 on a network load "
            'balancer, got "200-600"',
        ),
        # allowedCidrs x listener ports fit the security group's 60 inbound rules, per IP version
        ({"allowedCidrs": [f"10.0.{i}.0/24" for i in range(60)]}, None),
        (
            {"allowedCidrs": [f"10.0.{i}.0/24" for i in range(61)]},
            "elixir-cluster:loadBalancer.allowedCidrs: 61 IPv4 blocks x 1 listener ports exceed the 60 inbound rules "
            "a security group holds, got 61 blocks",
        ),
        ({"certificateArn": CERTIFICATE, "allowedCidrs": [f"10.0.{i}.0/24" for i in range(30)]}, None),
        (
            {"certificateArn": CERTIFICATE, "allowedCidrs": [f"10.0.{i}.0/24" for i in range(31)]},
            "elixir-cluster:loadBalancer.allowedCidrs: 31 IPv4 blocks x 2 listener ports exceed the 60 inbound rules "
            "a security group holds, got 31 blocks",
        ),
        (
            {
                "certificateArn": CERTIFICATE,
                "allowedCidrs": [f"10.0.{i}.0/24" for i in range(30)] + [f"2001:db8:{i:x}::/48" for i in range(30)],
            },
            None,
        ),
        # sslPolicy only with certificateArn
        ({"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}, None),
        # a network load balancer takes the default algorithm and stickiness without a duration
        ({"type": "network", "algorithm": "round_robin", "stickiness": {"enabled": True}}, None),
        # access logs on a network load balancer with TLS only
        ({"type": "network", "certificateArn": CERTIFICATE, "accessLogs": {"bucket": "shop-logs"}}, None),
        ({"accessLogs": {"bucket": "shop-logs", "prefix": "prod/eu"}}, None),
    ],
)
def test_load_balancer_rules_at_their_boundaries(lb, refused):
    assert refusals(loadBalancer=lb) == ([] if refused is None else [refused])
