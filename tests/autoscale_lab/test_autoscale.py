"""The autoscale lab (issue 24 items 4 and 5): dev's and prod's lab variants (minSize 2, maxSize 5) under
a demand that steps from what the minimum serves to three times that, holds, then falls back
(tools/conformance/autoscale/scenario.py), their own policies run live on the datapoints in moto.

The bound on under-provisioned time, stated before the run, from the stack's settings and the lab's
clock (one lab minute = 60 / FACTOR real seconds):

    U <= D + 1 + ceil((E + G x FACTOR) / 60)   lab minutes

- D: datapoints the scale-out needs before its alarm is in ALARM: dev's target tracking, 3 one-minute
  datapoints above the target (choices.py, as AWS's alarms read "3 datapoints within 3 minutes");
  prod's run-queue step policy, its datapointsToAlarm (2) of one-minute periods;
- 1: the step can land anywhere in a minute, and the metric crosses its threshold during the first
  minute of overload, so that minute's datapoint may not breach yet;
- E: the loop reads a minute EVALUATION_LAG_SECONDS lab seconds after it closes;
- G: the stack's nodes.healthCheckGracePeriod (120 s), its budget from launch to serving: a node not
  healthy by then would be replaced. Boots and health checks are real processes and do not compress,
  so G real seconds are G x FACTOR lab seconds.

dev: 3 + 1 + ceil((15 + 1200) / 60) = 3 + 1 + 21 = 25 lab minutes; prod: 2 + 1 + 21 = 24. The scale-out
this needs is one activity: at PEAK the CPU of the two nodes is at 100 %, so dev asks ceil(2 x 100 / 60)
= 4 nodes; prod's run queue averages 50 to 100 (a breach of 0 to 50 over its threshold of 50), its step
{from: 0, to: 50, change: 1} adds one node; three nodes serve PEAK (3 x BASE, about 3 nodes' capacity).
"""

from __future__ import annotations

import math

import pytest

from tools.conformance.autoscale.lab import EVALUATION_LAG_SECONDS
from tools.conformance.autoscale.scenario import FACTOR, STEP_AT

pytestmark = pytest.mark.autoscale_lab

EXPECTED_SCALE_OUT = {"dev": "shop-dev-track-cpu", "prod": "shop-prod-step-run-queue"}
"""dev scales on CPU, its one policy. prod has three, and its run-queue step policy is the first to fire
under the step: two nodes past their capacity queue requests, the run queue averages past 50 within a
minute or two and 2 datapoints put its alarm in ALARM; the request count per target only reaches the
lab's target (a lab node's knee, variants.py) once the nodes are saturated, and needs 3 datapoints;
SchedulerUtilization stays near 50 % at saturation (OTP's `total` averages the normal and the dirty CPU
schedulers, and a request's work runs on a normal one), under its 70 % target. The report shows the
values each policy read."""
ALARM_DATAPOINTS = {"dev": 3, "prod": 2}


def bound_minutes(run) -> int:
    grace = run.settings.nodes.health_check_grace_period
    return ALARM_DATAPOINTS[run.stack] + 1 + math.ceil((EVALUATION_LAG_SECONDS + grace * FACTOR) / 60)


def launches(run) -> list[dict]:
    return [a for a in run.activities if a["Description"].startswith("Launching")]


def terminations(run) -> list[dict]:
    return [a for a in run.activities if a["Description"].startswith("Terminating")]


def test_the_scale_out_comes_from_the_expected_policy_named_in_its_activity(autoscale_run):
    first = launches(autoscale_run)
    assert first, autoscale_run.report
    policy = EXPECTED_SCALE_OUT[autoscale_run.stack]
    assert f"triggered policy {policy} changing the desired capacity from 2 to" in first[0]["Cause"], (
        autoscale_run.report
    )


def test_new_nodes_boot_join_the_mesh_and_take_traffic(autoscale_run):
    launched = [n for n in autoscale_run.nodes if n.launched_at is not None]
    assert launched and all(n.launch_result == "CONTINUE" for n in launched), autoscale_run.report
    assert all(n.serving_at is not None and n.served > 0 for n in launched), autoscale_run.report
    mesh = autoscale_run.peak_mesh
    assert len(mesh) > autoscale_run.settings.nodes.min_size, autoscale_run.report
    for name, peers in mesh.items():
        assert set(peers) == set(mesh) - {name}, mesh


def test_the_under_provisioned_time_stays_within_the_bound(autoscale_run):
    under = autoscale_run.extras["under_provisioned_minutes"]
    assert under <= bound_minutes(autoscale_run), autoscale_run.report


def test_the_scale_in_drains_with_no_failed_request(autoscale_run):
    drained = [n for n in autoscale_run.nodes if n.draining_at is not None]
    assert drained and all(n.gone_at is not None for n in drained), autoscale_run.report
    start = min(n.draining_at for n in drained) / 60
    end = max(n.gone_at for n in drained) / 60
    during = [r for r in autoscale_run.requests if start <= r["minute"] <= end + 1]
    assert len(during) > 50, len(during)
    assert [r for r in during if r.get("shed") or r.get("status") != 200] == []
    assert terminations(autoscale_run) and all(
        "shrinking the capacity" in a["Cause"] for a in terminations(autoscale_run)
    )


def test_the_group_ends_at_its_minimum(autoscale_run):
    group = autoscale_run.final_group
    minimum = autoscale_run.settings.nodes.min_size
    assert group["DesiredCapacity"] == minimum
    assert [i["LifecycleState"] for i in group["Instances"]] == ["InService"] * minimum


def test_the_step_happens_where_the_scenario_says(autoscale_run):
    assert autoscale_run.minutes[STEP_AT].demand == 3 * autoscale_run.minutes[0].demand
