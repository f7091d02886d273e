"""IAM documents: the node role's (what a node may do, and nothing more). KMS key
policies are in plans/encryption.py.

Pure functions of the release settings, the region and the ARNs the stack creates (no
Pulumi), so the documents are checked in milliseconds.

The node role carries no AWS managed policy: each grants more than a node uses
(AmazonSSMManagedInstanceCore `ssm:GetParameter` on every parameter of the account,
CloudWatchAgentServerPolicy log groups, X-Ray and the AmazonCloudWatch-* parameters), so what a
node needs of them is granted inline. A node:

- finds its peers (`ec2:DescribeInstances` and, for libcluster's EC2 strategy,
  `ec2:DescribeTags`; dns discovery needs DescribeInstances for Cloud Map's RegisterInstance);
- reads the release cookie: `ssm:GetParameter` on that one parameter, and `kms:Decrypt` on
  its key only when Parameter Store asks on the node's behalf (`kms:ViaService`) for that
  parameter (`kms:EncryptionContext:PARAMETER_ARN`);
- reads release.secrets the same way: `ssm:GetParameter` on exactly the parameters it names
  and `secretsmanager:GetSecretValue` on exactly its secrets, and `kms:Decrypt` with keys of
  their accounts only through Parameter Store for those parameters, or through Secrets
  Manager for those secrets (`kms:EncryptionContext:SecretARN`); the keys themselves are not
  the stack's to know, so the conditions scope them;
- fetches the release artifact (`s3:GetObject` on that object, when it is on S3);
- completes its own lifecycle actions, launch and termination, on this group only (the
  group's ARN carries a UUID: no other group matches it); before completing its launch
  action it reads its group's instances (`autoscaling:DescribeAutoScalingGroups`, which has no
  resource-level permission) and their private IPv4s (`ec2:DescribeInstances`);
- with dns discovery, registers and deregisters itself in the cluster's Cloud Map
  service, which writes its A record into the namespace's private hosted zone;
- lets an operator in through Session Manager (no SSH): the permissions AWS documents as
  the minimum for an instance profile, "Step 2: Verify or add instance permissions for
  Session Manager", https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-getting-started-instance-profile.html
  (sessions logged to S3 or encrypted with KMS would need more; this stack configures neither),
  the agent's heartbeat on the account's instances in the region rather than "*";
- publishes the CloudWatch agent's metrics, in METRICS_NAMESPACE only (`cloudwatch:namespace`),
  the agent reading the group's name for their dimension with `ec2:DescribeTags`
  (plans/cloudwatch_agent.py configures no logs, no traces and no configuration in SSM).

"*" is the resource only where the action has no resource-level permission (Service
Authorization Reference: EC2 Describe*, Auto Scaling's Describe*, Systems Manager's
ssmmessages, CloudWatch PutMetricData); a condition scopes it where one exists.
"""

from __future__ import annotations

from typing import Any

from ..settings import METRICS_NAMESPACE, ReleaseSettings
from .secrets import ReleaseSecret, release_secrets

POLICY_VERSION = "2012-10-17"

EC2_SERVICE_PRINCIPAL = "ec2.amazonaws.com"
"""Who may assume the node role: EC2, on behalf of the instances it launches."""

DESCRIBE_ACTIONS = frozenset({"ec2:DescribeInstances", "ec2:DescribeTags"})
"""EC2 Describe* calls support no resource-level permissions (Service Authorization Reference,
Amazon EC2), so "*" is the only valid scope."""

GROUP_STATE_ACTIONS = ("autoscaling:DescribeAutoScalingGroups",)
"""The launch hook script reads its group's instances and their lifecycle states; Auto Scaling's
Describe* calls support no resource-level permissions either (Service Authorization Reference,
Amazon EC2 Auto Scaling)."""

LIFECYCLE_ACTIONS = ("autoscaling:CompleteLifecycleAction",)
"""What the launch hook script and the drain agent call, on the group's ARN."""

SESSION_MANAGER_HEARTBEAT = ("ssm:UpdateInstanceInformation",)
"""The SSM agent's heartbeat, part of Session Manager's documented minimum (see the module docstring).
AWS's page grants it on "*"; the Service Authorization Reference gives it the resource type
`instance` (arn:<partition>:ec2:<region>:<account>:instance/<id>), so it is granted on the
account's instances in the stack's region."""

SESSION_MANAGER_CHANNELS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
"""The session's channels, the rest of that minimum: ssmmessages has no resource-level permission."""

ANY_RESOURCE = "*"

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
    """Everything the node role grants: `node_boot_policy` and `node_lifecycle_policy` together.

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
    return {"Version": POLICY_VERSION, "Statement": boot["Statement"] + node_lifecycle_policy(group_arn)["Statement"]}


def node_boot_policy(
    release: ReleaseSettings,
    region: str,
    *,
    cookie_parameter_arn: str,
    cookie_key_arn: str,
    discovery_service_arn: str | None = None,
    discovery_hosted_zone_id: str | None = None,
) -> dict[str, Any]:
    """What a node needs from its boot on: peers, its group's state, the cookie, the artifact, Cloud Map.

    Separate from the lifecycle statement because it must exist before the group launches the
    first node, and the lifecycle statement names the group.
    """
    _check_discovery_arguments(release, discovery_service_arn, discovery_hosted_zone_id)
    partition, account = _partition(cookie_parameter_arn), _account(cookie_parameter_arn)
    statements = [
        _statement("DiscoverClusterNodes", sorted(_describe_actions(release)), ANY_RESOURCE),
        _statement("ReadGroupMembers", list(GROUP_STATE_ACTIONS), ANY_RESOURCE),
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
    statements += _secret_statements(release_secrets(release), partition, region, account)
    artifact = artifact_object_arn(release, partition)
    if artifact is not None:
        statements.append(_statement("FetchReleaseArtifact", ["s3:GetObject"], artifact))
    if discovery_service_arn is not None:
        statements += _cloud_map_statements(partition, discovery_service_arn, discovery_hosted_zone_id)
    statements += [
        _statement(
            "ReportToSessionManager",
            list(SESSION_MANAGER_HEARTBEAT),
            f"arn:{partition}:ec2:{region}:{account}:instance/*",
        ),
        _statement("OpenSessionManagerChannels", list(SESSION_MANAGER_CHANNELS), ANY_RESOURCE),
        _statement(
            "PublishNodeMetrics",
            ["cloudwatch:PutMetricData"],
            ANY_RESOURCE,
            condition={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
        ),
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def node_lifecycle_policy(group_arn: str) -> dict[str, Any]:
    """What the launch hook script and the drain agent need: completing the node's lifecycle actions
    (the launch hook's, the termination hook's), on this group only."""
    statement = _statement("CompleteLifecycleActions", list(LIFECYCLE_ACTIONS), group_arn)
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def _describe_actions(release: ReleaseSettings) -> set[str]:
    # The CloudWatch agent reads the group's name (its metrics' dimension) from the instance's tags.
    agent = {"ec2:DescribeTags"}
    if release.discovery == "dns":
        # Cloud Map's RegisterInstance requires it (Cloud Map API permissions reference).
        return agent | {"ec2:DescribeInstances"}
    # libcluster_ec2 lists the running instances carrying the discovery tag.
    return agent | set(DESCRIBE_ACTIONS)


def _secret_statements(secrets: list[ReleaseSecret], partition: str, region: str, account: str) -> list[dict[str, Any]]:
    """Reading release.secrets: each service's read on exactly their ARNs, and decryption through
    that service for them alone (its encryption context names the parameter or the secret)."""
    arns = {s.variable: s.resource_arn(partition, region, account) for s in secrets}
    parameters = sorted({arns[s.variable] for s in secrets if s.in_parameter_store})
    managed = sorted({arns[s.variable] for s in secrets if not s.in_parameter_store})
    statements = []
    if parameters:
        statements += _read_and_decrypt("Parameters", "ssm:GetParameter", parameters, "ssm", "PARAMETER_ARN", region)
    if managed:
        read = "secretsmanager:GetSecretValue"
        statements += _read_and_decrypt("Secrets", read, managed, "secretsmanager", "SecretARN", region)
    return statements


def _read_and_decrypt(
    noun: str, action: str, arns: list[str], service: str, context_key: str, region: str
) -> list[dict[str, Any]]:
    keys = sorted({f"arn:{_partition(arn)}:kms:{region}:{_account(arn)}:key/*" for arn in arns})
    condition = {
        "StringEquals": {
            "kms:ViaService": f"{service}.{region}.amazonaws.com",
            f"kms:EncryptionContext:{context_key}": arns,
        }
    }
    return [
        _statement(f"ReadRelease{noun}", [action], arns),
        _statement(f"DecryptRelease{noun}", ["kms:Decrypt"], keys, condition=condition),
    ]


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
    sid: str, actions: list[str], resource: str | list[str], *, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _partition(arn: str) -> str:
    """`arn:aws-cn:ssm:...` -> `aws-cn`: the ARNs built here follow the ones given."""
    return arn.split(":")[1]


def _account(arn: str) -> str:
    """`arn:aws:ssm:eu-west-1:123456789012:...` -> `123456789012`: a parameter named without an ARN is
    in the cookie's account, the stack's."""
    return arn.split(":")[4]
