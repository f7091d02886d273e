"""The stack's region: read as the AWS provider reads it, and one AWS has."""

from __future__ import annotations

import botocore
import botocore.loaders
import pytest

from components.settings import (
    AVAILABILITY_ZONES_BY_REGION,
    SettingsError,
    load_settings,
    stack_region,
)
from tests.support.fragments import CERTIFICATE, EXISTING_WEB_ACL, MINIMAL
from tests.support.sections import problems

STACK_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
"""The partitions a stack can be in: the ARNs the settings take name these."""


def test_the_regions_are_botocores():
    """The list is botocore's endpoint data: a botocore that knows another region fails here, until
    its published zone count is added beside it."""
    endpoints = botocore.loaders.Loader().load_data("endpoints")
    regions = {
        region
        for partition in endpoints["partitions"]
        if partition["partition"] in STACK_PARTITIONS
        for region in partition["regions"]
    }
    assert set(AVAILABILITY_ZONES_BY_REGION) == regions, f"botocore {botocore.__version__}"


def test_zone_counts_as_aws_publishes_them():
    """Spot checks against AWS's regions page: N. Virginia six, Oregon, Tokyo and Seoul four."""
    counts = AVAILABILITY_ZONES_BY_REGION
    assert (counts["us-east-1"], counts["us-west-2"], counts["ap-northeast-1"], counts["ap-northeast-2"]) == (
        6,
        4,
        4,
        4,
    )
    assert (counts["eu-west-1"], counts["eu-central-1"], counts["us-gov-west-1"]) == (3, 3, 3)
    assert min(counts.values()) >= 3  # every region AWS opens now has three zones or more


def test_an_unknown_region_is_refused_with_the_closest_one_first():
    assert problems(region="eu-wset-1") == [
        "aws:region: did you mean eu-west-1? no such AWS region in botocore's endpoint data; a region AWS opened "
        'since takes `aws:skipRegionValidation: true` (as the AWS provider\'s own check does), got "eu-wset-1"'
    ]


def test_an_unknown_region_from_the_environment_says_where_it_came_from(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "zz-north-1")
    with pytest.raises(SettingsError) as refused:
        load_settings(MINIMAL, stack="dev")
    [line] = refused.value.problems
    assert line.startswith("aws:region: ") and "no such AWS region" in line
    assert line.endswith('got "zz-north-1" (from AWS_REGION)')


def test_skip_region_validation_takes_a_region_aws_opened_since():
    with pytest.raises(SettingsError):
        load_settings(MINIMAL, stack="dev", region="eu-west-9")
    assert load_settings(MINIMAL, stack="dev", region="eu-west-9", skip_region_validation=True).region == "eu-west-9"


@pytest.mark.parametrize(
    "load_balancer",
    [{"certificateArn": CERTIFICATE}, {"certificateArn": CERTIFICATE, "waf": {"webAclArn": EXISTING_WEB_ACL}}],
    ids=["certificate", "web ACL"],
)
def test_a_bad_region_takes_no_other_line_with_it(load_balancer):
    """The certificate's and the web ACL's regions are compared with a region that is one, not with a typo."""
    lines = problems(region="eu-west-9", stack="prod", loadBalancer=load_balancer)
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines] == ["aws:region"]


def test_the_stack_file_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert stack_region("eu-west-1") == stack_region("eu-west-1", environ={})
    assert stack_region(None).name == "us-west-2" and stack_region(None).from_environment
