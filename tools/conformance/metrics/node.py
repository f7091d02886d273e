"""A node of the stack's group as its agent runs on it: the instance, and the node role's credentials.

    node = group_node(client, group_name)        # client(service): boto3 with the operator's rights
    agent = Agent.on_node(config, node.instance_id, node.session, ...)

EC2 hands an instance its profile role's temporary credentials; here the role is assumed (STS
AssumeRole, the instance id as the session name) with the operator's rights, and the agent then
calls AWS with those credentials only. The role is found as AWS would use it: the group's
launch template names the instance profile, the profile holds the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3


@dataclass(frozen=True)
class Node:
    instance_id: str
    role_arn: str
    session: Any
    """boto3 Session with the role's temporary credentials."""


def launch_template_data(client: Callable[[str], Any], group_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The group, and the launch template version it launches (its LaunchTemplateData)."""
    autoscaling = client("autoscaling")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]
    spec = group.get("LaunchTemplate") or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    template = client("ec2").describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    return group, template


def group_node(client: Callable[[str], Any], group_name: str, index: int = 0) -> Node:
    """The group's `index`-th instance, with its role's credentials."""
    group, template = launch_template_data(client, group_name)
    instance_id = group["Instances"][index]["InstanceId"]
    profile = template["IamInstanceProfile"]
    profile_name = profile.get("Name") or profile["Arn"].rsplit("/", 1)[1]
    role = client("iam").get_instance_profile(InstanceProfileName=profile_name)["InstanceProfile"]["Roles"][0]
    sts = client("sts")
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=instance_id)["Credentials"]
    session = boto3.session.Session(
        region_name=sts.meta.region_name,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return Node(instance_id, role["Arn"], session)
