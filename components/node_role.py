"""NodeRole: what an Elixir node may do in AWS, and nothing more.

- An IAM role only EC2 may assume, and its instance profile. No AWS managed policy: each
  grants more than a node uses (plans/iam.py says what and why).
- The boot policy (plans/iam.py): discovery, its group's state, the cookie and release.secrets,
  the artifact, Cloud Map, Session Manager (instead of SSH) and the CloudWatch agent's metrics.
  It must exist before the group launches the first node, so the group waits for
  `launch_permissions`.
- The lifecycle policy: completing the launch and termination lifecycle actions, on the group
  alone. It names the group, which launches nodes with this role, so it is granted once the group
  exists (`allow_lifecycle_actions`): one policy would reach the nodes only after they booted. The
  group's first nodes are held by no launch hook (it is declared after the group), so none waits
  for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .discovery import DnsDiscovery
from .moved import formerly_under
from .plans.iam import assume_role_policy, node_boot_policy, node_lifecycle_policy
from .settings import ReleaseSettings


@dataclass
class NodeRoleArgs:
    cluster_name: str
    """The cluster's qualified name (`shop-prod`), in the role's description."""
    release: ReleaseSettings
    """Where the artifact and the secrets are and how nodes discover each other: what the boot policy grants."""
    region: str
    """Where Parameter Store and Secrets Manager decrypt on a node's behalf (kms:ViaService)."""
    cookie_parameter_arn: pulumi.Input[str]
    cookie_key_arn: pulumi.Input[str]
    discovery: DnsDiscovery | None = None
    """The Cloud Map service nodes register in (discovery: dns), else None."""
    formerly_under: pulumi.Input[str] | None = None
    """The URN of the component these resources were declared under before this one existed."""
    tags: dict[str, str] = field(default_factory=dict)


class NodeRole(ClusterComponent):
    TOKEN = "elixir-cluster:index:NodeRole"

    role_arn: pulumi.Output[str]
    """The nodes' IAM role."""
    instance_profile_arn: pulumi.Output[str]
    """The instance profile the launch template names."""
    launch_permissions: list[pulumi.Resource]
    """What must exist before a node starts: the boot policy."""

    def __init__(self, name: str, args: NodeRoleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._aliases = formerly_under(args.formerly_under)
        self._role = aws.iam.Role(
            self._child_name("role"),
            description=f"Elixir nodes of {args.cluster_name}",
            assume_role_policy=json.dumps(assume_role_policy()),
            tags=self._tags("role"),
            opts=self._moved(),
        )
        profile = aws.iam.InstanceProfile(
            self._child_name("profile"), role=self._role.name, tags=self._tags("profile"), opts=self._moved()
        )
        boot = aws.iam.RolePolicy(
            self._child_name("boot"), role=self._role.id, policy=self._boot_policy(args), opts=self._moved()
        )
        self.role_arn = self._role.arn
        self.instance_profile_arn = profile.arn
        self.launch_permissions = [boot]
        self.register_outputs({"roleArn": self.role_arn, "instanceProfileArn": self.instance_profile_arn})

    def allow_lifecycle_actions(self, group_arn: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """Let the nodes complete their launch and termination lifecycle actions on this group."""
        return aws.iam.RolePolicy(
            self._child_name("drain"),  # its name since it held the drain alone: renaming would replace it
            role=self._role.id,
            policy=pulumi.Output.from_input(group_arn).apply(lambda arn: json.dumps(node_lifecycle_policy(arn))),
            opts=self._moved(),
        )

    def _moved(self) -> pulumi.ResourceOptions:
        return self._child(aliases=self._aliases)

    @staticmethod
    def _boot_policy(args: NodeRoleArgs) -> pulumi.Output[str]:
        discovery = args.discovery
        arns = pulumi.Output.all(
            parameter=args.cookie_parameter_arn,
            key=args.cookie_key_arn,
            service=discovery.service_arn if discovery else None,
            zone=discovery.hosted_zone_id if discovery else None,
        )
        return arns.apply(
            lambda known: json.dumps(
                node_boot_policy(
                    args.release,
                    args.region,
                    cookie_parameter_arn=known["parameter"],
                    cookie_key_arn=known["key"],
                    discovery_service_arn=known["service"],
                    discovery_hosted_zone_id=known["zone"],
                )
            )
        )
