"""Calibration: each documented Auto Scaling behaviour as a small case worked out by hand.

Every row cites the AWS page and quotes the sentence it encodes, then asserts the group
minute by minute: the desired capacity and the nodes in service (and, where the rule is
about terminating nodes, the nodes running). The expected series are computed in the
comments from the sentence and the node model, never from the simulator.

Node model (tests/support/scenario.py): a node serves 10 requests/s at 100% CPU; the group
starts with its desiredCapacity serving and warmed up. A decision on minute t's datapoint
takes effect from t + 1: a launched node is InService from t + 1 and serves from
t + 1 + boot; a removed node stops serving at t + 1 and drains for `drain` minutes.
Target tracking alarms: 3 datapoints above the target, 15 below 0.9 x the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from components.settings import StackSettings
from tests.support.scenario import cpu_policy, run, stack

TARGET_TRACKING = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html"
WARMUP = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html"
STEP = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html"
ALARMS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html"
MULTIPLE = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scale-based-on-demand.html"
SCHEDULED = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html"
LAUNCH_HOOK = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html"


@dataclass(frozen=True)
class Case:
    """One documented behaviour: where AWS says it, what it says, and the group it makes."""

    name: str
    url: str
    quote: str
    settings: Callable[[], StackSettings]
    demand: list[float]
    desired: list[int]
    in_service: list[int]
    columns: dict[str, list[float | None]] = field(default_factory=dict)
    boot: int = 0
    drain: int = 0
    join: int = 0
    """Minutes the launch lifecycle hook holds a new node in Pending:Wait (0: no launch hook)."""
    nodes: list[int] | None = None
    """Nodes running each minute (booting and draining ones included), when the rule is about them."""


def tracking(*policies: dict[str, Any], **nodes: Any) -> Callable[[], StackSettings]:
    return lambda: stack(nodes=nodes, scaling={"targetTracking": list(policies)})


def stepping(*policies: dict[str, Any], **nodes: Any) -> Callable[[], StackSettings]:
    return lambda: stack(nodes=nodes, scaling={"targetTracking": [], "step": list(policies)})


def scheduling(*schedules: dict[str, Any], **nodes: Any) -> Callable[[], StackSettings]:
    return lambda: stack(nodes=nodes, scaling={"targetTracking": [], "schedules": list(schedules)})


def queue_step(**extra: Any) -> dict[str, Any]:
    """A step policy on a recorded `Queue` column (a custom metric: it does not follow capacity)."""
    return {
        "name": "queue",
        "metric": {"namespace": "App", "name": "Queue"},
        "comparison": "GreaterThanOrEqualToThreshold",
        "warmup": 0,
        **extra,
    }


def load_tracking(**extra: Any) -> dict[str, Any]:
    """Target tracking on a recorded `Load` column at 50 (a custom metric: it does not follow capacity)."""
    return {
        "metric": "custom",
        "namespace": "App",
        "name": "Load",
        "statistic": "Average",
        "target": 50,
        "warmup": 0,
        **extra,
    }


CASES = [
    Case(
        "target tracking scale-out rounds up",
        TARGET_TRACKING,
        "We might determine that adding 1.5 instances will decrease the CPU utilization to close to 50 percent. "
        "Because it is not possible to add 1.5 instances, we round up and add two instances.",
        tracking(cpu_policy(50), desiredCapacity=3),
        # 22.5 rps on 3 nodes = 75% > 50 at minutes 0, 1, 2: 3 x 75/50 = 4.5 nodes, 1.5 more -> 2 more,
        # from minute 3; then 22.5 rps on 5 nodes = 45%
        demand=[22.5] * 5,
        desired=[3, 3, 3, 5, 5],
        in_service=[3, 3, 3, 5, 5],
    ),
    Case(
        "target tracking scale-in rounds down what it removes",
        TARGET_TRACKING,
        "Similarly, if we determine that removing 1.5 instances increases your CPU utilization to above "
        "50 percent, we remove just one instance.",
        tracking(cpu_policy(50), desiredCapacity=4),
        # 12.5 rps on 4 nodes = 31.25% < 45 at minutes 0..14: 4 x 31.25/50 = 2.5 nodes, 1.5 fewer -> 1 fewer,
        # from minute 15; then 12.5 rps on 3 nodes = 41.7%, still below 45, but 3 x 41.7/50 = 2.5 -> 3: no change
        demand=[12.5] * 18,
        desired=[4] * 15 + [3] * 3,
        in_service=[4] * 15 + [3] * 3,
    ),
    Case(
        "the warmup starts at InService",
        WARMUP,
        "You can specify how long after an instance reaches the InService state it waits before contributing "
        "usage data to the aggregated metrics.",
        tracking(cpu_policy(50, warmup=1200), desiredCapacity=2),
        # 12 rps on 2 nodes = 60% at minutes 0-2: 3 nodes from minute 3. The third is InService at 3, serves
        # from 3 + boot 2 = 5, and is warm at 3 + 20 = 23 (counted from serving it would be 25). 2 rps from
        # minute 3 is below 45 (10%, then 6.7%) for 15 datapoints at minute 17, but scale-in is blocked until
        # the node is warm: at 23, 3 x 6.7/50 = 0.4 -> 1, from minute 24
        demand=[12, 12, 12] + [2] * 23,
        boot=2,
        desired=[2] * 3 + [3] * 21 + [1] * 2,
        in_service=[2] * 5 + [3] * 19 + [1] * 2,
    ),
    Case(
        "the warmup starts when the launch hook ends",
        LAUNCH_HOOK,
        "The instance remains in a wait state until you either complete the lifecycle action, or the timeout "
        "period ends. [...] The instance enters the InService state and the health check grace period starts.",
        tracking(cpu_policy(50, warmup=1200), desiredCapacity=2),
        # as "the warmup starts at InService", with a launch hook that holds the node for its whole boot (the
        # stack's: it completes once the release serves). 12 rps on 2 nodes = 60% at minutes 0-2: 3 nodes from
        # minute 3. The third waits in Pending:Wait at 3 and 4, is InService and serves from 3 + 2 = 5, and is
        # warm at 5 + 20 = 25 (23 without the hook). 2 rps is below 45 from minute 3 (10%, then 6.7%), 15
        # datapoints at 17; scale-in waits for the warmup: at 25, 3 x 6.7/50 = 0.4 -> 1, from minute 26
        demand=[12, 12, 12] + [2] * 25,
        boot=2,
        join=2,
        desired=[2] * 3 + [3] * 23 + [1] * 2,
        in_service=[2] * 5 + [3] * 21 + [1] * 2,
    ),
    Case(
        "no dynamic scale-in until the new nodes finish warming up",
        WARMUP,
        "This blocks the scale in activities for dynamic scaling until the new instances finish warming up.",
        tracking(cpu_policy(50, warmup=1200), desiredCapacity=2),
        # boot 0: the third node is InService and serving from minute 3, warm at 23. 2 rps on 3 nodes (6.7%)
        # is below 45 from minute 3, 15 datapoints at 17, but the low alarm's ALARM waits for the warmup:
        # scale-in at 23 (3 x 6.7/50 = 0.4 -> 1), from 24; unblocked, it would come at 17
        demand=[12, 12, 12] + [2] * 23,
        desired=[2] * 3 + [3] * 21 + [1] * 2,
        in_service=[2] * 3 + [3] * 21 + [1] * 2,
    ),
    Case(
        "target tracking counts warming nodes in the capacity it scales out from",
        WARMUP,
        "While scaling out, Amazon EC2 Auto Scaling considers instances that are warming up as part of the "
        "capacity of the group when deciding how many instances to add to the group.",
        tracking(cpu_policy(50, warmup=300), desiredCapacity=2),
        # 3 nodes from minute 3 (60% at 0-2). Minute 3: 16 rps on 3 nodes in service = 53.3% > 50, the fourth
        # datapoint above in a row; the warming node carries a third of the load: 3 x 53.3/50 = 3.2 -> 4,
        # from minute 4 (leaving it out, 2 x 53.3/50 -> 3, would add nothing until it is warm at 8)
        demand=[12, 12, 12] + [16] * 3,
        desired=[2, 2, 2, 3, 4, 4],
        in_service=[2, 2, 2, 3, 4, 4],
    ),
    Case(
        "repeated breaches while nodes boot make one activity",
        WARMUP,
        "Therefore, multiple alarm breaches that require a similar amount of capacity to be added result in a "
        "single scaling activity.",
        tracking(cpu_policy(50), desiredCapacity=2),
        # boot 3. Minute 2 (60% x 3): 2 x 60/50 = 2.4 -> 3, serving from 6. Minutes 3-5: 16 rps on the 2 serving
        # nodes = 80%: 2 x 80/50 = 3.2 -> 4 at minute 3 (serving from 7); at 4 and 5 the same 4 is already the
        # desired capacity: no new activity. Minute 6: 16 on 3 = 53.3%: 3 x 53.3/50 -> 4, no change
        demand=[12, 12, 12] + [16] * 5,
        boot=3,
        desired=[2, 2, 2, 3, 4, 4, 4, 4],
        in_service=[2, 2, 2, 2, 2, 2, 3, 4],
    ),
    Case(
        "step scaling adds to the warmed nodes and keeps the larger desired capacity",
        STEP,
        "If the metric gets to 70 while the new instance is still warming up, we should add 3 instances "
        "(30 percent of 10 instances). However, the desired capacity of the group is already 11, so we add only "
        "2 instances, for a new desired capacity of 13 instances.",
        stepping(
            queue_step(
                threshold=60,
                warmup=600,
                adjustmentType="PercentChangeInCapacity",
                steps=[{"from": 0, "to": 10, "change": 10}, {"from": 10, "change": 30}],
            ),
            desiredCapacity=10,
            maxSize=20,
        ),
        # minute 0: 60 -> [0, 10): 10% of 10 warmed = 1 -> 11. Minute 1: 62, the new node warming: 10% of 10
        # warmed -> 11, already desired. Minute 2: 70 -> [10, inf): 30% of 10 -> 13, 2 more. Minute 3: 70, 13 again
        demand=[0] * 4,
        columns={"Queue": [60, 62, 70, 70]},
        desired=[10, 11, 11, 13],
        in_service=[10, 11, 11, 13],
    ),
    Case(
        "above the threshold a step's lower bound is inclusive",
        STEP,
        "If the metric value is above the breach threshold, the lower bound is inclusive and the upper bound "
        "is exclusive.",
        stepping(
            queue_step(threshold=50, steps=[{"from": 0, "to": 50, "change": 1}, {"from": 50, "change": 3}]),
            desiredCapacity=2,
        ),
        # minute 0: 100 - 50 = 50 lies in [50, inf), not [0, 50): +3 -> 5 from minute 1;
        # minute 1: 60 - 50 = 10 in [0, 50): 5 warmed + 1 -> 6 from minute 2
        demand=[0] * 3,
        columns={"Queue": [100, 60, 0]},
        desired=[2, 5, 6],
        in_service=[2, 5, 6],
    ),
    Case(
        "an alarm with a two-minute period invokes its policy every minute it stays in ALARM",
        ALARMS,
        "For Auto Scaling actions, the alarm continues to invoke the action once per minute that the alarm "
        "remains in the new state.",
        stepping(
            queue_step(
                name="idle",
                threshold=20,
                comparison="LessThanThreshold",
                period=120,
                steps=[{"to": 0, "change": -1}],
            ),
            desiredCapacity=5,
        ),
        # one datapoint per 2 minutes, at minutes 1, 3, 5 (Average 10 < 20): ALARM from minute 1 on, and the
        # policy runs at 1, 2, 3, 4: 5 -> 4 -> 3 -> 2 -> 1 (minSize), each from the next minute
        demand=[0] * 6,
        columns={"Queue": [10] * 6},
        desired=[5, 5, 4, 3, 2, 1],
        in_service=[5, 5, 4, 3, 2, 1],
    ),
    Case(
        "terminating nodes count in the step scale-in's current capacity",
        STEP,
        "While scaling in, AWS considers instances that are terminating as part of the current capacity of "
        "the group. Therefore, we don't remove more instances from the Auto Scaling group than necessary.",
        stepping(
            queue_step(name="idle", threshold=20, comparison="LessThanThreshold", steps=[{"to": 0, "change": -1}]),
            desiredCapacity=5,
        ),
        # drain 2. Minute 0: 5 - 1 -> 4; the removed node drains through minutes 1 and 2. Minutes 1-2: current
        # capacity 4 + 1 terminating = 5, minus 1 = 4: no change. Minute 3 (drained): 4 -> 3, draining 4-5;
        # minute 6: 3 -> 2. Without the rule: one node a minute, 4, 3, 2, 1
        demand=[0] * 8,
        columns={"Queue": [10] * 8},
        drain=2,
        desired=[5, 4, 4, 4, 3, 3, 3, 2],
        in_service=[5, 4, 4, 4, 3, 3, 3, 2],
        nodes=[5, 5, 5, 4, 4, 4, 3, 3],
    ),
    Case(
        "terminating nodes count in the target tracking scale-in's current capacity",
        TARGET_TRACKING,
        "While scaling in, we consider instances that are terminating as part of the current capacity of the "
        "group. Therefore, we don't remove more instances from the Auto Scaling group than necessary.",
        tracking(load_tracking(), desiredCapacity=10),
        # drain 3; Load is recorded at 20 (< 45) every minute. Minute 14 (15 datapoints): 10 x 20/50 = 4, from
        # minute 15, 6 nodes draining through 15-17. Minutes 15-17: current capacity 4 + 6 = 10 -> 4, no change.
        # Minute 18 (drained): 4 x 20/50 = 1.6 -> 2, from 19, 2 draining through 19-21; minutes 19-21: 2 + 2 = 4
        # -> 2, no change; minute 22: 2 x 0.4 = 0.8 -> 1, from 23. Without the rule: 4, 2, 1 at minutes 15, 16, 17
        demand=[0] * 24,
        columns={"Load": [20] * 24},
        drain=3,
        desired=[10] * 15 + [4] * 4 + [2] * 4 + [1],
        in_service=[10] * 15 + [4] * 4 + [2] * 4 + [1],
        nodes=[10] * 18 + [4] * 4 + [2] * 2,
    ),
    Case(
        "any target tracking policy scales out, all must agree to scale in",
        TARGET_TRACKING,
        "It will scale out the Auto Scaling group if any of the target tracking policies are ready for scale "
        "out, but will scale in only if all of the target tracking policies (with the scale-in portion enabled) "
        "are ready to scale in.",
        tracking(
            cpu_policy(50),
            {"metric": "requestsPerTarget", "target": 130, "warmup": 0},
            desiredCapacity=4,
        ),
        # 8 rps on 4 nodes: CPU 20% (< 45, ready to scale in to 4 x 20/50 -> 2) and 120 requests per node
        # per minute (not below 0.9 x 130 = 117: not ready): no scale-in for 20 minutes
        demand=[8] * 20,
        desired=[4] * 20,
        in_service=[4] * 20,
    ),
    Case(
        "with several policies, the largest capacity wins",
        MULTIPLE,
        "Amazon EC2 Auto Scaling chooses the policy that provides the largest capacity for both scale out and "
        "scale in.",
        lambda: stack(
            nodes={"desiredCapacity": 2},
            scaling={
                "targetTracking": [cpu_policy(50)],
                "step": [queue_step(threshold=50, steps=[{"from": 0, "change": 3}])],
            },
        ),
        # minute 2: target tracking (60% for 3 datapoints) asks for 2 x 60/50 = 2.4 -> 3, the step policy
        # (Queue 60 >= 50) for 2 + 3 = 5: the group goes to 5 from minute 3
        demand=[12, 12, 12, 12],
        columns={"Queue": [0, 0, 60, 0]},
        desired=[2, 2, 2, 5],
        in_service=[2, 2, 2, 5],
    ),
    Case(
        "a scheduled action sets the sizes at its time",
        SCHEDULED,
        "sets the minimum, maximum, and desired sizes to what is specified by the scheduled action",
        scheduling({"name": "morning", "cron": "2 0 * * *", "minSize": 4}, desiredCapacity=2),
        # the trace starts Monday 00:00 UTC: at 00:02 minSize 4 raises the desired capacity from 2 to 4 at
        # once; boot 1: the two new nodes serve from minute 3
        demand=[0] * 5,
        boot=1,
        desired=[2, 2, 4, 4, 4],
        in_service=[2, 2, 2, 4, 4],
    ),
    Case(
        "the new capacity stays within the group's minimum and maximum",
        MULTIPLE,
        "the new capacity never goes outside of the minimum and maximum size limits",
        tracking(cpu_policy(50), desiredCapacity=2, maxSize=3),
        # 100 rps on 2 nodes = 100%: 2 x 100/50 = 4, held to maxSize 3 from minute 3
        demand=[100] * 4,
        desired=[2, 2, 2, 3],
        in_service=[2, 2, 2, 3],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_calibration(case: Case):
    assert case.url.startswith("https://docs.aws.amazon.com/") and case.quote
    simulation = run(
        case.settings(),
        case.demand,
        case.columns,
        boot_minutes=case.boot,
        drain_minutes=case.drain,
        join_minutes=case.join,
    )
    assert simulation.policy.desired == case.desired
    assert simulation.policy.in_service == case.in_service
    if case.nodes is not None:
        assert simulation.policy.nodes == case.nodes
