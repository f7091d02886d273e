"""Properties on random traces and random scaling settings: capacity never leaves [min, max]."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.profiles import profiles
from tests.support.scenario import NODE_RPS, run, stack
from tools.simulator import ModellingChoices, NodeModel, Trace, prepare, replay
from tools.simulator.decisions import Proposal, decide
from tools.simulator.step_scaling import round_percent_change

demands = st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=90)


@st.composite
def groups(draw):
    min_size = draw(st.integers(0, 4))
    max_size = draw(st.integers(max(1, min_size), 12))
    desired = draw(st.integers(min_size, max_size))
    return {"minSize": min_size, "maxSize": max_size, "desiredCapacity": desired}


target_tracking = st.fixed_dictionaries(
    {
        "metric": st.sampled_from(["cpu", "requestsPerTarget", "schedulerUtilization"]),
        "target": st.floats(min_value=5, max_value=100),
        "warmup": st.integers(0, 600),
        "disableScaleIn": st.booleans(),
    }
)


@st.composite
def step_policies(draw, periods=(60,)):
    scales_out = draw(st.booleans())
    change = draw(st.integers(1, 50))
    adjustment = draw(st.sampled_from(["ChangeInCapacity", "PercentChangeInCapacity"]))
    policy = {
        "name": "queue",
        "metric": {"namespace": "App", "name": "Queue", "statistic": draw(st.sampled_from(["Average", "Maximum"]))},
        "threshold": draw(st.integers(0, 100)),
        "comparison": "GreaterThanOrEqualToThreshold" if scales_out else "LessThanThreshold",
        "period": draw(st.sampled_from(periods)),
        "evaluationPeriods": draw(st.integers(1, 3)),
        "warmup": draw(st.integers(0, 300)),
        "adjustmentType": adjustment,
        "steps": [{"from": 0, "change": change}] if scales_out else [{"to": 0, "change": -change}],
    }
    if adjustment == "PercentChangeInCapacity" and draw(st.booleans()):
        policy["minAdjustmentMagnitude"] = draw(st.integers(1, 5))
    if policy["evaluationPeriods"] > 1 and draw(st.booleans()):
        policy["datapointsToAlarm"] = draw(st.integers(1, policy["evaluationPeriods"]))
    return policy


@settings(max_examples=150, deadline=None)
@given(
    demand=demands,
    nodes=groups(),
    tracking=st.lists(target_tracking, max_size=3, unique_by=lambda p: p["metric"]),
    steps=st.lists(step_policies(), max_size=1),
    boot=st.integers(0, 4),
    drain=st.integers(0, 3),
    queue=st.data(),
)
def test_capacity_never_leaves_min_and_max(demand, nodes, tracking, steps, boot, drain, queue):
    settings_ = stack(nodes=nodes, scaling={"targetTracking": tracking, "step": steps})
    column = queue.draw(st.lists(st.floats(0, 200), min_size=len(demand), max_size=len(demand)))
    simulation = run(settings_, demand, {"Queue": column}, boot_minutes=boot, drain_minutes=drain)
    low, high = nodes["minSize"], nodes["maxSize"]
    for variant in (simulation.policy, simulation.baseline, simulation.oracle):
        assert all(low <= desired <= high for desired in variant.desired)
        assert all(0 <= in_service <= high for in_service in variant.in_service)
        assert all(a.to != a.from_ and low <= a.to <= high for a in variant.activities)


@settings(max_examples=60, deadline=None)
@given(demand=demands, nodes=groups(), cron_minute=st.integers(1, 59), sizes=st.data())
def test_schedules_move_the_limits_and_capacity_stays_within_them(demand, nodes, cron_minute, sizes):
    new_min = sizes.draw(st.integers(0, nodes["maxSize"]))
    new_max = sizes.draw(st.integers(max(1, new_min, nodes["minSize"]), 12))
    schedules = [{"name": "shift", "cron": f"{cron_minute} * * * *", "minSize": new_min, "maxSize": new_max}]
    settings_ = stack(nodes=nodes, scaling={"schedules": schedules})
    simulation = run(settings_, demand)
    for minute, desired in enumerate(simulation.policy.desired):
        low, high = (new_min, new_max) if minute >= cron_minute else (nodes["minSize"], nodes["maxSize"])
        assert low <= desired <= high


@given(st.integers(0, 20), st.lists(st.builds(Proposal, st.integers(0, 20), st.just("")), max_size=5))
def test_decide_prefers_any_scale_out_and_then_the_largest_scale_in(desired, proposals):
    decision = decide(desired, proposals)
    larger = [p.capacity for p in proposals if p.capacity > desired]
    smaller = [p.capacity for p in proposals if p.capacity < desired]
    expected = max(larger) if larger else max(smaller) if smaller else None
    assert (decision.capacity if decision else None) == expected


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False).filter(lambda x: x != 0))
def test_percent_rounding_keeps_the_sign_and_moves_at_least_one_node(change):
    rounded = round_percent_change(change)
    assert (rounded > 0) == (change > 0)
    assert 1 <= abs(rounded) <= max(1, abs(change))


@settings(max_examples=150, deadline=None)
@given(
    demand=st.lists(st.floats(min_value=0, max_value=200, allow_nan=False), min_size=1, max_size=150),
    nodes=groups(),
    tracking=st.lists(target_tracking, max_size=3, unique_by=lambda p: p["metric"]),
    steps=st.lists(step_policies(periods=(60, 120)), max_size=2, unique_by=lambda p: p["comparison"]),
    cron_minute=st.one_of(st.none(), st.integers(0, 59)),
    boot=st.integers(0, 4),
    drain=st.integers(0, 3),
    step=st.sampled_from([1.0, 0.5, 0.2]),
    period=st.sampled_from([1, 1, 2]),
    data=st.data(),
)
def test_skipping_quiet_stretches_changes_nothing(
    demand, nodes, tracking, steps, cron_minute, boot, drain, step, period, data
):
    for index, policy in enumerate(steps):
        policy["name"] = f"queue{index}"
    schedules = []
    if cron_minute is not None:
        size = data.draw(st.integers(nodes["minSize"], nodes["maxSize"]))
        schedules = [{"name": "shift", "cron": f"{cron_minute} * * * *", "minSize": size}]
    settings_ = stack(nodes=nodes, scaling={"targetTracking": tracking, "step": steps, "schedules": schedules})
    queue = data.draw(
        st.lists(st.one_of(st.none(), st.floats(0, 200)), min_size=len(demand), max_size=len(demand))
        | st.lists(st.floats(0, 200), min_size=len(demand), max_size=len(demand))
    )
    join = data.draw(st.integers(0, boot))  # a launch hook holding new nodes for part or all of the boot
    prepared = prepare(Trace(list(demand), {"Queue": queue}), NodeModel(NODE_RPS, boot, drain, join))
    choices = ModellingChoices(scale_in_step=step, period_minutes=period)
    skipping = replay(settings_.nodes, settings_.scaling, prepared, choices, record_metrics=True)
    every_minute = replay(settings_.nodes, settings_.scaling, prepared, choices, record_metrics=True, skip_quiet=False)
    assert skipping == every_minute


@settings(max_examples=150, deadline=None)
@given(
    nodes=groups(),
    steps=st.lists(step_policies(), min_size=1, max_size=2, unique_by=lambda p: p["comparison"]),
    boot=st.integers(0, 4),
    drain=st.integers(0, 3),
    queue=st.lists(st.floats(0, 200), min_size=1, max_size=150),
)
def test_skipping_quiet_stretches_of_step_policies_changes_nothing(nodes, steps, boot, drain, queue):
    for index, policy in enumerate(steps):
        policy["name"] = f"queue{index}"
    settings_ = stack(nodes=nodes, scaling={"targetTracking": [], "step": steps})
    prepared = prepare(Trace([0.0] * len(queue), {"Queue": queue}), NodeModel(NODE_RPS, boot, drain))
    skipping = replay(settings_.nodes, settings_.scaling, prepared, record_metrics=True)
    every_minute = replay(settings_.nodes, settings_.scaling, prepared, record_metrics=True, skip_quiet=False)
    assert skipping == every_minute


@settings(max_examples=100, deadline=None)
@given(
    demand=st.lists(st.floats(min_value=0, max_value=200, allow_nan=False), min_size=1, max_size=150),
    nodes=groups(),
    tracking=st.lists(target_tracking, min_size=1, max_size=3, unique_by=lambda p: p["metric"]),
    profile=profiles(),
    boot=st.integers(0, 4),
    drain=st.integers(0, 3),
    step=st.sampled_from([1.0, 0.5]),
    data=st.data(),
)
def test_skipping_quiet_stretches_changes_nothing_on_a_measured_node(
    demand, nodes, tracking, profile, boot, drain, step, data
):
    # the derived metrics (CPU, scheduler utilisation) from a profile's points: over a quiet stretch
    # as minute by minute
    settings_ = stack(nodes=nodes, scaling={"targetTracking": tracking})
    join = data.draw(st.integers(0, boot))
    prepared = prepare(Trace(list(demand)), NodeModel(profile.capacity, boot, drain, join, profile))
    choices = ModellingChoices(scale_in_step=step)
    skipping = replay(settings_.nodes, settings_.scaling, prepared, choices, record_metrics=True)
    every_minute = replay(settings_.nodes, settings_.scaling, prepared, choices, record_metrics=True, skip_quiet=False)
    assert skipping == every_minute
