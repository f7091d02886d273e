"""The launch template's plan (plans/launch_template.py) as DescribeLaunchTemplateVersions reports
LaunchTemplateData: instance metadata, the image and type, the user data, the root volume,
monitoring, the tags at launch, the security groups."""

from __future__ import annotations

import base64

from components.plans.launch_template import METADATA_OPTIONS, launch_template_plan
from components.plans.user_data import render_user_data

AL2023_ARM = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"


def test_instance_metadata_is_imdsv2_only_one_hop_with_tags():
    assert METADATA_OPTIONS.described() == {
        "HttpEndpoint": "enabled",
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 1,
        "InstanceMetadataTags": "enabled",
    }


def test_a_node_starts_from_the_configured_image_and_type_with_one_minute_metrics(settings):
    described = launch_template_plan(settings(nodes={"instanceTypes": ["c7g.large"], "ami": AL2023_ARM})).described()
    assert (described["ImageId"], described["InstanceType"]) == (AL2023_ARM, "c7g.large")
    assert described["Monitoring"] == {"Enabled": True}
    assert described["MetadataOptions"]["HttpTokens"] == "required"


def test_with_several_types_the_template_names_none(settings):
    described = launch_template_plan(settings(nodes={"instanceTypes": ["c7g.large", "c6g.large"]})).described()
    assert "InstanceType" not in described


def test_the_root_volume_is_encrypted_gp3_of_the_configured_size_and_leaves_with_the_node(settings):
    described = launch_template_plan(settings(nodes={"instanceTypes": ["c7g.large"], "rootVolumeGiB": 40})).described()
    assert described["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",  # Amazon Linux 2023's root device
            "Ebs": {"Encrypted": True, "DeleteOnTermination": True, "VolumeSize": 40, "VolumeType": "gp3"},
        }
    ]


def test_the_user_data_is_the_rendered_bootstrap_base64_encoded(settings):
    stack = settings(nodes={"instanceTypes": ["c7g.large"]})
    user_data = base64.b64decode(launch_template_plan(stack).described()["UserData"]).decode()
    assert user_data.startswith("#cloud-config")
    assert user_data == render_user_data(stack)


def test_volumes_and_interfaces_are_tagged_as_the_node(settings):
    stack = settings(cluster={"tags": {"team": "payments"}}, nodes={"instanceTypes": ["c7g.large"]})
    tags = [
        {"Key": "Environment", "Value": "dev"},
        {"Key": "ManagedBy", "Value": "pulumi"},
        {"Key": "Name", "Value": "shop-dev-node"},
        {"Key": "elixir-cluster:cluster", "Value": "shop-dev"},
        {"Key": "team", "Value": "payments"},
    ]
    assert launch_template_plan(stack).described()["TagSpecifications"] == [
        {"ResourceType": "volume", "Tags": tags},
        {"ResourceType": "network-interface", "Tags": tags},
    ]


def test_the_node_security_group_comes_first_then_the_extra_ones(settings):
    extra = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"]
    plan = launch_template_plan(settings(nodes={"instanceTypes": ["c7g.large"], "extraSecurityGroupIds": extra}))
    assert plan.security_group_ids("sg-0aaaaaaaaaaaaaaaa") == ["sg-0aaaaaaaaaaaaaaaa", *extra]
