"""Load balancers, target groups and listeners in moto."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support.programs import NETWORK, TARGET_GROUP
from tools.emulator.services import acm

ALB = """
lb = aws.lb.LoadBalancer("lb", load_balancer_type="application", subnets=[s.id for s in subnets],
    security_groups=[sg.id], idle_timeout=120, drop_invalid_header_fields=True, enable_deletion_protection=True,
    access_logs={"bucket": "logs", "prefix": "prod", "enabled": True})
http = aws.lb.Listener("http", load_balancer_arn=lb.arn, port=80, protocol="HTTP",
    default_actions=[{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}])
pulumi.export("lb", lb.arn)
pulumi.export("suffix", lb.arn_suffix)
pulumi.export("dns", lb.dns_name)
pulumi.export("tg", tg.arn)
pulumi.export("tgSuffix", tg.arn_suffix)
pulumi.export("http", http.arn)
"""


def _attributes(pairs):
    return {a["Key"]: a["Value"] for a in pairs}


def test_alb_attributes_and_outputs(run, aws):
    out = run(NETWORK + TARGET_GROUP + ALB).outputs
    elbv2 = aws("elbv2")
    lb = elbv2.describe_load_balancers(LoadBalancerArns=[out["lb"]])["LoadBalancers"][0]
    assert lb["Type"] == "application" and lb["Scheme"] == "internet-facing"
    assert out["dns"] == lb["DNSName"]
    assert out["lb"].endswith(out["suffix"]) and out["suffix"].startswith("app/")
    attributes = _attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=out["lb"])["Attributes"])
    assert attributes["idle_timeout.timeout_seconds"] == "120"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == "logs"


def test_target_group_health_check_and_attributes(run, aws):
    out = run(NETWORK + TARGET_GROUP + ALB).outputs
    elbv2 = aws("elbv2")
    group = elbv2.describe_target_groups(TargetGroupArns=[out["tg"]])["TargetGroups"][0]
    assert (group["HealthCheckPath"], group["HealthCheckIntervalSeconds"], group["HealthCheckTimeoutSeconds"]) == (
        "/health",
        10,
        5,
    )
    assert (group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (2, 3)
    assert group["Matcher"]["HttpCode"] == "200"
    assert out["tgSuffix"].startswith("targetgroup/")
    attributes = _attributes(elbv2.describe_target_group_attributes(TargetGroupArn=out["tg"])["Attributes"])
    assert attributes["deregistration_delay.timeout_seconds"] == "45"
    assert attributes["load_balancing.algorithm.type"] == "least_outstanding_requests"


def test_redirect_listener(run, aws):
    out = run(NETWORK + TARGET_GROUP + ALB).outputs
    listener = aws("elbv2").describe_listeners(ListenerArns=[out["http"]])["Listeners"][0]
    action = listener["DefaultActions"][0]
    assert action["Type"] == "redirect"
    assert action["RedirectConfig"]["Protocol"] == "HTTPS" and action["RedirectConfig"]["StatusCode"] == "HTTP_301"


def test_a_provided_certificate_serves_https(run, aws, emulator):
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    acm.provide_certificate(emulator.session, arn)
    out = run(
        NETWORK
        + TARGET_GROUP
        + ALB
        + f"""
https = aws.lb.Listener("https", load_balancer_arn=lb.arn, port=443, protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn="{arn}",
    default_actions=[{{"type": "forward", "target_group_arn": tg.arn}}])
pulumi.export("https", https.arn)
"""
    ).outputs
    listener = aws("elbv2").describe_listeners(ListenerArns=[out["https"]])["Listeners"][0]
    assert listener["Certificates"][0]["CertificateArn"] == arn
    assert listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listener["DefaultActions"][0]["TargetGroupArn"] == out["tg"]


def test_a_network_load_balancer_balances_across_zones_when_asked(run, aws):
    out = run(
        NETWORK
        + """
nlb = aws.lb.LoadBalancer("nlb", load_balancer_type="network", subnets=[s.id for s in subnets],
    security_groups=[sg.id], enable_cross_zone_load_balancing=True, tags={"Team": "shop"})
pulumi.export("nlb", nlb.arn)
pulumi.export("nlbSuffix", nlb.arn_suffix)
"""
    ).outputs
    elbv2 = aws("elbv2")
    attributes = _attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=out["nlb"])["Attributes"])
    assert attributes["load_balancing.cross_zone.enabled"] == "true"
    assert elbv2.describe_load_balancers(LoadBalancerArns=[out["nlb"]])["LoadBalancers"][0]["SecurityGroups"]
    # AWS: arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>
    assert ":loadbalancer/net/" in out["nlb"] and out["nlbSuffix"].startswith("net/")
    assert out["nlb"].endswith(out["nlbSuffix"])
    [described] = elbv2.describe_tags(ResourceArns=[out["nlb"]])["TagDescriptions"]
    assert {tag["Key"]: tag["Value"] for tag in described["Tags"]}["Team"] == "shop", "its tags under the ARN AWS gives"


def test_a_load_balancer_with_deletion_protection_cannot_be_deleted(run, aws):
    """AWS: OperationNotPermitted, "Load balancer '<arn>' cannot be deleted because deletion protection
    is enabled" (API_DeleteLoadBalancer; the message as rebuy-de/aws-nuke#1240 quotes it)."""
    arn = run(NETWORK + TARGET_GROUP + ALB).outputs["lb"]
    elbv2 = aws("elbv2")
    with pytest.raises(ClientError) as refused:
        elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert refused.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert refused.value.response["Error"]["Message"] == (
        f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
    )
    assert elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]  # still there
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []


def test_turning_deletion_protection_off_is_an_update_in_place(run, update, aws):
    first = run(NETWORK + TARGET_GROUP + ALB)
    changes = update(
        NETWORK + TARGET_GROUP + ALB.replace("enable_deletion_protection=True", "enable_deletion_protection=False"),
        first,
    )
    (step,) = [s for s in changes.steps if s.action != "same"]
    assert (step.name, step.action, step.changed) == ("lb", "update", {"enableDeletionProtection": (True, False)})
    attributes = _attributes(
        aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=first.outputs["lb"])["Attributes"]
    )
    assert attributes["deletion_protection.enabled"] == "false"
