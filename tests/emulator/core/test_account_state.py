"""tools/emulator/core/account_state.py: an account copied and put back, through boto3 on moto's state."""

from __future__ import annotations

import pytest

from tests.support.groups import a_group
from tools.emulator import Emulator, EmulatorError


def test_restore_undoes_changes_additions_and_deletions(run, aws, emulator):
    run(
        """
        vpc = aws.ec2.Vpc("main", cidr_block="10.1.0.0/16")
        aws.ec2.SecurityGroup("kept", vpc_id=vpc.id, description="kept")
        aws.ssm.Parameter("flag", name="/probe/flag", type="String", value="on")
        """
    )
    ec2, ssm = aws("ec2"), aws("ssm")
    (vpc,) = [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.1.0.0/16"]
    kept = _group_ids(ec2, vpc["VpcId"])
    state = emulator.snapshot()

    ec2.create_security_group(GroupName="added", Description="added later", VpcId=vpc["VpcId"])
    ssm.put_parameter(Name="/probe/flag", Value="off", Type="String", Overwrite=True)
    aws("sqs").create_queue(QueueName="a-service-first-used-after-the-snapshot")
    assert len(_group_ids(ec2, vpc["VpcId"])) == len(kept) + 1

    emulator.restore(state)
    assert _group_ids(ec2, vpc["VpcId"]) == kept
    assert ssm.get_parameter(Name="/probe/flag")["Parameter"]["Value"] == "on"
    assert aws("sqs").list_queues().get("QueueUrls", []) == []


def test_a_snapshot_restores_again_after_more_changes(run, aws, emulator):
    run('aws.ssm.Parameter("flag", name="/probe/flag", type="String", value="on")\n')
    state = emulator.snapshot()
    ssm = aws("ssm")
    for value in ("first", "second"):
        ssm.put_parameter(Name="/probe/flag", Value=value, Type="String", Overwrite=True)
        emulator.restore(state)
        parameter = ssm.get_parameter(Name="/probe/flag")["Parameter"]
        assert (parameter["Value"], parameter["Version"]) == ("on", 1)


def test_the_services_still_share_one_state_after_a_restore(aws, emulator):
    """Auto Scaling reads EC2's state (a group's subnets, the instances it launches): after a
    restore it reads the account's restored EC2, not a copy of its own."""
    a_group(aws, "before", desired=1)
    emulator.restore(emulator.snapshot())
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[a_group(aws, "after", desired=1)])
    [launched] = group["AutoScalingGroups"][0]["Instances"]
    reservations = aws("ec2").describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"]
    assert [i["InstanceId"] for r in reservations for i in r["Instances"]] == [launched["InstanceId"]]


def test_secrets_and_keys_survive_the_copy(run, aws, emulator):
    run(
        """
        key = aws.kms.Key("cookie-key", description="probe")
        aws.ssm.Parameter("cookie", name="/probe/cookie", type="SecureString", value="s3cr3t", key_id=key.arn)
        """
    )
    state = emulator.snapshot()
    aws("ssm").delete_parameter(Name="/probe/cookie")
    emulator.restore(state)
    parameter = aws("ssm").get_parameter(Name="/probe/cookie", WithDecryption=True)["Parameter"]
    assert (parameter["Type"], parameter["Value"]) == ("SecureString", "s3cr3t")
    (key,) = aws("kms").list_keys()["Keys"]
    assert aws("kms").describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_a_bucket_name_follows_its_account_back(aws, emulator):
    where = {"LocationConstraint": "eu-west-1"}
    aws("s3").create_bucket(Bucket="probe-restored-bucket", CreateBucketConfiguration=where)
    state = emulator.snapshot()
    aws("s3").delete_bucket(Bucket="probe-restored-bucket")
    with Emulator(region="eu-west-1", stack="other") as other:  # the name is free meanwhile
        other.session.client("s3").create_bucket(Bucket="probe-restored-bucket", CreateBucketConfiguration=where)
    emulator.restore(state)
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["probe-restored-bucket"]
    aws("s3").put_object(Bucket="probe-restored-bucket", Key="k", Body=b"v")  # moto finds the bucket's account


def test_after_a_restore_the_instances_a_group_launches_register_in_the_accounts_target_group(aws, emulator):
    """Services hold each other (a group registers its instances with ELBv2): a restored group must
    register with the account's target group, not with a copy of ELBv2 made for it alone."""
    a_group(aws, "nodes", desired=1)
    ec2, elbv2, autoscaling = aws("ec2"), aws("elbv2"), aws("autoscaling")
    [vpc] = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.0.0.0/16"]
    target_group = elbv2.create_target_group(Name="nodes", Protocol="HTTP", Port=4000, VpcId=vpc)["TargetGroups"][0]
    arn = target_group["TargetGroupArn"]
    autoscaling.attach_load_balancer_target_groups(AutoScalingGroupName="nodes", TargetGroupARNs=[arn])
    emulator.restore(emulator.snapshot())

    autoscaling.set_desired_capacity(AutoScalingGroupName="nodes", DesiredCapacity=3)
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes"])["AutoScalingGroups"]
    launched = {i["InstanceId"] for i in group["Instances"]}
    assert len(launched) == 3
    registered = {
        t["Target"]["Id"] for t in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    }
    assert registered == launched


def test_another_accounts_snapshot_is_refused(emulator):
    with Emulator(region="eu-west-1", stack="other") as other:
        state = other.snapshot()
    with pytest.raises(EmulatorError, match=f"a snapshot of account {state.account_id} cannot restore"):
        emulator.restore(state)


def test_a_moto_server_account_cannot_be_copied():
    emulator = Emulator(region="eu-west-1", endpoint="http://127.0.0.1:1", account_id="123456789012")
    with pytest.raises(EmulatorError, match="cannot snapshot an account in the moto server"):
        emulator.snapshot()


def _group_ids(ec2, vpc_id: str) -> set[str]:
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {group["GroupId"] for group in groups}
