"""EC2 and VPC handlers, asserted on moto's state."""

from __future__ import annotations

import pytest

from tools.emulator import EmulatorError
from tools.emulator.services import ec2 as ec2_handlers

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


SECURITY = """
vpc = aws.ec2.Vpc("vpc", cidr_block="10.4.0.0/16")
lb = aws.ec2.SecurityGroup("lb", vpc_id=vpc.id, description="lb")
nodes = aws.ec2.SecurityGroup("nodes", vpc_id=vpc.id, description="nodes")
aws.vpc.SecurityGroupIngressRule("https", security_group_id=lb.id, ip_protocol="tcp", from_port=443, to_port=443,
                                 cidr_ipv4="0.0.0.0/0", description="clients")
aws.vpc.SecurityGroupIngressRule("app", security_group_id=nodes.id, ip_protocol="tcp", from_port=4000, to_port=4000,
                                 referenced_security_group_id=lb.id)
aws.vpc.SecurityGroupIngressRule("v6", security_group_id=lb.id, ip_protocol="tcp", from_port=443, to_port=443,
                                 cidr_ipv6="::/0")
aws.vpc.SecurityGroupEgressRule("out", security_group_id=nodes.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0")
pulumi.export("lb", lb.id)
pulumi.export("nodes", nodes.id)
"""


def _rules(ec2, group_id):
    return ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]


def test_security_group_rules_land_on_their_groups(run, aws):
    deployment = run(SECURITY)
    ec2 = aws("ec2")
    lb, nodes = deployment.outputs["lb"], deployment.outputs["nodes"]
    app = [r for r in _rules(ec2, nodes) if not r["IsEgress"]]
    assert len(app) == 1
    assert (app[0]["FromPort"], app[0]["ToPort"], app[0]["ReferencedGroupInfo"]["GroupId"]) == (4000, 4000, lb)
    lb_in = sorted(
        (r.get("CidrIpv4") or r.get("CidrIpv6"), r["FromPort"]) for r in _rules(ec2, lb) if not r["IsEgress"]
    )
    assert lb_in == [("0.0.0.0/0", 443), ("::/0", 443)]
    assert deployment.named("app").id == app[0]["SecurityGroupRuleId"]


def test_a_new_security_group_has_no_egress_until_declared(run, aws):
    deployment = run(SECURITY)
    ec2 = aws("ec2")
    assert [r for r in _rules(ec2, deployment.outputs["lb"]) if r["IsEgress"]] == []
    egress = [r for r in _rules(ec2, deployment.outputs["nodes"]) if r["IsEgress"]]
    assert [(r["IpProtocol"], r["CidrIpv4"]) for r in egress] == [("-1", "0.0.0.0/0")]


def test_a_rule_needs_exactly_one_peer(run):
    with pytest.raises(EmulatorError, match="exactly one of cidrIpv4"):
        run(
            """
            vpc = aws.ec2.Vpc("vpc", cidr_block="10.4.0.0/16")
            sg = aws.ec2.SecurityGroup("sg", vpc_id=vpc.id)
            aws.vpc.SecurityGroupIngressRule("r", security_group_id=sg.id, ip_protocol="tcp", from_port=1, to_port=1)
            """
        )


def test_a_rule_on_a_missing_group_fails_like_aws(run):
    with pytest.raises(EmulatorError, match="InvalidGroup.NotFound"):
        run(
            'aws.vpc.SecurityGroupIngressRule("r", security_group_id="sg-0123456789abcdef0", ip_protocol="tcp",'
            ' from_port=1, to_port=1, cidr_ipv4="10.0.0.0/8")\n'
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


def test_provide_network_makes_the_named_vpc_and_subnets_exist(emulator, aws, run):
    ec2_handlers.provide_network(
        emulator.session,
        "vpc-0aaaabbbbccccdddd",
        ["subnet-0aaaa00000000001", "subnet-0aaaa00000000002"],
        ["subnet-0bbbb00000000001", "subnet-0bbbb00000000002"],
    )
    subnets = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": ["vpc-0aaaabbbbccccdddd"]}])["Subnets"]
    assert len(subnets) == 4
    public_zones = {s["AvailabilityZone"] for s in subnets if s["SubnetId"].startswith("subnet-0aaaa")}
    assert len(public_zones) == 2  # an ALB needs two zones
    out = run('pulumi.export("az", aws.ec2.get_subnet(id="subnet-0bbbb00000000002").availability_zone)\n').outputs
    assert out["az"] in {s["AvailabilityZone"] for s in subnets}


def test_a_default_security_group_is_adopted_with_only_the_declared_rules(run, aws):
    out = run(
        """
vpc = aws.ec2.Vpc("vpc", cidr_block="10.5.0.0/16")
group = aws.ec2.DefaultSecurityGroup("default", vpc_id=vpc.id, tags={"Name": "closed"},
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.5.0.0/16"]}])
pulumi.export("vpc", vpc.id)
pulumi.export("group", group.id)
"""
    ).outputs
    [group] = aws("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [out["vpc"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert group["GroupId"] == out["group"]
    assert group["IpPermissions"] == []
    [egress] = group["IpPermissionsEgress"]  # AWS's allow-all egress is gone, the declared rule is there
    assert (egress["IpProtocol"], egress["FromPort"], egress["IpRanges"]) == ("tcp", 443, [{"CidrIp": "10.5.0.0/16"}])
    assert {"Key": "Name", "Value": "closed"} in group["Tags"]


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
