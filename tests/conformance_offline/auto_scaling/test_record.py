"""A refresh's record moved in a moto server through the stand-in's route (record.py), as the node
lab's server in its own process is moved: what DescribeInstanceRefreshes then reports."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support.groups import a_group
from tests.support.moto_server import server_account
from tools.conformance.auto_scaling import record

REGION = "eu-west-1"


@pytest.fixture
def served_group(moto_server):
    record.install()
    account = server_account(moto_server)
    a_group(lambda service: account.client(service, REGION), "nodes", desired=2)
    autoscaling = account.client("autoscaling", REGION)
    refresh_id = autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")["InstanceRefreshId"]
    return account, autoscaling, refresh_id


def test_a_server_record_moves_the_refresh_as_describe_then_reports_it(moto_server, served_group):
    account, autoscaling, refresh_id = served_group
    moved = record.ServerRecord(moto_server, account.account_id, REGION, "nodes", refresh_id)

    moved.move_to("InProgress")
    moved.progress(50, 1)  # one of the two nodes replaced
    [running] = autoscaling.describe_instance_refreshes(AutoScalingGroupName="nodes")["InstanceRefreshes"]
    assert (running["Status"], running["PercentageComplete"], running["InstancesToUpdate"]) == ("InProgress", 50, 1)

    moved.move_to("Failed", "The instance refresh failed because alarm shop-prod-5xx-rate went into the ALARM state.")
    [failed] = autoscaling.describe_instance_refreshes(AutoScalingGroupName="nodes")["InstanceRefreshes"]
    assert failed["Status"] == "Failed"
    assert failed["StatusReason"].endswith("went into the ALARM state.")
    assert "EndTime" in failed


def test_the_route_answers_404_for_a_refresh_it_does_not_hold(moto_server, served_group):
    account, _autoscaling, _refresh_id = served_group
    body = {
        "account": account.account_id,
        "region": REGION,
        "group": "nodes",
        "refreshId": "nope",
        "status": "InProgress",
    }
    request = urllib.request.Request(
        moto_server + record.ROUTE, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404
