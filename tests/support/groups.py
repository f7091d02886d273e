"""An Auto Scaling group made through boto3 alone, for the emulator's tests of what its groups
do (no Pulumi program needed): one subnet, a launch template, `desired` instances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IMAGE = "ami-0123456789abcdef0"


def a_group(
    aws: Callable[[str], Any], name: str = "nodes", *, desired: int = 2, mixed: bool = False, **group: Any
) -> str:
    """Create the group `name` (and what it needs) in `aws`'s account; returns its name."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"]
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{name}-template", LaunchTemplateData={"ImageId": IMAGE, "InstanceType": "t4g.small"}
    )["LaunchTemplate"]["LaunchTemplateId"]
    spec = {"LaunchTemplateId": template, "Version": "1"}
    launch: dict[str, Any] = {"LaunchTemplate": spec}
    if mixed:
        launch = {
            "MixedInstancesPolicy": {
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": spec,
                    "Overrides": [{"InstanceType": "t4g.small"}, {"InstanceType": "t4g.medium"}],
                },
                "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 50},
            }
        }
    aws("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=0,
        MaxSize=4,
        DesiredCapacity=desired,
        VPCZoneIdentifier=subnet["SubnetId"],
        **launch,
        **group,
    )
    return name
