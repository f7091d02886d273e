"""tools.verify: a deployed environment checked against its stack, read-only.

Each shipped stack, applied by the emulator, verifies clean; then each tamper an operator
might make by hand (through the same boto3 calls the console or the aws CLI makes) is
reported as a fail by the check that owns it, and by that check alone, with exit 4.

Most tests call `verify.main` in-process against the in-process moto the emulator runs, as the
caller of the stack's account; the clean and read-only checks read the session's shared stacks,
and the tampers of one stack walk one deployment of their own. Each stack is also applied into
this project's moto server and verified through it; `TestAgainstAMotoServer` runs the real
command line against that server.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.exceptions
import pytest

from components.plans import names
from tests.support.fragments import CERTIFICATE, EXISTING_NETWORK, EXISTING_WEB_ACL, SQS_BACKLOG
from tests.support.stacks import Applied, Deploy, ShippedStacks, write_variant
from tests.support.verify import ALARM_INPUTS, failing, reuse_verify_clients, run_verify, verdicts, walk_tampers
from tools import verify
from tools.emulated_stack import emulated
from tools.emulator import acm, fresh_account_id
from tools.emulator import server as moto_server_of_this_project
from tools.stack_files import PROJECT_DIR, stack_file, stack_names
from tools.verifier.report import Progress

# --- running verify (tests/support/verify.py) -------------------------------------------


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# --- each stack verifies clean ----------------------------------------------------------------


@pytest.mark.parametrize("stack", stack_names())
def test_a_freshly_applied_stack_verifies_clean(shipped: ShippedStacks, stack: str) -> None:
    env = shipped(stack)
    code, document, _ = run_verify(env, "--stack", stack, "--format", "json")
    assert failing(document) == {}
    assert code == verify.EXIT_OK
    assert document["environment"] == env.settings.qualified_name
    areas = {check.split(".")[0] for check in verdicts(document)}
    assert areas == {
        "group",
        "load_balancer",
        "security",
        "launch_template",
        "cookie",
        "scaling",
        "lifecycle",
        "monitoring",
        "network",
        "encryption",
    }


VARIANTS = {
    "network-tls": (
        "dev",
        {
            "elixir-cluster:loadBalancer": {
                "type": "network",
                "certificateArn": CERTIFICATE,
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
            }
        },
    ),
    # the launch template is then named inside the mixed instances policy; the nodes carry an
    # extra group that is not the stack's (its rules are not checked, nor mistaken for the nodes')
    "spot-extra-group": (
        "prod",
        {
            "elixir-cluster:nodes": {
                "instanceTypes": ["c7g.large", "c6g.large"],
                "spot": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 50},
                "extraSecurityGroupIds": ["sg-0123456789abcdef0"],
            }
        },
    ),
    "dns-discovery": ("dev", {"elixir-cluster:release": {"discovery": "dns"}}),
    # a step alarm on a metric the cluster does not publish per group: no group dimension expected
    "queue-backlog-step": ("dev", {"elixir-cluster:scaling": {"step": [SQS_BACKLOG]}}),
    # the load balancer behind a web ACL the stack does not own: only the association is checked
    "existing-web-acl": (
        "prod",
        {"elixir-cluster:loadBalancer": {"waf": {"webAclArn": EXISTING_WEB_ACL, "managedRuleGroups": None}}},
    ),
    # flow logs on an adopted VPC (whose default group is its owner's), and to an S3 folder
    "existing-vpc-flow-logs": ("dev", {"elixir-cluster:network": {**EXISTING_NETWORK, "flowLogs": {"enabled": True}}}),
    "flow-logs-to-s3": (
        "prod",
        {"elixir-cluster:network": {"flowLogs": {"destination": "arn:aws:s3:::shop-flow-logs/prod/"}}},
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_verify_clean(deploy: Deploy, variant: str, tmp_path: Path) -> None:
    base, changes = VARIANTS[variant]
    env = deploy(base, changes)
    path = write_variant(tmp_path, base, "variant", changes)
    code, document, _ = run_verify(env, "--config", str(path), "--format", "json")
    assert failing(document) == {}
    assert code == verify.EXIT_OK


def test_prod_checks_every_declared_policy_schedule_and_alarm_by_name(prod: Applied) -> None:
    env = prod
    _, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    checks = verdicts(document)
    details = " ".join(c["detail"] for c in checks.values())
    for name in [
        *names.scaling_policy_names(env.settings),
        *names.step_alarm_names(env.settings),
        *names.health_alarm_names(env.settings),
    ]:
        assert name.removeprefix(f"{env.settings.qualified_name}-") in details, name
    assert checks["scaling.schedules"]["detail"] == "2 scheduled actions as declared"
    assert checks["security.nodes"]["status"] == "pass"


def test_verify_makes_only_read_calls(prod: Applied, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    code, _, _ = run_verify(prod, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_OK
    assert calls, "verify made no AWS calls at all"
    assert {c for c in calls if not c.startswith(("Describe", "Get", "List"))} == set()
    assert "GetParameter" not in calls, "the cookie's value is none of verify's business"


# --- tampers: each reported by the right check, and by it alone -------------------------------


def open_epmd_to_the_world(env: Applied) -> None:
    epmd = env.settings.release.distribution.epmd_port
    env.client("ec2").authorize_security_group_ingress(
        GroupId=env.outputs["nodeSecurityGroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": epmd, "ToPort": epmd, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def change_min_size(env: Applied) -> None:
    env.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], MinSize=env.settings.nodes.max_size
    )


def deregister_a_target(env: Applied) -> None:
    group = env.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[env.outputs["autoScalingGroupName"]]
    )["AutoScalingGroups"][0]
    env.client("elbv2").deregister_targets(
        TargetGroupArn=env.outputs["targetGroupArn"], Targets=[{"Id": group["Instances"][0]["InstanceId"]}]
    )


def make_imds_optional(env: Applied) -> None:
    """As a human would: a new version from the current one, with IMDSv1 allowed, made the default."""
    ec2 = env.client("ec2")
    template = ec2.describe_launch_templates()["LaunchTemplates"][0]
    current = ec2.describe_launch_template_versions(
        LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Latest"]
    )["LaunchTemplateVersions"][0]
    data = current["LaunchTemplateData"]
    data["MetadataOptions"] = {**data.get("MetadataOptions", {}), "HttpTokens": "optional"}
    version = ec2.create_launch_template_version(
        LaunchTemplateId=template["LaunchTemplateId"], LaunchTemplateData=data
    )["LaunchTemplateVersion"]["VersionNumber"]
    ec2.modify_launch_template(LaunchTemplateId=template["LaunchTemplateId"], DefaultVersion=str(version))


def delete_a_scaling_policy(env: Applied) -> None:
    name = names.target_tracking_policy_name(env.settings, env.settings.scaling.target_tracking[0])
    env.client("autoscaling").delete_policy(AutoScalingGroupName=env.outputs["autoScalingGroupName"], PolicyName=name)


def replace_the_cookie_by_a_plain_string(env: Applied) -> None:
    ssm = env.client("ssm")
    name = env.outputs["cookieParameterName"]
    ssm.delete_parameter(Name=name)
    ssm.put_parameter(Name=name, Type="String", Value="not-so-secret-cookie")


def add_a_listener(env: Applied) -> None:
    elbv2 = env.client("elbv2")
    balancer = elbv2.describe_target_groups(TargetGroupArns=[env.outputs["targetGroupArn"]])["TargetGroups"][0][
        "LoadBalancerArns"
    ][0]
    elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": env.outputs["targetGroupArn"]}],
    )


def downgrade_the_tls_policy(env: Applied) -> None:
    elbv2 = env.client("elbv2")
    group = elbv2.describe_target_groups(TargetGroupArns=[env.outputs["targetGroupArn"]])["TargetGroups"][0]
    for listener in elbv2.describe_listeners(LoadBalancerArn=group["LoadBalancerArns"][0])["Listeners"]:
        if listener["Protocol"] == "HTTPS":
            elbv2.modify_listener(ListenerArn=listener["ListenerArn"], SslPolicy="ELBSecurityPolicy-2016-08")


def change_the_health_check_path(env: Applied) -> None:
    env.client("elbv2").modify_target_group(TargetGroupArn=env.outputs["targetGroupArn"], HealthCheckPath="/")


def lengthen_the_deregistration_delay(env: Applied) -> None:
    env.client("elbv2").modify_target_group_attributes(
        TargetGroupArn=env.outputs["targetGroupArn"],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}],
    )


def delete_the_step_alarm(env: Applied) -> None:
    env.client("cloudwatch").delete_alarms(
        AlarmNames=[names.step_alarm_name(env.settings, env.settings.scaling.step[0])]
    )


def point_the_step_alarm_at_another_group(env: Applied) -> None:
    cloudwatch = env.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=[names.step_alarm_name(env.settings, env.settings.scaling.step[0])])
    kept = {key: value for key, value in alarm["MetricAlarms"][0].items() if key in ALARM_INPUTS}
    cloudwatch.put_metric_alarm(**{**kept, "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "old-nodes"}]})


def delete_a_health_alarm(env: Applied) -> None:
    env.client("cloudwatch").delete_alarms(AlarmNames=[names.health_alarm_name(env.settings, "unhealthy-hosts")])


def silence_a_health_alarm(env: Applied) -> None:
    env.client("cloudwatch").disable_alarm_actions(AlarmNames=[names.health_alarm_name(env.settings, "p99-latency")])


def drop_an_alarms_all_clear(env: Applied) -> None:
    """Re-put the alarm as it is, without its OK action."""
    cloudwatch = env.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=[names.health_alarm_name(env.settings, "healthy-hosts-below-min")])
    kept = {key: value for key, value in alarm["MetricAlarms"][0].items() if key in ALARM_INPUTS}
    cloudwatch.put_metric_alarm(**{**kept, "OKActions": []})


def silence_the_step_alarm(env: Applied) -> None:
    env.client("cloudwatch").disable_alarm_actions(
        AlarmNames=[names.step_alarm_name(env.settings, env.settings.scaling.step[0])]
    )


def remove_the_lifecycle_hook(env: Applied) -> None:
    env.client("autoscaling").delete_lifecycle_hook(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], LifecycleHookName="release-drain"
    )


def add_an_egress_to_the_load_balancer(env: Applied) -> None:
    env.client("ec2").authorize_security_group_egress(
        GroupId=env.outputs["loadBalancerSecurityGroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )


def revoke_the_distribution_range(env: Applied) -> None:
    ec2 = env.client("ec2")
    group = env.outputs["nodeSecurityGroupId"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    first = env.settings.release.distribution.port_range.from_
    rule = next(r for r in rules if not r["IsEgress"] and r.get("FromPort") == first)
    ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])


def add_a_scaling_policy_by_hand(env: Applied) -> None:
    env.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        PolicyName="debug-scale-out",
        PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=5,
    )


def delete_a_schedule(env: Applied) -> None:
    env.client("autoscaling").delete_scheduled_action(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        ScheduledActionName=names.scheduled_action_name(env.settings, env.settings.scaling.schedules[0]),
    )


def detach_the_target_group(env: Applied) -> None:
    env.client("autoscaling").detach_load_balancer_target_groups(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], TargetGroupARNs=[env.outputs["targetGroupArn"]]
    )


def disassociate_the_web_acl(env: Applied) -> None:
    balancer = env.client("elbv2").describe_target_groups(TargetGroupArns=[env.outputs["targetGroupArn"]])[
        "TargetGroups"
    ][0]["LoadBalancerArns"][0]
    env.client("wafv2").disassociate_web_acl(ResourceArn=balancer)


def drop_the_rate_limit_rule(env: Applied) -> None:
    """As a human would in the console: the web ACL updated without its rate-based rule."""
    wafv2 = env.client("wafv2")
    summary = wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"][0]
    acl = wafv2.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
    web_acl = acl["WebACL"]
    wafv2.update_web_acl(
        Name=web_acl["Name"],
        Scope="REGIONAL",
        Id=web_acl["Id"],
        DefaultAction=web_acl["DefaultAction"],
        Rules=[r for r in web_acl["Rules"] if "RateBasedStatement" not in r["Statement"]],
        VisibilityConfig=web_acl["VisibilityConfig"],
        LockToken=acl["LockToken"],
    )


def delete_the_flow_log(env: Applied) -> None:
    ec2 = env.client("ec2")
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [env.outputs["vpcId"]]}])
    ec2.delete_flow_logs(FlowLogIds=[f["FlowLogId"] for f in flow_logs["FlowLogs"]])


def shorten_the_flow_log_retention(env: Applied) -> None:
    env.client("logs").put_retention_policy(
        logGroupName=f"/elixir-cluster/{env.settings.qualified_name}/vpc-flow-logs", retentionInDays=1
    )


def open_ssh_on_the_default_security_group(env: Applied) -> None:
    ec2 = env.client("ec2")
    vpc = [{"Name": "vpc-id", "Values": [env.outputs["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=vpc)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def stop_rotating_the_cookie_key(env: Applied) -> None:
    ssm = env.client("ssm")
    name = env.outputs["cookieParameterName"]
    key = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]["KeyId"]
    env.client("kms").disable_key_rotation(KeyId=key)


def open_the_alert_key_to_every_account(env: Applied) -> None:
    key = env.client("sns").get_topic_attributes(TopicArn=env.outputs["alarmTopicArn"])["Attributes"]["KmsMasterKeyId"]
    kms = env.client("kms")
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))


# One function per tamper, named for what an operator did; a factory where the tampers differ in
# one field only. Each changes one thing a check compares, through the call a human would make.


def _group(env: Applied) -> dict[str, Any]:
    return env.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[env.outputs["autoScalingGroupName"]]
    )["AutoScalingGroups"][0]


def update_the_group(**change: Any) -> Callable[[Applied], None]:
    def tamper(env: Applied) -> None:
        env.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=env.outputs["autoScalingGroupName"], **change
        )

    tamper.__name__ = "update_the_group_" + "_".join(change)
    return tamper


def put_a_node_in_standby(env: Applied) -> None:
    """Fewer nodes in service than the minimum (moto allows what AWS refuses at the minimum, standing
    in for launches that fail)."""
    env.client("autoscaling").enter_standby(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        InstanceIds=[_group(env)["Instances"][0]["InstanceId"]],
        ShouldDecrementDesiredCapacity=True,
    )


def stop_a_node(env: Applied) -> None:
    """A node the group still counts in service, which the target group reports as stopped."""
    env.client("ec2").stop_instances(InstanceIds=[_group(env)["Instances"][-1]["InstanceId"]])


def change_the_metadata_options(**options: Any) -> Callable[[Applied], None]:
    """A new template version from the latest, these metadata options changed, made the default."""

    def tamper(env: Applied) -> None:
        ec2 = env.client("ec2")
        template = ec2.describe_launch_templates()["LaunchTemplates"][0]["LaunchTemplateId"]
        data = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=["$Latest"])[
            "LaunchTemplateVersions"
        ][0]["LaunchTemplateData"]
        data["MetadataOptions"] = {**data.get("MetadataOptions", {}), **options}
        version = ec2.create_launch_template_version(LaunchTemplateId=template, LaunchTemplateData=data)
        number = version["LaunchTemplateVersion"]["VersionNumber"]
        ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion=str(number))

    tamper.__name__ = "change_the_metadata_options_" + "_".join(options)
    return tamper


def change_the_drain_hook(**change: Any) -> Callable[[Applied], None]:
    """PutLifecycleHook with the hook as it is, one setting changed."""

    def tamper(env: Applied) -> None:
        autoscaling = env.client("autoscaling")
        group = env.outputs["autoScalingGroupName"]
        hook = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group)["LifecycleHooks"][0]
        kept = ("LifecycleHookName", "LifecycleTransition", "HeartbeatTimeout", "DefaultResult")
        autoscaling.put_lifecycle_hook(AutoScalingGroupName=group, **{**{k: hook[k] for k in kept}, **change})

    tamper.__name__ = "change_the_drain_hook_" + "_".join(change)
    return tamper


def modify_the_target_group(**change: Any) -> Callable[[Applied], None]:
    def tamper(env: Applied) -> None:
        env.client("elbv2").modify_target_group(TargetGroupArn=env.outputs["targetGroupArn"], **change)

    tamper.__name__ = "modify_the_target_group_" + "_".join(change)
    return tamper


def _listener(env: Applied, port: int) -> dict[str, Any]:
    elbv2 = env.client("elbv2")
    group = elbv2.describe_target_groups(TargetGroupArns=[env.outputs["targetGroupArn"]])["TargetGroups"][0]
    listeners = elbv2.describe_listeners(LoadBalancerArn=group["LoadBalancerArns"][0])["Listeners"]
    return next(listener for listener in listeners if listener["Port"] == port)


def make_the_redirect_temporary(env: Applied) -> None:
    listener = _listener(env, 80)
    action = listener["DefaultActions"][0]
    redirect = {**action["RedirectConfig"], "StatusCode": "HTTP_302"}
    env.client("elbv2").modify_listener(
        ListenerArn=listener["ListenerArn"], DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}]
    )


def remove_the_http_listener(env: Applied) -> None:
    env.client("elbv2").delete_listener(ListenerArn=_listener(env, 80)["ListenerArn"])


OTHER_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/99999999-8888-4777-8666-555555555555"


def swap_the_certificate(env: Applied) -> None:
    acm.provide_certificate(env.emulator.session, OTHER_CERTIFICATE)  # someone's other certificate
    env.client("elbv2").modify_listener(
        ListenerArn=_listener(env, 443)["ListenerArn"], Certificates=[{"CertificateArn": OTHER_CERTIFICATE}]
    )


def forward_to_another_target_group(env: Applied) -> None:
    elbv2 = env.client("elbv2")
    other = elbv2.create_target_group(
        Name="debug-targets", Protocol="HTTP", Port=8080, VpcId=env.outputs["vpcId"], TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_listener(
        ListenerArn=_listener(env, 443)["ListenerArn"],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": other}],
    )


def revoke_https_from_the_world(env: Applied) -> None:
    ec2 = env.client("ec2")
    group = env.outputs["loadBalancerSecurityGroupId"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    rule = next(r for r in rules if not r["IsEgress"] and r.get("FromPort") == 443)
    ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])


def delete_the_cookie(env: Applied) -> None:
    env.client("ssm").delete_parameter(Name=env.outputs["cookieParameterName"])


def delete_the_alert_topic(env: Applied) -> None:
    sns = env.client("sns")
    topic = next(
        t["TopicArn"]
        for t in sns.list_topics()["Topics"]
        if t["TopicArn"].endswith(f":{env.settings.qualified_name}-alarms")
    )
    sns.delete_topic(TopicArn=topic)


def _policy(env: Applied, name: str) -> dict[str, Any]:
    return env.client("autoscaling").describe_policies(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], PolicyNames=[name]
    )["ScalingPolicies"][0]


POLICY_INPUTS = {
    *("PolicyName", "PolicyType", "AdjustmentType", "MetricAggregationType", "EstimatedInstanceWarmup"),
    *("StepAdjustments", "TargetTrackingConfiguration", "PredictiveScalingConfiguration"),
}


def _put_policy(env: Applied, policy: dict[str, Any], **change: Any) -> None:
    kept = {key: value for key, value in policy.items() if key in POLICY_INPUTS and value not in ({}, [], None)}
    env.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], **{**kept, **change}
    )


def change_the_cpu_tracking(**change: Any) -> Callable[[Applied], None]:
    """The first target tracking policy re-put with one field changed (in its configuration, or the warmup)."""

    def tamper(env: Applied) -> None:
        policy = _policy(env, names.target_tracking_policy_name(env.settings, env.settings.scaling.target_tracking[0]))
        config = {k: v for k, v in change.items() if k != "EstimatedInstanceWarmup"}
        warmup = {k: v for k, v in change.items() if k == "EstimatedInstanceWarmup"}
        _put_policy(
            env, policy, TargetTrackingConfiguration={**policy["TargetTrackingConfiguration"], **config}, **warmup
        )

    tamper.__name__ = "change_the_cpu_tracking_" + "_".join(change)
    return tamper


def change_the_step_alarm(**change: Any) -> Callable[[Applied], None]:
    def tamper(env: Applied) -> None:
        cloudwatch = env.client("cloudwatch")
        name = names.step_alarm_name(env.settings, env.settings.scaling.step[0])
        alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        kept = {key: value for key, value in alarm.items() if key in ALARM_INPUTS}
        cloudwatch.put_metric_alarm(**{**kept, **change})

    tamper.__name__ = "change_the_step_alarm_" + "_".join(change)
    return tamper


def add_nodes_faster_on_a_long_queue(env: Applied) -> None:
    """The step policy re-put with its top step adding 5 nodes instead of 3."""
    policy = _policy(env, names.step_policy_name(env.settings, env.settings.scaling.step[0]))
    steps = [
        {**step, "ScalingAdjustment": 5} if step.get("MetricIntervalUpperBound") is None else step
        for step in policy["StepAdjustments"]
    ]
    _put_policy(env, policy, StepAdjustments=steps)


def change_the_forecast(**change: Any) -> Callable[[Applied], None]:
    def tamper(env: Applied) -> None:
        policy = _policy(env, names.predictive_policy_name(env.settings))
        _put_policy(env, policy, PredictiveScalingConfiguration={**policy["PredictiveScalingConfiguration"], **change})

    tamper.__name__ = "change_the_forecast_" + "_".join(change)
    return tamper


SCHEDULE_INPUTS = ("ScheduledActionName", "Recurrence", "TimeZone", "MinSize", "MaxSize", "DesiredCapacity")


def change_the_evening_schedule(**change: Any) -> Callable[[Applied], None]:
    """The second schedule re-put as it is, one field changed."""

    def tamper(env: Applied) -> None:
        autoscaling = env.client("autoscaling")
        group = env.outputs["autoScalingGroupName"]
        name = names.scheduled_action_name(env.settings, env.settings.scaling.schedules[1])
        action = autoscaling.describe_scheduled_actions(AutoScalingGroupName=group, ScheduledActionNames=[name])[
            "ScheduledUpdateGroupActions"
        ][0]
        kept = {key: action[key] for key in SCHEDULE_INPUTS if action.get(key) is not None}
        autoscaling.put_scheduled_update_group_action(AutoScalingGroupName=group, **{**kept, **change})

    tamper.__name__ = "change_the_evening_schedule_" + "_".join(change)
    return tamper


def add_a_schedule_by_hand(env: Applied) -> None:
    env.client("autoscaling").put_scheduled_update_group_action(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        ScheduledActionName="debug-night",
        Recurrence="0 1 * * *",
        MinSize=1,
    )


ISSUE_TAMPERS = [
    # (stack, tamper, the check that must fail, what its detail must name). Each stack is applied
    # once; its tampers are made in this order, verify runs after each (see the test below).
    ("dev", open_epmd_to_the_world, "security.nodes", "extra rule: ingress tcp 4369 from 0.0.0.0/0"),
    (
        "dev",
        revoke_the_distribution_range,
        "security.nodes",
        "missing rule: ingress tcp 9100-9155 from the nodes group",
    ),
    ("dev", add_an_egress_to_the_load_balancer, "security.lb", "extra rule: egress tcp 5432 to 10.0.0.0/8"),
    ("dev", change_min_size, "group.size", "MinSize 3, declared 1"),
    ("dev", update_the_group(MaxSize=6), "group.size", "MaxSize 6, declared 3"),
    ("dev", update_the_group(HealthCheckType="EC2"), "group.load_balancing", "health check type EC2, declared ELB"),
    (
        "dev",
        update_the_group(HealthCheckGracePeriod=0),
        "group.load_balancing",
        "health check grace period 0 s, declared 120 s",
    ),
    ("dev", put_a_node_in_standby, "group.capacity", "2 in service, desired 2, min 3"),
    ("dev", make_imds_optional, "launch_template.metadata", "version 2 (default, latest): HttpTokens optional"),
    (
        "dev",
        change_the_metadata_options(HttpEndpoint="disabled"),
        "launch_template.metadata",
        "the metadata endpoint is off",
    ),
    (
        "dev",
        change_the_metadata_options(InstanceMetadataTags="disabled"),
        "launch_template.metadata",
        "instance metadata tags off",
    ),
    (
        "dev",
        change_the_metadata_options(HttpPutResponseHopLimit=2),
        "launch_template.metadata",
        "hop limit 2, declared 1",
    ),
    ("dev", replace_the_cookie_by_a_plain_string, "cookie.parameter", "/shop/dev/release-cookie is a String"),
    ("dev", change_the_cpu_tracking(TargetValue=90.0), "scaling.track-cpu", "TargetValue 90.0, declared 60.0"),
    ("dev", change_the_cpu_tracking(DisableScaleIn=True), "scaling.track-cpu", "DisableScaleIn True, declared False"),
    (
        "dev",
        change_the_cpu_tracking(EstimatedInstanceWarmup=600),
        "scaling.track-cpu",
        "EstimatedInstanceWarmup 600, declared 120",
    ),
    (
        "dev",
        change_the_cpu_tracking(PredefinedMetricSpecification={"PredefinedMetricType": "ASGAverageNetworkIn"}),
        "scaling.track-cpu",
        "PredefinedMetricType 'ASGAverageNetworkIn', declared 'ASGAverageCPUUtilization'",
    ),
    ("dev", delete_a_scaling_policy, "scaling.track-cpu", "no TargetTrackingScaling policy shop-dev-track-cpu"),
    ("dev", add_a_scaling_policy_by_hand, "scaling.undeclared", "debug-scale-out"),
    ("dev", add_a_listener, "load_balancer.listeners", "extra HTTP:8080 forward to"),
    ("dev", change_the_health_check_path, "load_balancer.target_group", "HealthCheckPath '/', declared '/health'"),
    (
        "dev",
        modify_the_target_group(HealthCheckProtocol="HTTPS"),
        "load_balancer.target_group",
        "HealthCheckProtocol 'HTTPS', declared 'HTTP'",
    ),
    (
        "dev",
        modify_the_target_group(HealthCheckPort="9999"),
        "load_balancer.target_group",
        "HealthCheckPort '9999', declared 'traffic-port'",
    ),
    (
        "dev",
        modify_the_target_group(HealthCheckIntervalSeconds=30),
        "load_balancer.target_group",
        "HealthCheckIntervalSeconds 30, declared 10",
    ),
    (
        "dev",
        modify_the_target_group(HealthCheckTimeoutSeconds=8),
        "load_balancer.target_group",
        "HealthCheckTimeoutSeconds 8, declared 5",
    ),
    (
        "dev",
        modify_the_target_group(HealthyThresholdCount=5),
        "load_balancer.target_group",
        "HealthyThresholdCount 5, declared 2",
    ),
    (
        "dev",
        modify_the_target_group(UnhealthyThresholdCount=6),
        "load_balancer.target_group",
        "UnhealthyThresholdCount 6, declared 2",
    ),
    (
        "dev",
        modify_the_target_group(Matcher={"HttpCode": "200-399"}),
        "load_balancer.target_group",
        "Matcher '200-399', declared '200'",
    ),
    ("dev", lengthen_the_deregistration_delay, "load_balancer.target_group", "timeout_seconds '300', declared '15'"),
    # dev's heartbeat: drain 15 s + deregistration delay 15 s + the drain agent's 30 s margin
    ("dev", change_the_drain_hook(HeartbeatTimeout=3600), "lifecycle.hook", "HeartbeatTimeout 3600, declared 60"),
    (
        "dev",
        change_the_drain_hook(DefaultResult="ABANDON"),
        "lifecycle.hook",
        "DefaultResult 'ABANDON', declared 'CONTINUE'",
    ),
    (
        "dev",
        change_the_drain_hook(LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING"),
        "lifecycle.hook",
        "LifecycleTransition 'autoscaling:EC2_INSTANCE_LAUNCHING', declared 'autoscaling:EC2_INSTANCE_TERMINATING'",
    ),
    ("dev", remove_the_lifecycle_hook, "lifecycle.hook", "no lifecycle hook release-drain"),
    ("dev", delete_a_health_alarm, "monitoring.alarms", "missing shop-dev-unhealthy-hosts"),
    ("dev", silence_a_health_alarm, "monitoring.alarms", "shop-dev-p99-latency does not notify shop-dev-alarms"),
    (
        "dev",
        drop_an_alarms_all_clear,
        "monitoring.alarms",
        "shop-dev-healthy-hosts-below-min does not tell shop-dev-alarms when it clears",
    ),
    ("prod", deregister_a_target, "load_balancer.targets", "is not registered"),
    ("prod", stop_a_node, "load_balancer.targets", "is unused (Target is in the stopped state)"),
    ("prod", revoke_https_from_the_world, "security.lb", "missing rule: ingress tcp 443 from 0.0.0.0/0"),
    ("prod", downgrade_the_tls_policy, "load_balancer.listeners", "[ELBSecurityPolicy-2016-08, arn:"),
    ("prod", swap_the_certificate, "load_balancer.listeners", f"ELBSecurityPolicy-2016-08, {OTHER_CERTIFICATE}]"),
    ("prod", forward_to_another_target_group, "load_balancer.listeners", "HTTPS:443 forward to debug-targets ["),
    (
        "prod",
        make_the_redirect_temporary,
        "load_balancer.listeners",
        "HTTP:80 redirect to HTTPS:443 HTTP_302, declared",
    ),
    ("prod", remove_the_http_listener, "load_balancer.listeners", "missing HTTP:80 redirect to HTTPS:443 HTTP_301"),
    ("prod", delete_the_cookie, "cookie.parameter", "no SSM parameter /shop/prod/release-cookie"),
    ("prod", change_the_step_alarm(Threshold=500.0), "scaling.step-run-queue", "Threshold 500.0, declared 50.0"),
    (
        "prod",
        change_the_step_alarm(ComparisonOperator="GreaterThanThreshold"),
        "scaling.step-run-queue",
        "ComparisonOperator 'GreaterThanThreshold', declared 'GreaterThanOrEqualToThreshold'",
    ),
    (
        "prod",
        change_the_step_alarm(MetricName="ProcessCount"),
        "scaling.step-run-queue",
        "MetricName 'ProcessCount', declared 'TotalRunQueueLength'",
    ),
    (
        "prod",
        point_the_step_alarm_at_another_group,
        "scaling.step-run-queue",
        "Dimensions {'AutoScalingGroupName': 'old-nodes'}, declared {'AutoScalingGroupName': 'shop-nodes-group-",
    ),
    (
        "prod",
        add_nodes_faster_on_a_long_queue,
        "scaling.step-run-queue",
        "StepAdjustments [(0.0, 50.0, 1), (50.0, None, 5)]",
    ),
    (
        "prod",
        silence_the_step_alarm,
        "scaling.step-run-queue",
        "shop-prod-step-run-queue: the alarm shop-prod-step-run-queue no longer triggers the policy",
    ),
    ("prod", delete_the_step_alarm, "scaling.step-run-queue", "alarm shop-prod-step-run-queue is missing"),
    (
        "prod",
        change_the_forecast(Mode="ForecastAndScale"),
        "scaling.predictive",
        "Mode 'ForecastAndScale', declared 'ForecastOnly'",
    ),
    (
        "prod",
        change_the_forecast(
            MetricSpecifications=[
                {
                    "TargetValue": 60.0,
                    "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ASGCPUUtilization"},
                }
            ]
        ),
        "scaling.predictive",
        "PredefinedMetricType 'ASGCPUUtilization', declared 'ALBRequestCount'",
    ),
    (
        "prod",
        change_the_evening_schedule(Recurrence="0 23 * * *"),
        "scaling.schedules",
        "Recurrence '0 23 * * *', declared '0 21 * * MON-FRI'",
    ),
    (
        "prod",
        change_the_evening_schedule(TimeZone="Etc/UTC"),
        "scaling.schedules",
        "TimeZone 'Etc/UTC', declared 'Europe/Berlin'",
    ),
    ("prod", change_the_evening_schedule(MinSize=4), "scaling.schedules", "MinSize 4, declared 3"),
    ("prod", change_the_evening_schedule(MaxSize=20), "scaling.schedules", "MaxSize 20, declared None"),
    ("prod", change_the_evening_schedule(DesiredCapacity=5), "scaling.schedules", "DesiredCapacity 5, declared None"),
    ("prod", delete_a_schedule, "scaling.schedules", "missing shop-prod-weekday-morning"),
    ("prod", add_a_schedule_by_hand, "scaling.schedules", "undeclared debug-night"),
    ("prod", delete_the_alert_topic, "monitoring.topic", "no SNS topic shop-prod-alarms"),
    ("prod", disassociate_the_web_acl, "load_balancer.waf", "no web ACL in front of shop-lb-alb-"),
    ("prod", drop_the_rate_limit_rule, "load_balancer.web_acl", "shop-prod: missing rule per-ip-rate-limit"),
    # staging: the first shipped stack with flow logs on
    ("staging", shorten_the_flow_log_retention, "network.flow_logs", "log group retention 1, declared 90"),
    ("staging", delete_the_flow_log, "network.flow_logs", "no flow log on vpc-"),
    (
        "staging",
        open_ssh_on_the_default_security_group,
        "network.default_security_group",
        "has rules (declared none): ingress tcp 22-22 0.0.0.0/0",
    ),
    ("staging", stop_rotating_the_cookie_key, "encryption.rotation", "cookie key: rotation off"),
    (
        "staging",
        open_the_alert_key_to_every_account,
        "encryption.key_policies",
        'alert topic key: statement Anyone allows any principal ("*")',
    ),
]


@pytest.mark.parametrize("stack", sorted({stack for stack, *_ in ISSUE_TAMPERS}))
def test_each_tamper_fails_the_check_that_owns_it_and_no_other(
    deploy: Deploy, stack: str, verify_reusing_clients: None
) -> None:
    """One deployment per stack; its tampers accumulate in the table's order and verify runs after
    each. A tamper must fail its check, with a detail that names it and did not before, and change
    no other check's failure: no other check fails anew, no other failing check's detail changes."""
    walk_tampers(
        deploy(stack),
        stack,
        [(tamper, check, named) for row_stack, tamper, check, named in ISSUE_TAMPERS if row_stack == stack],
    )


@pytest.fixture
def verify_reusing_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_verify_clients(monkeypatch)


def test_a_detached_target_group_fails_the_group_and_its_targets(deploy: Deploy) -> None:
    env = deploy("dev")
    detach_the_target_group(env)
    code, document, _ = run_verify(env, "--stack", "dev", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert "not attached to the target group" in failing(document)["group.load_balancing"]


def test_a_missing_environment_fails_naming_the_tag_it_looked_for(dev: Applied) -> None:
    env = dev  # shop-dev exists; shop-prod was never applied in this account
    code, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert "no Auto Scaling group tagged elixir-cluster:cluster=shop-prod" in failing(document)["group.exists"]


def test_alarm_states_are_reported_as_warnings_not_failures(deploy: Deploy) -> None:
    env = deploy("prod")
    cloudwatch = env.client("cloudwatch")
    cloudwatch.set_alarm_state(
        AlarmName=names.health_alarm_name(env.settings, "p99-latency"), StateValue="ALARM", StateReason="test"
    )
    cloudwatch.set_alarm_state(
        AlarmName=names.step_alarm_name(env.settings, env.settings.scaling.step[0]),
        StateValue="INSUFFICIENT_DATA",
        StateReason="test",
    )
    code, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_OK
    health, step = verdicts(document)["monitoring.alarms"], verdicts(document)["scaling.step-run-queue"]
    assert health["status"] == "warn"
    assert "shop-prod-p99-latency" in health["detail"]
    assert step["status"] == "warn"
    assert "no data for Elixir/BEAM/TotalRunQueueLength" in step["detail"]
    assert document["verdict"] == "warn"


def _refuse(monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
    """The verifying identity lacks the permission for `operation`."""
    real = botocore.client.BaseClient._make_api_call

    def refusing(self: Any, name: str, params: dict[str, Any]) -> Any:
        if name == operation:
            error = {"Error": {"Code": "AccessDenied", "Message": f"not authorized to perform {name}"}}
            raise botocore.exceptions.ClientError(error, name)
        return real(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refusing)


def test_a_refused_call_fails_its_area_alone_naming_the_permission(
    dev: Applied, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = dev
    _refuse(monkeypatch, "DescribeParameters")
    code, document, _ = run_verify(env, "--stack", "dev", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert failing(document) == {
        "cookie.access": "DescribeParameters: AccessDenied: not authorized to perform DescribeParameters"
    }
    assert "grant the verifying identity DescribeParameters" in verdicts(document)["cookie.access"]["fix"]
    # the cookie's key is found through the parameter: left unchecked, said so, not failed twice
    assert verdicts(document)["encryption.lookup"]["status"] == "warn"


def test_a_refused_discovery_exits_1_naming_the_permission(dev: Applied, monkeypatch: pytest.MonkeyPatch) -> None:
    env = dev
    _refuse(monkeypatch, "DescribeAutoScalingGroups")
    code, output, stderr = run_verify(env, "--stack", "dev")
    assert code == verify.EXIT_UNREACHABLE
    assert output == ""
    assert "DescribeAutoScalingGroups: AccessDenied" in stderr


# --- exit codes: bad stack file, unreachable AWS -------------------------------------------------


def test_a_bad_stack_file_exits_2_with_one_problem_per_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "dev", "broken", {"elixir-cluster:nodes": {"minSize": 5, "maxSize": 2}})
    code, _, stderr = run_verify(None, "--config", str(path))
    assert code == verify.EXIT_INVALID
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("elixir-cluster:") for line in lines)
    assert any(line.startswith("elixir-cluster:nodes.maxSize") for line in lines)


def test_an_unknown_stack_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run_verify(None, "--config", str(tmp_path / "Pulumi.nowhere.yaml"))
    assert code == verify.EXIT_INVALID
    assert "no stack file" in stderr


def test_an_unreachable_endpoint_exits_1_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    endpoint = f"http://127.0.0.1:{_free_port()}"
    code, output, stderr = run_verify(None, "--stack", "dev", "--endpoint", endpoint)
    assert code == verify.EXIT_UNREACHABLE
    assert output == ""
    assert f"cannot reach {endpoint} (region eu-west-1)" in stderr


# --- the progress display ------------------------------------------------------------------------


def test_progress_is_a_spinner_on_a_terminal_and_plain_lines_otherwise(dev: Applied) -> None:
    env = dev
    _, _, piped = run_verify(env, "--stack", "dev")
    assert "verify: security groups: pass" in piped.splitlines()
    assert "\r" not in piped
    _, table, live = run_verify(env, "--stack", "dev", stdout=Terminal())
    assert "checking security groups..." in live
    assert live.endswith("\r\033[K"), "the spinner clears its line before the report"
    assert "ok    security.nodes" in table


def test_progress_names_the_failing_area() -> None:
    from tools.verifier.findings import failed

    stream = io.StringIO()
    with Progress(stream, live=False).step("cookie") as found:
        found.append(failed("cookie.parameter", "gone", "pulumi up"))
    assert stream.getvalue() == "verify: cookie: fail\n"


# --- the real command line against a moto server -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """This project's moto server (what `tools.preview --serve` starts), on a thread of this process."""
    server, url = moto_server_of_this_project.start()
    yield url
    server.stop()


def _command(*argv: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """The command line in a fresh process; an env value None removes that variable."""
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tools.verify", *argv],
        cwd=PROJECT_DIR,
        env={k: v for k, v in environment.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def dev_on_the_server(moto_server: str) -> Iterator[Applied]:
    """dev applied into the moto server once (per module, like the server) for the command-line tests below."""
    with emulated(stack_file("dev"), endpoint=moto_server) as (emulator, deployment, settings):
        yield Applied(emulator, deployment, settings)


SERVED = [
    *(pytest.param(name, None, id=name) for name in stack_names()),
    pytest.param("dev", {"elixir-cluster:network": EXISTING_NETWORK}, id="dev-in-an-existing-vpc"),
]


@pytest.mark.xdist_group("moto-server")
@pytest.mark.parametrize(("stack", "changes"), SERVED)
def test_each_stack_applied_into_the_moto_server_verifies_clean_through_it(
    moto_server: str, stack: str, changes: dict[str, Any] | None, tmp_path: Path, verify_reusing_clients: None
) -> None:
    """What it references but does not own (prod's and staging's certificate, an existing VPC and
    its subnets) is created in the server under the ids it names, as in-process."""
    path = stack_file(stack) if changes is None else write_variant(tmp_path, stack, stack, changes)
    with emulated(path, endpoint=moto_server, account_id=fresh_account_id()) as applied:
        env = Applied(*applied)
        code, document, _ = run_verify(env, "--config", str(path), "--endpoint", moto_server, "--format", "json")
    assert failing(document) == {}
    assert code == verify.EXIT_OK
    assert document["where"] == f"{moto_server} (region {env.settings.region})"
    if env.settings.load_balancer.certificate_arn:
        assert env.settings.load_balancer.certificate_arn in verdicts(document)["load_balancer.listeners"]["detail"]
    if changes is not None:
        assert env.outputs["vpcId"] == EXISTING_NETWORK["vpcId"]
        assert sorted(env.outputs["privateSubnetIds"]) == sorted(EXISTING_NETWORK["privateSubnetIds"])


@pytest.mark.xdist_group("moto-server")  # one worker applies dev into the server, once
class TestAgainstAMotoServer:
    """dev applied into a moto server; the command line verifies it, then a tamper."""

    def test_the_command_line_verifies_the_applied_stack_clean(
        self, moto_server: str, dev_on_the_server: Applied
    ) -> None:
        result = _command("--stack", "dev", "--endpoint", moto_server, "--format", "json")
        assert result.returncode == verify.EXIT_OK, result.stdout + result.stderr
        document = json.loads(result.stdout)
        assert document["verdict"] in ("pass", "warn")
        assert document["where"] == f"{moto_server} (region eu-west-1)"
        assert "verify: security groups: pass" in result.stderr.splitlines()

    def test_the_command_line_exits_1_without_credentials(self, moto_server: str, dev_on_the_server: Applied) -> None:
        result = _command(
            "--stack",
            "dev",
            "--endpoint",
            moto_server,
            AWS_ACCESS_KEY_ID=None,
            AWS_SECRET_ACCESS_KEY=None,
            AWS_PROFILE=None,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_CONFIG_FILE=os.devnull,
        )
        assert result.returncode == verify.EXIT_UNREACHABLE
        assert "no AWS credentials" in result.stderr

    def test_the_command_line_names_epmd_opened_to_the_world(
        self, moto_server: str, dev_on_the_server: Applied
    ) -> None:
        dev = dev_on_the_server
        ec2 = boto3.client(
            "ec2",
            region_name=dev.settings.region,
            endpoint_url=moto_server,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        epmd = dev.settings.release.distribution.epmd_port
        ec2.authorize_security_group_ingress(
            GroupId=dev.outputs["nodeSecurityGroupId"],
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": epmd, "ToPort": epmd, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        result = _command("--stack", "dev", "--endpoint", moto_server)
        assert result.returncode == verify.EXIT_DRIFTED, result.stdout + result.stderr
        line = next(line for line in result.stdout.splitlines() if "security.nodes" in line)
        assert line.startswith("FAIL")
        assert f"extra rule: ingress tcp {epmd}-{epmd}" not in line  # a single port reads as one
        assert f"extra rule: ingress tcp {epmd} from 0.0.0.0/0" in line


def test_a_profile_that_does_not_exist_exits_1_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "shop-prod-readonly")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    code, _, stderr = run_verify(None, "--stack", "dev")
    assert code == verify.EXIT_UNREACHABLE
    assert "shop-prod-readonly" in stderr
    assert "Traceback" not in stderr
