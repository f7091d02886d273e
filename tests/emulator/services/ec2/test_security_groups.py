"""EC2 security group handlers (tools/emulator/services/ec2/security_groups.py), asserted on moto's state."""

from __future__ import annotations

import pytest

from tools.emulator import EmulatorError

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
