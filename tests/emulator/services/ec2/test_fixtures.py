"""The EC2 fixtures (tools/emulator/services/ec2/fixtures.py): what a stack references but does not own."""

from __future__ import annotations

from tools.emulator.services import ec2 as ec2_handlers


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
