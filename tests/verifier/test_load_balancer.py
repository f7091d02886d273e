"""tools/verifier/checks/load_balancer.py against the load balancer's plans: the listeners, the
target group (health check, attributes), its targets, the load balancer's attributes; each tamper
fails its check and no other. Expected details are AWS's values and the stack file's, written out."""

from __future__ import annotations

import pytest

from tests.support.aws_state import balancer_of, group_of, listeners_by_port
from tests.support.stacks import Applied, Deploy
from tests.support.verify import Change, Tamper, walk
from tools.emulator import acm

OTHER_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/99999999-8888-4777-8666-555555555555"


def set_the_balancer_attribute(key: str, value: str) -> Change:
    """ModifyLoadBalancerAttributes, one attribute."""

    def tamper(env: Applied) -> None:
        env.client("elbv2").modify_load_balancer_attributes(
            LoadBalancerArn=balancer_of(env)["LoadBalancerArn"], Attributes=[{"Key": key, "Value": value}]
        )

    tamper.__name__ = f"set_{key}_to_{value}"
    return tamper


def modify_the_target_group(**change: object) -> Change:
    """ModifyTargetGroup: its health check."""

    def tamper(env: Applied) -> None:
        env.client("elbv2").modify_target_group(TargetGroupArn=env.outputs["targetGroupArn"], **change)

    tamper.__name__ = "modify_the_target_group_" + "_".join(change)
    return tamper


def set_the_target_group_attributes(**attributes: str) -> Change:
    """ModifyTargetGroupAttributes (keys with their dots as double underscores)."""

    def tamper(env: Applied) -> None:
        env.client("elbv2").modify_target_group_attributes(
            TargetGroupArn=env.outputs["targetGroupArn"],
            Attributes=[{"Key": key.replace("__", "."), "Value": value} for key, value in attributes.items()],
        )

    tamper.__name__ = "set_" + "_and_".join(attributes)
    return tamper


def add_a_listener(env: Applied) -> None:
    env.client("elbv2").create_listener(
        LoadBalancerArn=balancer_of(env)["LoadBalancerArn"],
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": env.outputs["targetGroupArn"]}],
    )


def deregister_a_target(env: Applied) -> None:
    env.client("elbv2").deregister_targets(
        TargetGroupArn=env.outputs["targetGroupArn"], Targets=[{"Id": group_of(env)["Instances"][0]["InstanceId"]}]
    )


def stop_a_node(env: Applied) -> None:
    """A node the group still counts in service, which the target group reports as stopped."""
    env.client("ec2").stop_instances(InstanceIds=[group_of(env)["Instances"][-1]["InstanceId"]])


def downgrade_the_tls_policy(env: Applied) -> None:
    env.client("elbv2").modify_listener(
        ListenerArn=listeners_by_port(env)[443]["ListenerArn"], SslPolicy="ELBSecurityPolicy-2016-08"
    )


def swap_the_certificate(env: Applied) -> None:
    acm.provide_certificate(env.emulator.session, OTHER_CERTIFICATE)  # someone's other certificate
    env.client("elbv2").modify_listener(
        ListenerArn=listeners_by_port(env)[443]["ListenerArn"], Certificates=[{"CertificateArn": OTHER_CERTIFICATE}]
    )


def forward_to_another_target_group(env: Applied) -> None:
    elbv2 = env.client("elbv2")
    other = elbv2.create_target_group(
        Name="debug-targets", Protocol="HTTP", Port=8080, VpcId=env.outputs["vpcId"], TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_listener(
        ListenerArn=listeners_by_port(env)[443]["ListenerArn"],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": other}],
    )


def make_the_redirect_temporary(env: Applied) -> None:
    listener = listeners_by_port(env)[80]
    redirect = {**listener["DefaultActions"][0]["RedirectConfig"], "StatusCode": "HTTP_302"}
    env.client("elbv2").modify_listener(
        ListenerArn=listener["ListenerArn"], DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}]
    )


def remove_the_http_listener(env: Applied) -> None:
    env.client("elbv2").delete_listener(ListenerArn=listeners_by_port(env)[80]["ListenerArn"])


TAMPERS = {
    "dev": [
        Tamper(add_a_listener, "load_balancer.listeners", "extra HTTP:8080 forward to"),
        Tamper(
            modify_the_target_group(HealthCheckPath="/"),
            "load_balancer.target_group",
            "HealthCheckPath '/', declared '/health'",
        ),
        Tamper(
            modify_the_target_group(HealthCheckProtocol="HTTPS"),
            "load_balancer.target_group",
            "HealthCheckProtocol 'HTTPS', declared 'HTTP'",
        ),
        Tamper(
            modify_the_target_group(HealthCheckPort="9999"),
            "load_balancer.target_group",
            "HealthCheckPort '9999', declared 'traffic-port'",
        ),
        Tamper(
            modify_the_target_group(HealthCheckIntervalSeconds=30),
            "load_balancer.target_group",
            "HealthCheckIntervalSeconds 30, declared 10",
        ),
        Tamper(
            modify_the_target_group(HealthCheckTimeoutSeconds=8),
            "load_balancer.target_group",
            "HealthCheckTimeoutSeconds 8, declared 5",
        ),
        Tamper(
            modify_the_target_group(HealthyThresholdCount=5),
            "load_balancer.target_group",
            "HealthyThresholdCount 5, declared 2",
        ),
        Tamper(
            modify_the_target_group(UnhealthyThresholdCount=6),
            "load_balancer.target_group",
            "UnhealthyThresholdCount 6, declared 2",
        ),
        Tamper(
            modify_the_target_group(Matcher={"HttpCode": "200-399"}),
            "load_balancer.target_group",
            "Matcher '200-399', declared '200'",
        ),
        Tamper(
            set_the_target_group_attributes(deregistration_delay__timeout_seconds="300"),
            "load_balancer.target_group",
            "timeout_seconds '300', declared '15'",
        ),
    ],
    "prod": [
        Tamper(
            set_the_balancer_attribute("routing.http.drop_invalid_header_fields.enabled", "false"),
            "load_balancer.attributes",
            "routing.http.drop_invalid_header_fields.enabled 'false', declared 'true'",
        ),
        Tamper(
            set_the_balancer_attribute("idle_timeout.timeout_seconds", "300"),
            "load_balancer.attributes",
            "idle_timeout.timeout_seconds '300', declared '60'",
        ),
        Tamper(
            set_the_balancer_attribute("deletion_protection.enabled", "false"),
            "load_balancer.attributes",
            "deletion_protection.enabled 'false', declared 'true'",
        ),
        Tamper(
            set_the_balancer_attribute("access_logs.s3.prefix", "debug"),
            "load_balancer.attributes",
            "access_logs.s3.prefix 'debug', declared 'prod'",
        ),
        Tamper(
            set_the_balancer_attribute("access_logs.s3.bucket", "someone-elses-logs"),
            "load_balancer.attributes",
            "access_logs.s3.bucket 'someone-elses-logs', declared 'shop-alb-logs-eu-west-1'",
        ),
        Tamper(
            set_the_balancer_attribute("access_logs.s3.enabled", "false"),
            "load_balancer.attributes",
            "access_logs.s3.enabled 'false', declared 'true'",
        ),
        Tamper(
            set_the_target_group_attributes(load_balancing__algorithm__type="round_robin"),
            "load_balancer.target_group",
            "load_balancing.algorithm.type 'round_robin', declared 'least_outstanding_requests'",
        ),
        Tamper(
            set_the_target_group_attributes(stickiness__enabled="true"),
            "load_balancer.target_group",
            "stickiness.enabled 'true', declared 'false'",
        ),
        Tamper(
            set_the_target_group_attributes(stickiness__type="app_cookie", stickiness__app_cookie__cookie_name="sid"),
            "load_balancer.target_group",
            "stickiness.type 'app_cookie', declared 'lb_cookie'",
        ),
        Tamper(deregister_a_target, "load_balancer.targets", "is not registered"),
        Tamper(stop_a_node, "load_balancer.targets", "is unused (Target is in the stopped state)"),
        Tamper(downgrade_the_tls_policy, "load_balancer.listeners", "[ELBSecurityPolicy-2016-08, arn:"),
        Tamper(swap_the_certificate, "load_balancer.listeners", f"ELBSecurityPolicy-2016-08, {OTHER_CERTIFICATE}]"),
        Tamper(forward_to_another_target_group, "load_balancer.listeners", "HTTPS:443 forward to debug-targets ["),
        Tamper(
            make_the_redirect_temporary,
            "load_balancer.listeners",
            "HTTP:80 redirect to HTTPS:443 HTTP_302, declared",
        ),
        Tamper(
            remove_the_http_listener,
            "load_balancer.listeners",
            "missing HTTP:80 redirect to HTTPS:443 HTTP_301",
        ),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_load_balancer_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
