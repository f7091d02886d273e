"""The request-count label, from ARNs as AWS writes them."""

from __future__ import annotations

from components.plans.scaling import arn_suffix, request_count_label

BALANCER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-lb-alb-4edc858/32f9f6a8f34ffc28"
NETWORK_BALANCER = (
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/shop-lb-nlb-1a2b3c4/5d6e7f8091a2b3c4"
)
TARGETS = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-lb-targets-b4986a1/03f77d614faf45c2"


def test_the_suffixes_are_what_cloudwatch_names_a_load_balancer_and_target_group_by():
    assert arn_suffix(BALANCER) == "app/shop-lb-alb-4edc858/32f9f6a8f34ffc28"
    assert arn_suffix(NETWORK_BALANCER) == "net/shop-lb-nlb-1a2b3c4/5d6e7f8091a2b3c4"
    assert arn_suffix(TARGETS) == "targetgroup/shop-lb-targets-b4986a1/03f77d614faf45c2"


def test_the_request_count_label_is_the_load_balancer_then_the_target_group():
    assert request_count_label(arn_suffix(BALANCER), arn_suffix(TARGETS)) == (
        "app/shop-lb-alb-4edc858/32f9f6a8f34ffc28/targetgroup/shop-lb-targets-b4986a1/03f77d614faf45c2"
    )
