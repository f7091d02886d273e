"""tools/verifier/checks/load_balancer.py: the load balancer's attributes and the target group's
algorithm and stickiness; each tamper fails its check and no other (on the shared prod walk)."""

from __future__ import annotations

from tests.support.stacks import Applied
from tests.support.verify import SHARES_DRIFTING_PROD, Change, walk_tampers

pytestmark = SHARES_DRIFTING_PROD


def set_the_balancer_attribute(key: str, value: str) -> Change:
    """ModifyLoadBalancerAttributes on prod's load balancer, one attribute."""

    def tamper(env: Applied) -> None:
        elbv2 = env.client("elbv2")
        [balancer] = elbv2.describe_load_balancers()["LoadBalancers"]
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=balancer["LoadBalancerArn"], Attributes=[{"Key": key, "Value": value}]
        )

    tamper.__name__ = f"set_{key}_to_{value}"
    return tamper


def set_the_target_group_attributes(**attributes: str) -> Change:
    """ModifyTargetGroupAttributes on prod's target group (keys with their dots as underscores)."""

    def tamper(env: Applied) -> None:
        env.client("elbv2").modify_target_group_attributes(
            TargetGroupArn=env.outputs["targetGroupArn"],
            Attributes=[{"Key": key.replace("__", "."), "Value": value} for key, value in attributes.items()],
        )

    tamper.__name__ = "set_" + "_and_".join(attributes)
    return tamper


TAMPERS = [
    # (tamper, the check that must fail, what its detail must name): prod's declared values, by hand
    (
        set_the_balancer_attribute("routing.http.drop_invalid_header_fields.enabled", "false"),
        "load_balancer.attributes",
        "routing.http.drop_invalid_header_fields.enabled 'false', declared 'true'",
    ),
    (
        set_the_balancer_attribute("idle_timeout.timeout_seconds", "300"),
        "load_balancer.attributes",
        "idle_timeout.timeout_seconds '300', declared '60'",
    ),
    (
        set_the_balancer_attribute("deletion_protection.enabled", "false"),
        "load_balancer.attributes",
        "deletion_protection.enabled 'false', declared 'true'",
    ),
    (
        set_the_balancer_attribute("access_logs.s3.prefix", "debug"),
        "load_balancer.attributes",
        "access_logs.s3.prefix 'debug', declared 'prod'",
    ),
    (
        set_the_balancer_attribute("access_logs.s3.bucket", "someone-elses-logs"),
        "load_balancer.attributes",
        "access_logs.s3.bucket 'someone-elses-logs', declared 'shop-alb-logs-eu-west-1'",
    ),
    (
        set_the_balancer_attribute("access_logs.s3.enabled", "false"),
        "load_balancer.attributes",
        "access_logs.s3.enabled 'false', declared 'true'",
    ),
    (
        set_the_target_group_attributes(load_balancing__algorithm__type="round_robin"),
        "load_balancer.target_group",
        "load_balancing.algorithm.type 'round_robin', declared 'least_outstanding_requests'",
    ),
    (
        set_the_target_group_attributes(stickiness__enabled="true"),
        "load_balancer.target_group",
        "stickiness.enabled 'true', declared 'false'",
    ),
    (
        set_the_target_group_attributes(stickiness__type="app_cookie", stickiness__app_cookie__cookie_name="sid"),
        "load_balancer.target_group",
        "stickiness.type 'app_cookie', declared 'lb_cookie'",
    ),
]


def test_each_load_balancer_tamper_fails_its_check_and_no_other(drifting_prod: Applied, verify_reusing_clients: None):
    walk_tampers(drifting_prod, "prod", TAMPERS)
