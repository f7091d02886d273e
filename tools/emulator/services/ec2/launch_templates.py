"""EC2 launch templates.

Covers: aws:ec2 LaunchTemplate. moto keeps a launch template's `resolve:ssm:` image id as
given, as AWS does until launch; the handler checks the parameter exists, as a launch would.
Instances moto launches do not take the template's metadata options: read those from the
template, not the instance.

A change to an applied stack makes a new template version, made the default when
`updateDefaultVersion` says so, as the provider does.
"""

from __future__ import annotations

from typing import Any

from ...core.registry import Created, Existing, Request, deletes, resource, updates
from ...core.session import AwsSession, aws_call, gone
from ...core.wire import aws_tags, tag_specifications, tags_state, text_bool, to_int, without_none
from .common import TAGS, ec2_client, retag

RESOLVE_SSM = "resolve:ssm:"


@resource("aws:ec2/launchTemplate:LaunchTemplate")
def launch_template(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, 128)
    _check_image(aws, req)
    created = aws_call(
        req,
        ec2_client(aws).create_launch_template,
        LaunchTemplateName=name,
        VersionDescription=req.get("description"),
        LaunchTemplateData=_launch_template_data(req),
        TagSpecifications=tag_specifications("launch-template", req.get("tags")),
    )["LaunchTemplate"]
    template_id = created["LaunchTemplateId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": aws.arn("ec2", f"launch-template/{template_id}"),
        "latestVersion": created["LatestVersionNumber"],
        "defaultVersion": created["DefaultVersionNumber"],
    }
    return Created(template_id, state)


def _check_image(aws: AwsSession, req: Request) -> None:
    """AWS resolves `resolve:ssm:` at launch; a parameter that does not exist fails then. Fail now."""
    image = req.get("imageId", "")
    if image.startswith(RESOLVE_SSM):
        aws_call(req, aws.client("ssm").get_parameter, Name=image[len(RESOLVE_SSM) :])


def _launch_template_data(req: Request) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ImageId": req.get("imageId"),
        "InstanceType": req.get("instanceType"),
        "UserData": req.get("userData"),
        "SecurityGroupIds": req.get("vpcSecurityGroupIds"),
        "EbsOptimized": text_bool(req.get("ebsOptimized")),
    }
    profile = req.get("iamInstanceProfile", {})
    if profile:
        data["IamInstanceProfile"] = {"Arn": profile["arn"]} if profile.get("arn") else {"Name": profile.get("name")}
    metadata = req.get("metadataOptions", {})
    if metadata:
        data["MetadataOptions"] = without_none(
            {
                "HttpEndpoint": metadata.get("httpEndpoint"),
                "HttpTokens": metadata.get("httpTokens"),
                "HttpPutResponseHopLimit": to_int(metadata.get("httpPutResponseHopLimit")),
                "InstanceMetadataTags": metadata.get("instanceMetadataTags"),
            }
        )
    if req.get("monitoring"):
        data["Monitoring"] = {"Enabled": bool(req.get("monitoring").get("enabled"))}
    data["BlockDeviceMappings"] = [_block_device(d) for d in req.get("blockDeviceMappings", [])]
    data["TagSpecifications"] = [
        {"ResourceType": spec["resourceType"], "Tags": aws_tags(spec.get("tags"))}
        for spec in req.get("tagSpecifications", [])
    ]
    return without_none(data)


def _block_device(device: dict[str, Any]) -> dict[str, Any]:
    ebs = device.get("ebs", {})
    return without_none(
        {
            "DeviceName": device.get("deviceName"),
            "Ebs": without_none(
                {
                    "VolumeSize": to_int(ebs.get("volumeSize")),
                    "VolumeType": ebs.get("volumeType"),
                    "Encrypted": text_bool(ebs.get("encrypted")),
                    "DeleteOnTermination": text_bool(ebs.get("deleteOnTermination")),
                    "KmsKeyId": ebs.get("kmsKeyId"),
                    "Iops": to_int(ebs.get("iops")),
                    "Throughput": to_int(ebs.get("throughput")),
                }
            ),
        }
    )


# --- changes to an applied stack: updates in place and deletes ------------------------------


LAUNCH_DATA = (
    "imageId",
    "instanceType",
    "userData",
    "vpcSecurityGroupIds",
    "ebsOptimized",
    "iamInstanceProfile",
    "metadataOptions",
    "monitoring",
    "blockDeviceMappings",
    "tagSpecifications",
    "description",
)
"""What the provider's update puts in a new template version (its updateKeys, as we declare them)."""


@updates("aws:ec2/launchTemplate:LaunchTemplate", handles=(*TAGS, *LAUNCH_DATA, "updateDefaultVersion"))
def update_launch_template(aws: AwsSession, req: Request, old: Existing) -> Created:
    """A changed template is a new version (the whole data again, as the provider sends it), made the
    default when `updateDefaultVersion`; the group then refers to it by its number."""
    ec2 = ec2_client(aws)
    latest, default = old.get("latestVersion"), old.get("defaultVersion")
    if any(req.get(key) != old.inputs.get(key) for key in LAUNCH_DATA):
        _check_image(aws, req)
        latest = aws_call(
            req,
            ec2.create_launch_template_version,
            LaunchTemplateId=old.id,
            VersionDescription=req.get("description"),
            LaunchTemplateData=_launch_template_data(req),
        )["LaunchTemplateVersion"]["VersionNumber"]
    if req.get("updateDefaultVersion") and default != latest:
        aws_call(req, ec2.modify_launch_template, LaunchTemplateId=old.id, DefaultVersion=str(latest))
        default = latest
    retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req), latestVersion=latest, defaultVersion=default))


@deletes("aws:ec2/launchTemplate:LaunchTemplate")
def delete_launch_template(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_launch_template, "InvalidLaunchTemplateId.NotFound", LaunchTemplateId=old.id)
