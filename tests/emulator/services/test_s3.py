"""S3 in moto: the bucket a stack writes flow logs to but does not own (`provide_bucket`), in this
account or another, and the error a name AWS refuses gets."""

from __future__ import annotations

import pytest

from tools.emulator import Emulator, EmulatorError
from tools.emulator.services import s3


def test_a_provided_bucket_lives_in_the_stacks_region_and_is_made_once(emulator, aws):
    s3.provide_bucket(emulator.session, "shop-flow-logs-provided")
    s3.provide_bucket(emulator.session, "shop-flow-logs-provided")  # a stack applied twice
    client = aws("s3")
    assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["shop-flow-logs-provided"]
    assert client.get_bucket_location(Bucket="shop-flow-logs-provided")["LocationConstraint"] == "eu-west-1"


def test_in_us_east_1_a_bucket_has_no_location_constraint():
    with Emulator(region="us-east-1") as emulator:
        s3.provide_bucket(emulator.session, "shop-flow-logs-east")
        location = emulator.session.client("s3").get_bucket_location(Bucket="shop-flow-logs-east")
    assert location["LocationConstraint"] is None  # AWS's answer for us-east-1


def test_a_bucket_another_account_holds_is_the_one_the_stack_means(emulator, aws):
    # bucket names are global: a central log bucket in another account is where the flow log writes
    with Emulator(region="eu-west-1") as other:
        s3.provide_bucket(other.session, "shop-flow-logs-central")
        s3.provide_bucket(emulator.session, "shop-flow-logs-central")
        assert [b["Name"] for b in other.session.client("s3").list_buckets()["Buckets"]] == ["shop-flow-logs-central"]
        assert aws("s3").list_buckets()["Buckets"] == []  # not made a second time, nor moved


def test_a_bucket_name_aws_would_refuse_is_refused_in_aws_words(emulator):
    with pytest.raises(EmulatorError) as refused:
        s3.provide_bucket(emulator.session, "ab")
    assert str(refused.value).startswith("existing bucket 'ab': ")
