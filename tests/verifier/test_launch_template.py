"""tools/verifier/checks/launch_template.py against the launch template's plan: each field it
compares, changed by hand in a new template version made the default, fails its check and no other.

Each tamper starts from the version the group launches, as an operator copying it in the
console would, so the previous tamper's version is neither default nor latest any more and
verify no longer reads it: each is compared with the clean stack. Expected details are AWS's
values and the stack file's, written out.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from tests.support.aws_state import group_of
from tests.support.stacks import Applied, Deploy
from tests.support.verify import Change, Tamper, failures, findings, walk

DEBUG_GROUP = "sg-0123456789abcdef0"


def new_default_version(name: str, change: Callable[[dict[str, Any], Applied], None]) -> Change:
    """A new version of the group's version, `change`d, made the template's default."""

    def tamper(env: Applied) -> None:
        ec2 = env.client("ec2")
        spec = group_of(env)["LaunchTemplate"]
        data = ec2.describe_launch_template_versions(
            LaunchTemplateId=spec["LaunchTemplateId"], Versions=[spec["Version"]]
        )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        # moto lists the template's own tags among the data's, which AWS does not, nor accepts there
        data["TagSpecifications"] = [s for s in data["TagSpecifications"] if s["ResourceType"] != "launch-template"]
        change(data, env)
        version = ec2.create_launch_template_version(LaunchTemplateId=spec["LaunchTemplateId"], LaunchTemplateData=data)
        number = version["LaunchTemplateVersion"]["VersionNumber"]
        ec2.modify_launch_template(LaunchTemplateId=spec["LaunchTemplateId"], DefaultVersion=str(number))

    tamper.__name__ = name
    return tamper


def _metadata(**options: Any) -> Callable[[dict[str, Any], Applied], None]:
    """These metadata options changed (IMDSv2, the endpoint, tags in the metadata, the hop limit)."""

    def change(data: dict[str, Any], _: Applied) -> None:
        data["MetadataOptions"] = {**data["MetadataOptions"], **options}

    return change


def _root(data: dict[str, Any]) -> dict[str, Any]:
    return data["BlockDeviceMappings"][0]["Ebs"]


def _debug_profile(data: dict[str, Any], env: Applied) -> None:
    """An instance profile someone made for debugging, not the stack's."""
    env.client("iam").create_instance_profile(InstanceProfileName="debug-admin")
    data["IamInstanceProfile"] = {"Name": "debug-admin"}


def _tag_the_volume_as(name: str) -> Callable[[dict[str, Any], Applied], None]:
    def change(data: dict[str, Any], _: Applied) -> None:
        volume = next(s for s in data["TagSpecifications"] if s["ResourceType"] == "volume")
        volume["Tags"] = [t if t["Key"] != "Name" else {"Key": "Name", "Value": name} for t in volume["Tags"]]

    return change


def _append_to_the_user_data(data: dict[str, Any], _: Applied) -> None:
    text = base64.b64decode(data["UserData"]).decode() + "\nruncmd: [touch /tmp/debug]\n"
    data["UserData"] = base64.b64encode(text.encode()).decode()


TAMPERS = [
    Tamper(
        new_default_version("allow_imds_v1", _metadata(HttpTokens="optional")),
        "launch_template.metadata",
        "version 2 (default, latest): HttpTokens optional",
    ),
    Tamper(
        new_default_version("turn_the_metadata_endpoint_off", _metadata(HttpEndpoint="disabled")),
        "launch_template.metadata",
        "the metadata endpoint is off",
    ),
    Tamper(
        new_default_version("hide_the_tags_from_the_metadata", _metadata(InstanceMetadataTags="disabled")),
        "launch_template.metadata",
        "instance metadata tags off",
    ),
    Tamper(
        new_default_version("let_containers_reach_the_metadata", _metadata(HttpPutResponseHopLimit=2)),
        "launch_template.metadata",
        "hop limit 2, declared 1",
    ),
    Tamper(
        new_default_version("boot_another_image", lambda data, _: data.update(ImageId="ami-0123456789abcdef0")),
        "launch_template.image",
        "ImageId 'ami-0123456789abcdef0', declared "
        "'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64'",
    ),
    Tamper(
        new_default_version("start_bigger_nodes", lambda data, _: data.update(InstanceType="t4g.xlarge")),
        "launch_template.image",
        "InstanceType 't4g.xlarge', declared 't4g.small'",
    ),
    Tamper(
        new_default_version("run_one_more_command_at_boot", _append_to_the_user_data),
        "launch_template.image",
        "is not the bootstrap the stack renders",
    ),
    Tamper(
        new_default_version("shrink_the_root_volume", lambda data, _: _root(data).update(VolumeSize=8)),
        "launch_template.root_volume",
        "block devices [/dev/xvda gp3 8 GiB encrypted], declared [/dev/xvda gp3 20 GiB encrypted]",
    ),
    Tamper(
        new_default_version("leave_the_root_volume_unencrypted", lambda data, _: _root(data).update(Encrypted=False)),
        "launch_template.root_volume",
        "block devices [/dev/xvda gp3 20 GiB unencrypted]",
    ),
    Tamper(
        new_default_version(
            "keep_root_volumes_of_gone_nodes", lambda data, _: _root(data).update(DeleteOnTermination=False)
        ),
        "launch_template.root_volume",
        "block devices [/dev/xvda gp3 20 GiB encrypted, kept after termination]",
    ),
    Tamper(
        new_default_version("turn_detailed_monitoring_off", lambda data, _: data.update(Monitoring={"Enabled": False})),
        "launch_template.monitoring",
        "detailed monitoring off",
    ),
    Tamper(
        new_default_version("rename_the_node_volumes", _tag_the_volume_as("debug")),
        "launch_template.tags",
        "volume tag Name 'debug', declared 'shop-dev-node'",
    ),
    Tamper(
        new_default_version(
            "stop_tagging_the_interfaces",
            lambda data, _: data.update(
                TagSpecifications=[s for s in data["TagSpecifications"] if s["ResourceType"] != "network-interface"]
            ),
        ),
        "launch_template.tags",
        "network-interface untagged at launch",
    ),
    Tamper(
        new_default_version(
            "let_nodes_reach_the_debug_group",
            lambda data, _: data.update(SecurityGroupIds=[*data["SecurityGroupIds"], DEBUG_GROUP]),
        ),
        "launch_template.security_groups",
        f"undeclared security groups {DEBUG_GROUP}",
    ),
    Tamper(
        new_default_version("start_nodes_with_a_debug_profile", _debug_profile),
        "launch_template.instance_profile",
        "instance profile debug-admin is not this stack's (no tag elixir-cluster:cluster=shop-dev)",
    ),
]
"""On dev, in this order; each from the version the group launches (they do not add up)."""


def test_each_launch_template_tamper_fails_its_check_and_no_other(deploy: Deploy) -> None:
    env = deploy("dev")
    walk(env, TAMPERS, cumulative=False)
    # every version a node may start from is checked: the last tamper's is default and latest
    assert "version 16 (default, latest)" in failures(findings(env))["launch_template.instance_profile"]
