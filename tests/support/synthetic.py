"""A small compliant cluster as a `tools.preview --format json` document, to break one rule at a time.

`cluster()` has what the stack builds, reduced to the resources the rules read: a node
and a load balancer security group with their rules, a launch template, an ALB behind a
web ACL with an HTTPS and a redirecting HTTP listener, a target group, a production group with a
scaling policy, an alarm, the cookie parameter and the node role's policy.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tools.policy_check import Violation, check

STACK = "test"
NODE_SG, LB_SG = "sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef"
TG_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/0123456789abcdef"
GROUP = "shop-nodes-group-1234567"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:shop-alarms"
WEB_ACL_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-prod/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
PROD_TAGS = {"Environment": "prod", "elixir-cluster:cluster": "shop-prod", "ManagedBy": "pulumi"}
SAFE_USER_DATA = """#cloud-config
write_files:
- path: /usr/local/libexec/shop/fetch-cookie
  content: |
    cookie=$(aws ssm get-parameter --name /shop/prod/release-cookie --with-decryption)
    printf "RELEASE_COOKIE='%s'\\n" "${cookie}" > /run/shop/cookie.env
"""


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::elixir-cluster::{type_}::{name}"


def resource(
    type_: str, name: str, inputs: dict[str, Any], id_: str | None = None, /, **outputs: Any
) -> dict[str, Any]:
    """One record; its outputs are its inputs plus `outputs`, as the provider returns them."""
    return {
        "urn": urn(type_, name),
        "type": type_,
        "name": name,
        "parent": None,
        "id": id_ or name,
        "inputs": inputs,
        "outputs": {**inputs, **outputs},
    }


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def ingress(name: str, group: str, port: int, last: int | None = None, **source: str) -> dict[str, Any]:
    inputs = {"securityGroupId": group, "ipProtocol": "tcp", "fromPort": port, "toPort": last or port, **source}
    return resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, inputs, f"sgr-{name}")


def cluster() -> dict[str, Any]:
    """A compliant production cluster."""
    return {
        "stack": STACK,
        "outputs": {},
        "resources": [
            resource("aws:ec2/securityGroup:SecurityGroup", "nodes", {"vpcId": "vpc-1", "tags": PROD_TAGS}, NODE_SG),
            resource("aws:ec2/securityGroup:SecurityGroup", "lb", {"vpcId": "vpc-1", "tags": PROD_TAGS}, LB_SG),
            ingress("nodes-epmd-from-nodes", NODE_SG, 4369, referencedSecurityGroupId=NODE_SG),
            ingress("nodes-distribution-from-nodes", NODE_SG, 9100, 9155, referencedSecurityGroupId=NODE_SG),
            ingress("nodes-app-from-lb", NODE_SG, 4000, referencedSecurityGroupId=LB_SG),
            ingress("lb-443-from-world", LB_SG, 443, cidrIpv4="0.0.0.0/0"),
            ingress("lb-80-from-world", LB_SG, 80, cidrIpv4="0.0.0.0/0"),
            resource(
                "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                "nodes-out",
                {"securityGroupId": NODE_SG, "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
                "sgr-nodes-out",
            ),
            resource(
                "aws:ec2/launchTemplate:LaunchTemplate",
                "template",
                {
                    "vpcSecurityGroupIds": [NODE_SG],
                    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"},
                    "blockDeviceMappings": [
                        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20, "volumeType": "gp3", "encrypted": "true"}}
                    ],
                    "userData": encoded(SAFE_USER_DATA),
                    "tags": PROD_TAGS,
                },
                "lt-0123456789abcdef0",
            ),
            resource(
                "aws:lb/loadBalancer:LoadBalancer",
                "alb",
                {
                    "loadBalancerType": "application",
                    "securityGroups": [LB_SG],
                    "subnets": ["subnet-a", "subnet-b"],
                    "dropInvalidHeaderFields": True,
                    "enableDeletionProtection": True,
                    "accessLogs": {"enabled": True, "bucket": "shop-alb-logs", "prefix": "prod"},
                    "tags": PROD_TAGS,
                },
                LB_ARN,
                arn=LB_ARN,
            ),
            resource(
                "aws:wafv2/webAclAssociation:WebAclAssociation",
                "waf",
                {"resourceArn": LB_ARN, "webAclArn": WEB_ACL_ARN},
                f"{WEB_ACL_ARN},{LB_ARN}",
            ),
            resource(
                "aws:lb/targetGroup:TargetGroup",
                "targets",
                {
                    "port": 4000,
                    "protocol": "HTTP",
                    "targetType": "instance",
                    "healthCheck": {"enabled": True, "path": "/health", "interval": 10, "timeout": 5},
                    "tags": PROD_TAGS,
                },
                TG_ARN,
                arn=TG_ARN,
            ),
            resource(
                "aws:lb/listener:Listener",
                "https",
                {
                    "loadBalancerArn": LB_ARN,
                    "protocol": "HTTPS",
                    "port": 443,
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
                },
            ),
            resource(
                "aws:lb/listener:Listener",
                "http",
                {
                    "loadBalancerArn": LB_ARN,
                    "protocol": "HTTP",
                    "port": 80,
                    "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}],
                },
            ),
            resource(
                "aws:autoscaling/group:Group",
                "group",
                {
                    "minSize": 3,
                    "maxSize": 12,
                    "desiredCapacity": 3,
                    "vpcZoneIdentifiers": ["subnet-c", "subnet-d", "subnet-e"],
                    "targetGroupArns": [TG_ARN],
                    "healthCheckType": "ELB",
                    "healthCheckGracePeriod": 120,
                    "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in PROD_TAGS.items()],
                },
                GROUP,
                name=GROUP,
            ),
            resource(
                "aws:autoscaling/policy:Policy",
                "cpu",
                {"autoscalingGroupName": GROUP, "policyType": "TargetTrackingScaling"},
            ),
            resource(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "unhealthy-hosts",
                {"alarmActions": [TOPIC_ARN], "okActions": [TOPIC_ARN], "evaluationPeriods": 2},
            ),
            resource(
                "aws:ssm/parameter:Parameter",
                "cookie",
                {"name": "/shop/prod/release-cookie", "type": "SecureString", "value": "[secret]"},
            ),
            resource(
                "aws:iam/rolePolicy:RolePolicy",
                "boot",
                {
                    "role": "shop-nodes-role",
                    "policy": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Sid": "DiscoverClusterNodes",
                                    "Effect": "Allow",
                                    "Action": ["ec2:DescribeInstances", "ec2:DescribeTags"],
                                    "Resource": "*",
                                },
                                {
                                    "Sid": "ReadReleaseCookie",
                                    "Effect": "Allow",
                                    "Action": "ssm:GetParameter",
                                    "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/release-cookie",
                                },
                            ],
                        }
                    ),
                },
            ),
        ],
    }


def named(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in document["resources"] if r["name"] == name)


def change(document: dict[str, Any], name: str, **values: Any) -> dict[str, Any]:
    """Set input properties of `name` (and its outputs, as the provider would report them); None removes one."""
    record = named(document, name)
    for part in ("inputs", "outputs"):
        for key, value in values.items():
            if value is None:
                record[part].pop(key, None)
            else:
                record[part][key] = value
    return document


def add(document: dict[str, Any], *records: dict[str, Any]) -> dict[str, Any]:
    document["resources"].extend(records)
    return document


def remove(document: dict[str, Any], name: str) -> dict[str, Any]:
    document["resources"] = [r for r in document["resources"] if r["name"] != name]
    return document


def findings(document: dict[str, Any], rule: str, config: dict[str, Any] | None = None) -> list[Violation]:
    """The violations of `rule`, run the way `python -m tools.policy_check` runs it."""
    found = check(document, config, only=rule)
    assert all(v.policy == rule for v in found)
    return found
