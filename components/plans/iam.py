"""IAM documents: the node role's (what a node may do, and nothing more). KMS key
policies are in plans/encryption.py.

Pure functions of the release settings, the region and the ARNs the stack creates (no
Pulumi), so the documents are checked in milliseconds.

The node role. A node:

- finds its peers (`ec2:DescribeInstances`, `ec2:DescribeTags`; dns discovery needs
  DescribeInstances only, for Cloud Map's RegisterInstance);
- reads the release cookie: `ssm:GetParameter` on that one parameter, and
  `kms:Decrypt` on its key only when Parameter Store asks on the node's behalf
  (`kms:ViaService`) for that parameter (`kms:EncryptionContext:PARAMETER_ARN`);
- fetches the release artifact (`s3:GetObject` on that object, when it is on S3);
- completes its termination lifecycle action, on this group only;
- with dns discovery, registers and deregisters itself in the cluster's Cloud Map
  service, which writes its A record into the namespace's private hosted zone.

SSM Session Manager (operator access, no SSH) and the CloudWatch agent come from the
AWS managed policies in `MANAGED_POLICY_ARNS`.
"""

from __future__ import annotations

from typing import Any

from ..settings import ReleaseSettings

POLICY_VERSION = "2012-10-17"

EC2_SERVICE_PRINCIPAL = "ec2.amazonaws.com"
"""Who may assume the node role: EC2, on behalf of the instances it launches."""

SSM_MANAGED_INSTANCE_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
"""AWS managed: the SSM agent's core functions, including Session Manager (no SSH needed)."""

CLOUDWATCH_AGENT_SERVER_POLICY_ARN = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
"""AWS managed: what the CloudWatch agent needs to publish metrics (and read the group's tag)."""

MANAGED_POLICY_ARNS = (SSM_MANAGED_INSTANCE_CORE_POLICY_ARN, CLOUDWATCH_AGENT_SERVER_POLICY_ARN)
"""The managed policies the node role carries besides its inline `node_role_policy`."""

DESCRIBE_ACTIONS = frozenset({"ec2:DescribeInstances", "ec2:DescribeTags"})
"""The only actions granted on Resource "*": EC2 Describe* calls support no resource-level
permissions (Service Authorization Reference, Amazon EC2), so "*" is the only valid scope."""

S3_SCHEME = "s3://"


def assume_role_policy() -> dict[str, Any]:
    """The node role's trust policy: EC2 instances, nothing else."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": EC2_SERVICE_PRINCIPAL}, "Action": "sts:AssumeRole"},
        ],
    }


def artifact_object_arn(release: ReleaseSettings, partition: str = "aws") -> str | None:
    """`s3://bucket/key` -> `arn:<partition>:s3:::bucket/key`; None for an https:// artifact."""
    artifact = release.artifact
    if not artifact.startswith(S3_SCHEME):
        return None
    return f"arn:{partition}:s3:::{artifact.removeprefix(S3_SCHEME)}"


def node_role_policy(
    release: ReleaseSettings,
    region: str,
    *,
    cookie_parameter_arn: str,
    cookie_key_arn: str,
    group_arn: str,
    discovery_service_arn: str | None = None,
    discovery_hosted_zone_id: str | None = None,
) -> dict[str, Any]:
    """Everything the node role grants: `node_boot_policy` and `node_drain_policy` together.

    `cookie_key_arn` is the KMS key the cookie parameter is encrypted with; `group_arn`
    the Auto Scaling group's ARN. With `discovery: dns`, `discovery_service_arn` is the
    Cloud Map service and `discovery_hosted_zone_id` its namespace's private hosted zone
    (both required then, refused otherwise).
    """
    boot = node_boot_policy(
        release,
        region,
        cookie_parameter_arn=cookie_parameter_arn,
        cookie_key_arn=cookie_key_arn,
        discovery_service_arn=discovery_service_arn,
        discovery_hosted_zone_id=discovery_hosted_zone_id,
    )
    return {"Version": POLICY_VERSION, "Statement": boot["Statement"] + node_drain_policy(group_arn)["Statement"]}


def node_boot_policy(
    release: ReleaseSettings,
    region: str,
    *,
    cookie_parameter_arn: str,
    cookie_key_arn: str,
    discovery_service_arn: str | None = None,
    discovery_hosted_zone_id: str | None = None,
) -> dict[str, Any]:
    """What a node needs before its release runs: peers, the cookie, the artifact, Cloud Map.

    Separate from the drain statement because it must exist before the group launches the
    first node, and the drain statement names the group.
    """
    _check_discovery_arguments(release, discovery_service_arn, discovery_hosted_zone_id)
    partition = _partition(cookie_parameter_arn)
    statements = [
        _statement("DiscoverClusterNodes", sorted(_describe_actions(release)), "*"),
        _statement("ReadReleaseCookie", ["ssm:GetParameter"], cookie_parameter_arn),
        _statement(
            "DecryptReleaseCookie",
            ["kms:Decrypt"],
            cookie_key_arn,
            condition={
                "StringEquals": {
                    "kms:ViaService": f"ssm.{region}.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": cookie_parameter_arn,
                }
            },
        ),
    ]
    artifact = artifact_object_arn(release, partition)
    if artifact is not None:
        statements.append(_statement("FetchReleaseArtifact", ["s3:GetObject"], artifact))
    if discovery_service_arn is not None:
        statements += _cloud_map_statements(partition, discovery_service_arn, discovery_hosted_zone_id)
    return {"Version": POLICY_VERSION, "Statement": statements}


def node_drain_policy(group_arn: str) -> dict[str, Any]:
    """What the drain agent needs on scale-in: completing its lifecycle action, on this group only."""
    statement = _statement("CompleteScaleInDrain", ["autoscaling:CompleteLifecycleAction"], group_arn)
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def _describe_actions(release: ReleaseSettings) -> set[str]:
    if release.discovery == "dns":
        # Cloud Map's RegisterInstance requires it (Cloud Map API permissions reference).
        return {"ec2:DescribeInstances"}
    # libcluster_ec2 lists the running instances carrying the discovery tag.
    return set(DESCRIBE_ACTIONS)


def _cloud_map_statements(partition: str, service_arn: str, hosted_zone_id: str | None) -> list[dict[str, Any]]:
    # Cloud Map documents Route 53 health-check actions for Register/DeregisterInstance too,
    # but a private DNS namespace cannot have Route 53 health checks, so it never calls
    # them for this service; only the record change happens, in this namespace's zone.
    return [
        _statement(
            "RegisterInCloudMap",
            ["servicediscovery:DeregisterInstance", "servicediscovery:RegisterInstance"],
            service_arn,
        ),
        _statement(
            "PublishNodeRecord",
            ["route53:ChangeResourceRecordSets"],
            f"arn:{partition}:route53:::hostedzone/{hosted_zone_id}",
        ),
    ]


def _check_discovery_arguments(release: ReleaseSettings, service_arn: str | None, hosted_zone_id: str | None) -> None:
    dns = release.discovery == "dns"
    given = [service_arn is not None, hosted_zone_id is not None]
    if dns and not all(given):
        raise ValueError("discovery: dns needs discovery_service_arn and discovery_hosted_zone_id")
    if not dns and any(given):
        raise ValueError(f"discovery: {release.discovery} registers nothing in Cloud Map")


def _statement(
    sid: str, actions: list[str], resource: str, *, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _partition(arn: str) -> str:
    """`arn:aws-cn:ssm:...` -> `aws-cn`: the ARNs built here follow the ones given."""
    return arn.split(":")[1]
