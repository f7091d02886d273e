"""When the provider replaces a resource instead of updating it: the ForceNew facts of every type
the emulator covers, from the Terraform provider pulumi-aws bridges (terraform-provider-aws, and
terraform-provider-random for pulumi-random), one entry per type with the file that holds its schema.

Each entry lists, in Pulumi's wire names, the properties whose change forces a replacement
(`ForceNew: true` in an SDKv2 schema, `RequiresReplace()` in a framework one), the rules the
provider decides at diff time (CustomizeDiff, ModifyPlan), and the property Pulumi auto-names
(pulumi-terraform-bridge's SetAutonaming names every string input called `name`, pkg/tfbridge/
info.go; given explicitly, a replacement deletes before it creates, schema.go's
nameRequiresDeleteBeforeReplace). pulumi-aws passes Terraform's attribute names through in
camelCase (`cidr_block` -> `cidrBlock`); where it renames one the entry says so (`renames`).

Read at these commits of hashicorp/terraform-provider-aws (the others from the same tree's files,
named per entry): autoscaling/group.go 00a919d1, autoscaling/lifecycle_hook.go 00a35305,
autoscaling/policy.go 007ce0a8,
ec2/ec2_launch_template.go 025e4f81, ec2/vpc_.go 00081ce4, ec2/vpc_subnet.go 00cda125,
ec2/vpc_security_group.go 01606926, ec2/vpc_security_group_ingress_rule.go 00a32209,
elbv2/load_balancer.go 00edc94b, elbv2/target_group.go 013cfb4c, elbv2/listener.go 01c08000,
cloudwatch/metric_alarm.go 055611a6, ssm/parameter.go 0073593e.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import ForceNew, Rule, force_new

AWS = "terraform-provider-aws internal/service/"
RANDOM = "terraform-provider-random internal/provider/"

NETWORK = "network"
ADVANCED, STANDARD = "Advanced", "Standard"
RULE_SOURCES = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
"""A security group rule's source: exactly one is set, and the provider cannot change which."""


def _nlb_subnets_not_only_added(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """customizeDiffLoadBalancerNLB: a network load balancer's subnets change in place only by growing."""
    if new.get("loadBalancerType") != NETWORK or old.get("subnets") == new.get("subnets"):
        return False
    return len(new.get("subnets") or []) <= len(old.get("subnets") or [])


def _nlb_security_groups_all_or_none(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """customizeDiffLoadBalancerNLB: an NLB gains its first security group or loses its last only by replacement."""
    if new.get("loadBalancerType") != NETWORK:
        return False
    return bool(old.get("securityGroups")) != bool(new.get("securityGroups"))


def _rule_source_kind(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """ModifyPlan: 'When you modify a rule, you cannot change the rule's source type.'"""
    return [k for k in RULE_SOURCES if old.get(k)] != [k for k in RULE_SOURCES if new.get(k)]


def _subnet_ipv6_reassigned(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """ForceNewIf(ipv6_cidr_block): a subnet created assigning IPv6 on creation cannot change its block."""
    return old.get("ipv6CidrBlock") != new.get("ipv6CidrBlock") and bool(old.get("assignIpv6AddressOnCreation"))


def _parameter_tier_down(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """ForceNewIfChange(tier): AWS cannot move a parameter from the advanced tier to the standard one."""
    return old.get("tier") == ADVANCED and new.get("tier") == STANDARD


SECURITY_GROUP_RULE = ForceNew(
    AWS + "ec2/vpc_security_group_ingress_rule.go",
    ("securityGroupId",),
    (Rule("referencedSecurityGroupId", "the rule's source changes kind", _rule_source_kind),),
    autonamed=None,
)

TABLE: dict[str, ForceNew] = {
    # --- EC2 and VPC ---
    "aws:ec2/vpc:Vpc": ForceNew(
        AWS + "ec2/vpc_.go", ("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"), autonamed=None
    ),
    "aws:ec2/subnet:Subnet": ForceNew(
        AWS + "ec2/vpc_subnet.go",
        (
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
            "vpcId",
        ),
        (Rule("ipv6CidrBlock", "assigned on creation", _subnet_ipv6_reassigned),),
        autonamed=None,
    ),
    "aws:ec2/internetGateway:InternetGateway": ForceNew(AWS + "ec2/vpc_internet_gateway.go", (), autonamed=None),
    "aws:ec2/eip:Eip": ForceNew(
        AWS + "ec2/ec2_eip.go",
        ("address", "customerOwnedIpv4Pool", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"),
        autonamed=None,
    ),
    "aws:ec2/natGateway:NatGateway": ForceNew(
        AWS + "ec2/vpc_nat_gateway.go", ("allocationId", "connectivityType", "privateIp", "subnetId"), autonamed=None
    ),
    "aws:ec2/routeTable:RouteTable": ForceNew(AWS + "ec2/vpc_route_table.go", ("vpcId",), autonamed=None),
    "aws:ec2/route:Route": ForceNew(
        AWS + "ec2/vpc_route.go",
        ("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", "routeTableId"),
        autonamed=None,
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ForceNew(
        AWS + "ec2/vpc_route_table_association.go", ("gatewayId", "subnetId"), autonamed=None
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ForceNew(
        AWS + "ec2/vpc_endpoint.go",
        ("serviceName", "vpcEndpointType", "vpcId"),
        autonamed=None,
        sets=("routeTableIds", "securityGroupIds", "subnetIds"),
    ),
    "aws:ec2/securityGroup:SecurityGroup": ForceNew(
        AWS + "ec2/vpc_security_group.go", ("description", "name", "namePrefix", "vpcId"), sets=("egress", "ingress")
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ForceNew(
        AWS + "ec2/vpc_default_security_group.go", ("vpcId",), autonamed=None, sets=("egress", "ingress")
    ),
    "aws:ec2/flowLog:FlowLog": ForceNew(
        AWS + "ec2/vpc_flow_log.go",
        (
            "deliverCrossAccountRole",
            "destinationOptions",
            "eniId",
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "logFormat",
            "maxAggregationInterval",
            "subnetId",
            "trafficType",
            "transitGatewayAttachmentId",
            "transitGatewayId",
            "vpcId",
        ),
        autonamed=None,
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ForceNew(
        AWS + "ec2/ec2_launch_template.go", ("name", "namePrefix"), sets=("securityGroupNames", "vpcSecurityGroupIds")
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": SECURITY_GROUP_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ForceNew(
        AWS + "ec2/vpc_security_group_egress_rule.go", SECURITY_GROUP_RULE.properties, SECURITY_GROUP_RULE.rules, None
    ),
    # --- Auto Scaling ---
    "aws:autoscaling/group:Group": ForceNew(
        AWS + "autoscaling/group.go",
        ("initialLifecycleHooks", "name", "namePrefix"),
        renames={
            "initialLifecycleHooks": "initial_lifecycle_hook",
            "tags": "tag",
            "vpcZoneIdentifiers": "vpc_zone_identifier",
        },
        sets=("enabledMetrics", "loadBalancers", "suspendedProcesses", "tags", "targetGroupArns", "vpcZoneIdentifiers"),
    ),
    "aws:autoscaling/lifecycleHook:LifecycleHook": ForceNew(AWS + "autoscaling/lifecycle_hook.go", ("name",)),
    "aws:autoscaling/policy:Policy": ForceNew(
        AWS + "autoscaling/policy.go", ("autoscalingGroupName", "name"), sets=("stepAdjustments",)
    ),
    "aws:autoscaling/schedule:Schedule": ForceNew(
        AWS + "autoscaling/schedule.go", ("autoscalingGroupName", "scheduledActionName"), autonamed=None
    ),
    # --- CloudWatch and CloudWatch Logs ---
    "aws:cloudwatch/metricAlarm:MetricAlarm": ForceNew(
        AWS + "cloudwatch/metric_alarm.go",
        ("name",),
        renames={"name": "alarm_name"},
        sets=("alarmActions", "insufficientDataActions", "metricQueries", "okActions"),
    ),
    "aws:cloudwatch/dashboard:Dashboard": ForceNew(AWS + "cloudwatch/dashboard.go", ("dashboardName",), autonamed=None),
    "aws:cloudwatch/logGroup:LogGroup": ForceNew(AWS + "logs/group.go", ("logGroupClass", "name", "namePrefix")),
    # --- IAM and KMS ---
    "aws:iam/role:Role": ForceNew(AWS + "iam/role.go", ("name", "namePrefix", "path")),
    "aws:iam/rolePolicy:RolePolicy": ForceNew(AWS + "iam/role_policy.go", ("name", "namePrefix", "role")),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ForceNew(
        AWS + "iam/role_policy_attachment.go", ("policyArn", "role"), autonamed=None
    ),
    "aws:iam/instanceProfile:InstanceProfile": ForceNew(
        AWS + "iam/instance_profile.go", ("name", "namePrefix", "path")
    ),
    "aws:kms/key:Key": ForceNew(
        AWS + "kms/key.go",
        ("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"),
        autonamed=None,
    ),
    "aws:kms/alias:Alias": ForceNew(AWS + "kms/alias.go", ("name", "namePrefix")),
    # --- Elastic Load Balancing ---
    "aws:lb/loadBalancer:LoadBalancer": ForceNew(
        AWS + "elbv2/load_balancer.go",
        ("customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"),
        (
            Rule("subnets", "a network load balancer's subnets only grow in place", _nlb_subnets_not_only_added),
            Rule("securityGroups", "a network load balancer keeps some or none", _nlb_security_groups_all_or_none),
        ),
        sets=("securityGroups", "subnets"),
    ),
    "aws:lb/targetGroup:TargetGroup": ForceNew(
        AWS + "elbv2/target_group.go",
        ("ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"),
    ),
    "aws:lb/listener:Listener": ForceNew(AWS + "elbv2/listener.go", ("loadBalancerArn",), autonamed=None),
    # --- SNS, SSM ---
    "aws:sns/topic:Topic": ForceNew(AWS + "sns/topic.go", ("fifoTopic", "name", "namePrefix")),
    "aws:sns/topicSubscription:TopicSubscription": ForceNew(
        AWS + "sns/topic_subscription.go",
        ("endpoint", "protocol", "topic"),
        autonamed=None,
        renames={"topic": "topic_arn"},
    ),
    "aws:ssm/parameter:Parameter": ForceNew(
        AWS + "ssm/parameter.go", ("dataType", "name"), (Rule("tier", "advanced to standard", _parameter_tier_down),)
    ),
    # --- Cloud Map ---
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": ForceNew(
        AWS + "servicediscovery/private_dns_namespace.go", ("description", "name", "vpc")
    ),
    "aws:servicediscovery/service:Service": ForceNew(
        AWS + "servicediscovery/service.go",
        ("dnsConfig.namespaceId", "dnsConfig.routingPolicy", "healthCheckCustomConfig", "name", "namespaceId", "type"),
    ),
    # --- WAF ---
    "aws:wafv2/webAcl:WebAcl": ForceNew(AWS + "wafv2/web_acl.go", ("name", "namePrefix", "scope")),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ForceNew(
        AWS + "wafv2/web_acl_association.go", ("resourceArn", "webAclArn"), autonamed=None
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ForceNew(
        AWS + "wafv2/web_acl_logging_configuration.go",
        ("resourceArn",),
        autonamed=None,
        sets=("logDestinationConfigs",),
    ),
    # --- pulumi-random: every input replaces ---
    "random:index/randomPassword:RandomPassword": ForceNew(
        RANDOM + "resource_password.go",
        (
            "keepers",
            "length",
            "lower",
            "minLower",
            "minNumeric",
            "minSpecial",
            "minUpper",
            "number",
            "numeric",
            "overrideSpecial",
            "special",
            "upper",
        ),
        autonamed=None,
    ),
    "random:index/randomId:RandomId": ForceNew(
        RANDOM + "resource_id.go", ("byteLength", "keepers", "prefix"), autonamed=None
    ),
}

for _token, _facts in TABLE.items():
    force_new(_token, _facts)
