"""The autoscale lab (issue 24 items 4 and 5): dev's and prod's lab variants (minSize 2, maxSize 5) under
a demand that steps from what the minimum serves to three times that, holds, then falls back
(tools/conformance/autoscale/scenario.py), their own policies run live on the datapoints in moto. The
work per request is calibrated at the start of each run (calibrate.py), so a node serves the same
number of requests on any machine and the levels below hold wherever the lab runs.

The bound on under-provisioned time, stated before the run, from the stack's settings and the lab's
clock (one lab minute = 60 / FACTOR real seconds):

    U <= D + 1 + ceil((E + G x FACTOR) / 60)   lab minutes

- D: datapoints the expected scale-out needs before its alarm is in ALARM: both stacks' expected
  policies are target tracking, 3 one-minute datapoints above the target (choices.py, as AWS's alarms
  read "3 datapoints within 3 minutes");
- 1: the step can land anywhere in a minute, and the metric crosses its threshold during the first
  minute of overload, so that minute's datapoint may not breach yet;
- E: the loop reads a minute EVALUATION_LAG_SECONDS lab seconds after it closes;
- G: the stack's nodes.healthCheckGracePeriod (120 s), its budget from launch to serving: a node not
  healthy by then would be replaced. Boots and health checks are real processes and do not compress,
  so G real seconds are G x FACTOR lab seconds.

dev and prod: 3 + 1 + ceil((15 + 1200) / 60) = 3 + 1 + 21 = 25 lab minutes. The scale-out this needs is
one activity: at PEAK (1.08 times what two nodes serve) the CPU of the two nodes is at 100 %, so dev
asks ceil(2 x 100 / 60) = 4 nodes; prod's schedulerUtilization asks ceil(2 x 100 / 70) = 3; three
nodes serve PEAK (4.32 of their 6 requests per lab second).
"""

from __future__ import annotations

import math

import pytest

from components.plans.names import step_policy_name, target_tracking_policy_name
from components.plans.scaling import tracked_metric_name
from tools.conformance.autoscale.lab import EVALUATION_LAG_SECONDS
from tools.conformance.autoscale.scenario import FACTOR, STEP_AT
from tools.simulator.choices import DEFAULT_CHOICES

pytestmark = pytest.mark.autoscale_lab

EXPECTED_SCALE_OUT = {
    "dev": ("shop-dev-track-cpu",),
    "prod": ("shop-prod-track-requestsPerTarget", "shop-prod-track-schedulerUtilization"),
}
"""The policies that may make the first scale-out, by hand from the stack files and the calibrated node
(NODE_CAPACITY 2 requests per lab second, 120 a lab minute, at 100 % of its quota).

dev scales on CPU, its one policy: 100 % from the step's own minute, 3 datapoints above 60, so ALARM
at STEP_AT + 2, asking ceil(2 x 100 / 60) = 4.

prod has three. At PEAK two nodes are past their capacity (by 8 % if the machine runs the run at the
calibrated speed; the speed of this shared machine drifts by up to 30 % between the calibration and the
step, so the overload has lasted from two minutes to eight):
- requestsPerTarget (the lab's target 100, 3 datapoints): saturated nodes answer their capacity, about
  120 each a lab minute, from the step's minute on: ALARM at STEP_AT + 2, asking ceil(2 x 120 / 100) = 3.
  Nodes that keep up with the step (the machine ran faster than calibrated, as in CI's run of stop 27:
  the schedulers read 28 to 55 %) answer the demand, 4.32 x 60 / 2 = 129.6 each: the same alarm, the same 3;
- schedulerUtilization (target 70, 3 datapoints): nodes with requests always waiting keep their
  normal schedulers busy all the time, 100 %; the step's own minute averages the release's samples
  across the switch, 22 to 75 in this branch's runs, so ALARM at STEP_AT + 2 or STEP_AT + 3 (later,
  or not at all, when the machine outran the calibration and two nodes were barely overloaded), asking
  ceil(2 x 100 / 70) = 3;
- the run-queue step (50, 2 datapoints): the queue is the backlog, which grows by what the demand
  exceeds the capacity by: (4.32 - 2 x 1.7) x 60 / 2 = 28 requests per node per lab minute at the
  slowest capacity a run measured (1.7), so a minute's average passes 50 in the third minute of the
  overload at the earliest: ALARM at STEP_AT + 3 at the earliest, after both target tracking policies.
Which of the two target tracking policies comes first is not the stack's to decide: both read the same
saturation, and a single minute's count swings with the loop's timing (56 to 143 at saturation in one
run) while the machine's speed drifts (calibrate.py). When both are in ALARM in the same minute they ask
for the same 3, and AWS "chooses the policy that provides the largest capacity"
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scale-based-on-demand.html
#multiple-scaling-policy-resolution), either one: the loop, like the replay, names the first in the
stack file's order (requestsPerTarget) and keeps the other in the minute's `tied`, and the report says
"tie". So the test asks that the named policy is one of these, and that a tie is named that way."""


def stack_order(run) -> list[str]:
    """The stack's policies in the order the loop weighs them: target tracking as listed, then step."""
    settings = run.settings
    return [target_tracking_policy_name(settings, t) for t in settings.scaling.target_tracking] + [
        step_policy_name(settings, s) for s in settings.scaling.step
    ]


def datapoints_to_alarm(run, policy: str) -> int:
    """How many breaching one-minute datapoints put the policy's alarm in ALARM."""
    settings = run.settings
    for spec in settings.scaling.step:
        if step_policy_name(settings, spec) == policy:
            return spec.datapoints_to_alarm or spec.evaluation_periods
    return DEFAULT_CHOICES.scale_out_datapoints


def first_scale_out(run):
    """The minute whose evaluation first raised the desired capacity."""
    return next(m for m in run.minutes if m.desired > run.settings.nodes.min_size)


def named_in(activity: dict) -> str:
    return activity["Cause"].split("triggered policy ", 1)[1].split(" ", 1)[0]


def bound_minutes(run) -> int:
    grace = run.settings.nodes.health_check_grace_period
    expected = max(datapoints_to_alarm(run, policy) for policy in EXPECTED_SCALE_OUT[run.stack])
    return expected + 1 + math.ceil((EVALUATION_LAG_SECONDS + grace * FACTOR) / 60)


def launches(run) -> list[dict]:
    return [a for a in run.activities if a["Description"].startswith("Launching")]


def terminations(run) -> list[dict]:
    return [a for a in run.activities if a["Description"].startswith("Terminating")]


def test_the_scale_out_comes_from_the_expected_policy_named_in_its_activity(autoscale_run):
    first = launches(autoscale_run)
    assert first, autoscale_run.report
    policy = named_in(first[0])
    assert policy in EXPECTED_SCALE_OUT[autoscale_run.stack], autoscale_run.report
    assert f"triggered policy {policy} changing the desired capacity from 2 to" in first[0]["Cause"], (
        autoscale_run.report
    )
    # a tie is named as the replay names it: the first, in the stack file's order, of those asking the most
    order = stack_order(autoscale_run)
    tied = first_scale_out(autoscale_run).tied
    assert all(order.index(policy) < order.index(other) for other in tied), autoscale_run.report


def test_the_first_scale_out_comes_after_the_step_on_datapoints_of_the_step(autoscale_run):
    """No alarm that scaled out read a baseline minute: the baseline is under every threshold, on any
    machine, because the calibration makes a node's capacity the same everywhere."""
    scale_out = first_scale_out(autoscale_run)
    named = named_in(launches(autoscale_run)[0])
    assert scale_out.minute >= STEP_AT + datapoints_to_alarm(autoscale_run, named) - 1, autoscale_run.report


SATURATED_UTILIZATION = 90
"""What the release's SchedulerUtilization reads, at least, on a node whose requests always wait. OTP's
`total`, which the release sent before, cannot pass 50 on these nodes: it averages the 2 normal
schedulers with the 2 dirty CPU schedulers, which sit idle (Shop.BeamMetrics's moduledoc)."""
WAITED_SECONDS = 1.0
"""A minute of the step whose p99 (HAProxy's request log) passed this had requests waiting on the first
nodes: a request of the run costs 5 ms of CPU, 50 ms on a tenth of a core, so 1 s is a queue of some 20
(at the baseline the p99 is about 0.1 s)."""


def test_scheduler_utilization_reads_near_100_on_nodes_the_calibration_keeps_saturated(autoscale_run):
    """The calibration's probe keeps requests waiting on every node, whatever the machine's speed: 8
    closed-loop clients each (lab.py). The release's samples from its windows of the largest requests
    (each node's StatsD, tapped before its agent starts) read the normal schedulers' busy share, near
    100 %. The windows of the smallest requests are not held to it: a request of 2 ms of CPU is as short
    as a client's round trip on this machine, so a node can run out of work for a moment (dev read 70 to
    100 there in one run)."""
    largest = max(autoscale_run.extras["calibration_readings"], key=lambda reading: reading.kloops)
    samples = largest.scheduler_utilization
    assert samples, f"no SchedulerUtilization sample covered the probe at kloops {largest.kloops}"
    assert sum(samples) / len(samples) >= SATURATED_UTILIZATION, (largest, autoscale_run.report)


def test_scheduler_utilization_reaches_its_target_when_the_step_overloads_the_first_nodes(autoscale_run):
    """The same in the run: in the full minutes of the step in which requests waited on the first nodes
    (a p99 over WAITED_SECONDS), prod's schedulerUtilization policy reads its target, so it can fire.
    Whether the step overloads them depends on how far the machine's speed drifted from the calibration:
    PEAK is 1.08 times the calibrated capacity of two nodes, and the drift on this shared 2-core machine
    has reached 30 % either way (calibrate.py). A run whose nodes kept up with the step skips, saying so;
    the calibration's test above holds on every run."""
    settings = autoscale_run.settings
    tracking = [t for t in settings.scaling.target_tracking if t.metric == "schedulerUtilization"]
    if not tracking:
        pytest.skip(f"{autoscale_run.stack} has no schedulerUtilization policy")
    name, target = tracked_metric_name(tracking[0]), tracking[0].target
    relieved = next(m.minute for m in autoscale_run.minutes if m.in_service > settings.nodes.min_size)
    step = [m for m in autoscale_run.minutes if STEP_AT < m.minute < relieved]
    overloaded = [m for m in step if m.p99 is not None and m.p99 > WAITED_SECONDS]
    if not overloaded:
        p99s = ", ".join(f"{m.p99:.3f}" for m in step if m.p99 is not None)
        pytest.skip(f"the first nodes kept up with the step: nothing waited (p99 {p99s} s)")
    readings = [m.metrics.get(name) for m in overloaded]
    assert max(v for v in readings if v is not None) >= target, (readings, autoscale_run.report)


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
