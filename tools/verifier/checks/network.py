"""The network's audit trail and its unused door: the VPC's flow log, and its default
security group.

- `network.flow_logs` (with `flowLogs.enabled`): one active flow log on the VPC as
  `plans.flow_logs.flow_log_plan` declares it: its destination (the log group
  `plans.flow_logs.log_group_name` or the bucket ARN), traffic type, aggregation interval
  and record format; a cloudwatch destination's log group keeps records for
  `retentionDays` under a KMS key.
- `network.default_security_group` (a VPC the stack created): no rules at all. An existing
  VPC's default group is its owner's: reported, not judged.

The VPC is `network.vpcId`, or the VPC tagged with the stack's discovery tag.
"""

from __future__ import annotations

from typing import Any

from components.plans import flow_logs as plan

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import log_group_problems, not_found

NAME = "network"
ACTIVE = "ACTIVE"
DEFAULT_GROUP = "default"


def run(env: Environment) -> list[Finding]:
    vpc_id = _vpc_id(env)
    if vpc_id is None:
        return [not_found(env, "network.vpc", "VPC")]
    return [_flow_logs(env, vpc_id), _default_security_group(env, vpc_id)]


def _vpc_id(env: Environment) -> str | None:
    network = env.settings.network
    if network.existing:
        return network.vpc_id
    key, value = env.settings.discovery_tag
    vpcs = env.aws.client("ec2").describe_vpcs(Filters=[{"Name": f"tag:{key}", "Values": [value]}])["Vpcs"]
    if len(vpcs) > 1:
        env.ambiguities.append(f"{len(vpcs)} VPCs tagged {env.tag}: {', '.join(sorted(v['VpcId'] for v in vpcs))}")
    return vpcs[0]["VpcId"] if len(vpcs) == 1 else None


# --- flow logs ---------------------------------------------------------------------------


def _flow_logs(env: Environment, vpc_id: str) -> Finding:
    settings = env.settings.network.flow_logs
    if not settings.enabled:
        return passed("network.flow_logs", "off (network.flowLogs.enabled is false)")
    found = env.aws.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    declared = plan.flow_log_plan(settings, plan.log_group_name(env.settings))
    matching = [f for f in found if _destination(f) == declared.destination]
    if not matching:
        seen = ", ".join(f"{f['FlowLogId']} to {_destination(f)}" for f in found) or "none"
        return failed("network.flow_logs", f"no flow log on {vpc_id} to {declared.destination} (found: {seen})", UP_FIX)
    flow_log = matching[0]
    wrong = [
        f"{key} {flow_log.get(key)!r}, declared {value!r}"
        for key, value in declared.described().items()
        if flow_log.get(key) != value
    ]
    if flow_log.get("FlowLogStatus") != ACTIVE:
        wrong.append(f"FlowLogStatus {flow_log.get('FlowLogStatus')}")
    if declared.to_cloudwatch:
        wrong += log_group_problems(env, declared.destination, declared.retention_days)
    if wrong:
        return failed("network.flow_logs", f"{flow_log['FlowLogId']} on {vpc_id}: {'; '.join(wrong)}", UP_FIX)
    return passed(
        "network.flow_logs", f"{flow_log['FlowLogId']} on {vpc_id}: {declared.traffic_type} to {declared.destination}"
    )


def _destination(flow_log: dict[str, Any]) -> str | None:
    """The log group's name (cloudwatch) or the bucket ARN (s3) a flow log writes to."""
    if flow_log.get("LogDestinationType") == plan.CLOUDWATCH_LOGS:
        return flow_log.get("LogGroupName") or flow_log.get("LogDestination", "").split(":log-group:")[-1]
    return flow_log.get("LogDestination")


# --- the default security group ----------------------------------------------------------


def _default_security_group(env: Environment, vpc_id: str) -> Finding:
    groups = env.aws.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [DEFAULT_GROUP]}]
    )["SecurityGroups"]
    if not groups:
        return failed("network.default_security_group", f"{vpc_id} has no default security group", UP_FIX)
    group = groups[0]
    if env.settings.network.existing:
        return passed(
            "network.default_security_group",
            f"{group['GroupId']}: the existing VPC's own, left to its owner",
        )
    rules = [f"ingress {_permission(p)}" for p in group.get("IpPermissions", [])]
    rules += [f"egress {_permission(p)}" for p in group.get("IpPermissionsEgress", [])]
    if rules:
        return failed(
            "network.default_security_group",
            f"{group['GroupId']} has rules (declared none): {'; '.join(rules)}",
            f"{UP_FIX} (nothing in the stack uses the default group)",
        )
    return passed("network.default_security_group", f"{group['GroupId']}: no rules")


def _permission(permission: dict[str, Any]) -> str:
    protocol = "all" if permission.get("IpProtocol") == "-1" else permission.get("IpProtocol")
    ports = f" {permission['FromPort']}-{permission['ToPort']}" if "FromPort" in permission else ""
    sources = [r["CidrIp"] for r in permission.get("IpRanges", [])]
    sources += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
    sources += [g["GroupId"] for g in permission.get("UserIdGroupPairs", [])]
    return f"{protocol}{ports} {', '.join(sources)}".rstrip()
