"""Program fragments the handler tests build on (pulumi, aws and random are in scope)."""

NETWORK = """
zones = aws.get_availability_zones(state="available").names
vpc = aws.ec2.Vpc("vpc", cidr_block="10.8.0.0/16")
subnets = [aws.ec2.Subnet(f"s{i}", vpc_id=vpc.id, cidr_block=f"10.8.{i}.0/24", availability_zone=zones[i])
           for i in range(2)]
sg = aws.ec2.SecurityGroup("sg", vpc_id=vpc.id)
"""

TARGET_GROUP = """
tg = aws.lb.TargetGroup("tg", port=4000, protocol="HTTP", vpc_id=vpc.id, deregistration_delay=45,
    load_balancing_algorithm_type="least_outstanding_requests",
    health_check={"path": "/health", "interval": 10, "timeout": 5, "healthy_threshold": 2,
                  "unhealthy_threshold": 3, "matcher": "200"})
"""

GROUP = """
ami = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
template = aws.ec2.LaunchTemplate("lt", image_id=ami, instance_type="t4g.small",
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "instance_metadata_tags": "enabled"},
    block_device_mappings=[{"device_name": "/dev/xvda",
                            "ebs": {"volume_size": 20, "volume_type": "gp3", "encrypted": "true"}}])
group = aws.autoscaling.Group("asg", min_size=2, max_size=4, desired_capacity=2,
    vpc_zone_identifiers=[s.id for s in subnets], target_group_arns=[tg.arn],
    health_check_type="ELB", health_check_grace_period=120,
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    enabled_metrics=["GroupInServiceInstances", "GroupDesiredCapacity"],
    tags=[{"key": "elixir-cluster:cluster", "value": "shop-dev", "propagate_at_launch": True}])
"""
