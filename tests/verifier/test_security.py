"""tools/verifier/checks/security.py: the node and load balancer security groups hold the rules the
grants declare and no other; each tamper fails its check and no other."""

from __future__ import annotations

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk


def open_epmd_to_the_world(env: Applied) -> None:
    epmd = env.settings.release.distribution.epmd_port
    env.client("ec2").authorize_security_group_ingress(
        GroupId=env.outputs["nodeSecurityGroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": epmd, "ToPort": epmd, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def _revoke_ingress(env: Applied, group: str, from_port: int) -> None:
    ec2 = env.client("ec2")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    rule = next(r for r in rules if not r["IsEgress"] and r.get("FromPort") == from_port)
    ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])


def revoke_the_distribution_range(env: Applied) -> None:
    _revoke_ingress(env, env.outputs["nodeSecurityGroupId"], env.settings.release.distribution.port_range.from_)


def revoke_https_from_the_world(env: Applied) -> None:
    _revoke_ingress(env, env.outputs["loadBalancerSecurityGroupId"], 443)


def add_an_egress_to_the_load_balancer(env: Applied) -> None:
    env.client("ec2").authorize_security_group_egress(
        GroupId=env.outputs["loadBalancerSecurityGroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )


TAMPERS = {
    "dev": [
        Tamper(open_epmd_to_the_world, "security.nodes", "extra rule: ingress tcp 4369 from 0.0.0.0/0"),
        Tamper(
            revoke_the_distribution_range, "security.nodes", "missing rule: ingress tcp 9100-9155 from the nodes group"
        ),
        Tamper(add_an_egress_to_the_load_balancer, "security.lb", "extra rule: egress tcp 5432 to 10.0.0.0/8"),
    ],
    "prod": [Tamper(revoke_https_from_the_world, "security.lb", "missing rule: ingress tcp 443 from 0.0.0.0/0")],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_security_group_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
