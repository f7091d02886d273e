"""EC2 network handlers (tools/emulator/services/ec2/network.py), asserted on moto's state."""

from __future__ import annotations

import pytest

from tools.emulator import EmulatorError

NETWORK = """
zones = aws.get_availability_zones(state="available").names
vpc = aws.ec2.Vpc("vpc", cidr_block="10.3.0.0/16", enable_dns_hostnames=True, tags={"Name": "probe"})
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
public = aws.ec2.Subnet("public", vpc_id=vpc.id, cidr_block="10.3.0.0/24", availability_zone=zones[0])
private = aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.3.1.0/24", availability_zone=zones[1])
eip = aws.ec2.Eip("nat", domain="vpc")
nat = aws.ec2.NatGateway("nat", allocation_id=eip.id, subnet_id=public.id)
table = aws.ec2.RouteTable("private", vpc_id=vpc.id)
aws.ec2.Route("private-nat", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)
aws.ec2.RouteTableAssociation("private", subnet_id=private.id, route_table_id=table.id)
aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3", route_table_ids=[table.id])
pulumi.export("vpc", vpc.id)
pulumi.export("private", private.id)
pulumi.export("table", table.id)
pulumi.export("nat", nat.id)
pulumi.export("igw", igw.id)
"""


def test_network_resources_exist_in_moto_with_their_wiring(run, aws):
    out = run(NETWORK).outputs
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[out["vpc"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.3.0.0/16"
    assert {"Key": "Name", "Value": "probe"} in vpc["Tags"]
    dns = ec2.describe_vpc_attribute(VpcId=out["vpc"], Attribute="enableDnsHostnames")
    assert dns["EnableDnsHostnames"]["Value"] is True
    igw = ec2.describe_internet_gateways(InternetGatewayIds=[out["igw"]])["InternetGateways"][0]
    assert igw["Attachments"][0]["VpcId"] == out["vpc"]
    table = ec2.describe_route_tables(RouteTableIds=[out["table"]])["RouteTables"][0]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": out["nat"]}.items() <= next(
        r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    ).items()
    assert table["Associations"][0]["SubnetId"] == out["private"]
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert [e["ServiceName"] for e in endpoints] == ["com.amazonaws.eu-west-1.s3"]


def test_route_table_with_inline_routes_is_refused(run):
    with pytest.raises(EmulatorError, match="declare routes as aws.ec2.Route"):
        run(
            """
            vpc = aws.ec2.Vpc("vpc", cidr_block="10.3.0.0/16")
            aws.ec2.RouteTable("t", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}])
            """
        )


def test_invokes_answer_from_moto(run, aws):
    deployment = run(
        """
        zones = aws.get_availability_zones(state="available")
        pulumi.export("zones", zones.names)
        pulumi.export("region", aws.get_region().region)
        pulumi.export("account", aws.get_caller_identity().account_id)
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.5.0.0/16")
        found = vpc.id.apply(lambda i: aws.ec2.get_vpc(id=i).cidr_block)
        pulumi.export("found", found)
        """
    )
    expected = sorted(z["ZoneName"] for z in aws("ec2").describe_availability_zones()["AvailabilityZones"])
    assert deployment.outputs["zones"] == expected
    assert deployment.outputs["region"] == "eu-west-1"
    assert deployment.outputs["account"] == aws("sts").get_caller_identity()["Account"]
    assert deployment.outputs["found"] == "10.5.0.0/16"


FLOW_LOG_ROLE = """
import json
role = aws.iam.Role("flow", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
vpc = aws.ec2.Vpc("vpc", cidr_block="10.6.0.0/16")
"""


def test_a_flow_log_to_a_log_group_arn_delivers_to_that_group(run, aws):
    out = run(
        FLOW_LOG_ROLE
        + """
group = aws.cloudwatch.LogGroup("flow", name="/probe/flow")
log = aws.ec2.FlowLog("vpc", vpc_id=vpc.id, traffic_type="REJECT", log_destination=group.arn,
    iam_role_arn=role.arn, max_aggregation_interval=60)
pulumi.export("vpc", vpc.id)
pulumi.export("log", log.id)
"""
    ).outputs
    [flow_log] = aws("ec2").describe_flow_logs(FlowLogIds=[out["log"]])["FlowLogs"]
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (out["vpc"], "REJECT")
    assert (flow_log["LogGroupName"], flow_log["DeliverLogsStatus"]) == ("/probe/flow", "SUCCESS")
    assert flow_log["MaxAggregationInterval"] == 60


def test_a_flow_log_to_a_bucket_that_does_not_exist_fails_like_aws(run):
    with pytest.raises(EmulatorError, match=r"FlowLog 'vpc'.*does not exist"):
        run(
            FLOW_LOG_ROLE + 'aws.ec2.FlowLog("vpc", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",'
            ' log_destination="arn:aws:s3:::no-such-bucket/flow/")\n'
        )
