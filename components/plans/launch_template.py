"""The nodes' launch template, as AWS API values: the image and type, the user data, instance
metadata, the root volume, detailed monitoring, the tags a node's volume and interface carry,
and the security groups beside the node group's.

Part of the node group's plan (plans/node_group.py). The NodeGroup component declares it;
`tools.verify` compares every version a node may start from with `described()`, which says how
DescribeLaunchTemplateVersions reports each field under LaunchTemplateData.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ..settings import NodesSettings, StackSettings
from .user_data import render_user_data

ROOT_DEVICE_NAME = "/dev/xvda"
"""The root device of Amazon Linux 2023 AMIs, the image family the bootstrap is written for.
Another name would add a second volume instead of configuring the root one."""

ROOT_VOLUME_TYPE = "gp3"

METADATA_HOP_LIMIT = 1
"""IMDS answers only processes on the instance itself. The release runs on the host, not in
a container, so nothing needs the second hop AWS's default of 2 exists for, and a proxied
or forwarded request can never reach the instance's credentials."""

IMDS_V2_ONLY = "required"
"""The launch template's `httpTokens`: every metadata request needs a session token (IMDSv2)."""

ENABLED = "enabled"
"""The metadata endpoint, and instance tags in metadata: the drain and CloudWatch agents read the group there."""

TAGGED_AT_LAUNCH = ("volume", "network-interface")
"""What the template tags as it launches a node; the instance itself takes its tags from the group."""


@dataclass(frozen=True)
class MetadataOptions:
    """The launch template's instance metadata options: IMDSv2 only, one hop, tags on."""

    http_endpoint: str = ENABLED
    http_tokens: str = IMDS_V2_ONLY
    http_put_response_hop_limit: int = METADATA_HOP_LIMIT
    instance_metadata_tags: str = ENABLED

    def described(self) -> dict[str, str | int]:
        """As DescribeLaunchTemplateVersions reports them under MetadataOptions."""
        return {
            "HttpEndpoint": self.http_endpoint,
            "HttpTokens": self.http_tokens,
            "HttpPutResponseHopLimit": self.http_put_response_hop_limit,
            "InstanceMetadataTags": self.instance_metadata_tags,
        }


METADATA_OPTIONS = MetadataOptions()


@dataclass(frozen=True)
class RootVolume:
    """The node's root volume: encrypted, deleted with the node."""

    size_gib: int
    device_name: str = ROOT_DEVICE_NAME
    volume_type: str = ROOT_VOLUME_TYPE
    encrypted: bool = True
    delete_on_termination: bool = True

    def described(self) -> dict[str, Any]:
        """As DescribeLaunchTemplateVersions reports it, one of BlockDeviceMappings."""
        return {
            "DeviceName": self.device_name,
            "Ebs": {
                "Encrypted": self.encrypted,
                "DeleteOnTermination": self.delete_on_termination,
                "VolumeSize": self.size_gib,
                "VolumeType": self.volume_type,
            },
        }


@dataclass(frozen=True)
class LaunchTemplatePlan:
    """Everything a node starts from, but the facts of the deployment: the node security group's
    id and the instance profile's ARN, which the stack creates."""

    description: str
    image_id: str
    instance_type: str | None
    """None with a mixed instances policy: its overrides choose the type."""
    user_data: str
    """The cloud-init document plans/user_data.py renders, as text."""
    root_volume: RootVolume
    tags: dict[str, str]
    """What a node's volume and network interface carry (TAGGED_AT_LAUNCH)."""
    extra_security_group_ids: tuple[str, ...]
    """`nodes.extraSecurityGroupIds`, after the node group's own."""
    metadata: MetadataOptions = METADATA_OPTIONS
    detailed_monitoring: bool = True
    """One-minute instance metrics: target tracking reacts in minutes, not in five."""
    tagged_at_launch: tuple[str, ...] = TAGGED_AT_LAUNCH

    @property
    def user_data_base64(self) -> str:
        """The user data as the EC2 API takes and reports it."""
        return base64.b64encode(self.user_data.encode()).decode()

    def security_group_ids(self, node_security_group_id: str) -> list[str]:
        """The node group's security group, then the extra ones."""
        return [node_security_group_id, *self.extra_security_group_ids]

    def described(self) -> dict[str, Any]:
        """As DescribeLaunchTemplateVersions reports LaunchTemplateData, less the deployment's facts
        (SecurityGroupIds: `security_group_ids`; IamInstanceProfile: the stack's profile)."""
        data: dict[str, Any] = {
            "ImageId": self.image_id,
            "UserData": self.user_data_base64,
            "MetadataOptions": self.metadata.described(),
            "BlockDeviceMappings": [self.root_volume.described()],
            "Monitoring": {"Enabled": self.detailed_monitoring},
            "TagSpecifications": self.described_tag_specifications(),
        }
        if self.instance_type is not None:
            data["InstanceType"] = self.instance_type
        return data

    def described_tag_specifications(self) -> list[dict[str, Any]]:
        tags = [{"Key": key, "Value": value} for key, value in sorted(self.tags.items())]
        return [{"ResourceType": kind, "Tags": tags} for kind in self.tagged_at_launch]


def node_tags(settings: StackSettings) -> dict[str, str]:
    """What each node, its volume and its interface carry: the stack's tags, and the Name
    operators look for (`shop-prod-node`)."""
    return {**settings.tags, "Name": f"{settings.qualified_name}-node"}


def is_mixed(nodes: NodesSettings) -> bool:
    """Several instance types or spot need a mixed instances policy instead of a plain launch template."""
    return len(nodes.instance_types) > 1 or nodes.spot is not None


def launch_template_plan(settings: StackSettings) -> LaunchTemplatePlan:
    nodes = settings.nodes
    return LaunchTemplatePlan(
        description=f"Elixir node of {settings.qualified_name}",
        image_id=nodes.ami,
        instance_type=None if is_mixed(nodes) else nodes.instance_types[0],
        user_data=render_user_data(settings),
        root_volume=RootVolume(nodes.root_volume_gib),
        tags=node_tags(settings),
        extra_security_group_ids=tuple(nodes.extra_security_group_ids),
    )
