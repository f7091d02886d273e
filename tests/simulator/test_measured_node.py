"""The node model on a measured profile (model.py, `NodeModel.measured`): its minutes from the
profile's seconds, its metrics from the profile's points, and the same numbers minute by minute
and over a quiet stretch (what a replay that skips stretches relies on)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.profiles import HAND_PROFILE, profiles
from tests.support.scenario import stack
from tools.simulator import DERIVED_METRICS, NodeModel, NodeProfile, Trace, prepare
from tools.simulator.model import MetricCatalog


def hand_node(**changes) -> NodeProfile:
    return NodeProfile.from_json({**HAND_PROFILE, **changes})


def test_join_and_boot_come_from_the_profile_s_seconds_rounded_up_drain_from_the_stack():
    settings_ = stack(loadBalancer={"deregistrationDelay": 45})
    # 50 s to InService and 100 s to serving: 1 and 2 whole minutes; the stack's drain: 5 s poll + 45 s
    # deregistration + 30 s release + 15 s stop margin + 10 s completion = 105 s, 2 minutes
    assert NodeModel.measured(settings_, hand_node()) == NodeModel(
        22.5, boot_minutes=2, drain_minutes=2, join_minutes=1, profile=hand_node()
    )
    exact = NodeModel.measured(settings_, hand_node(launchToInServiceSeconds=60, launchToServingSeconds=61))
    assert (exact.join_minutes, exact.boot_minutes) == (1, 2)  # a partial minute counts whole


def test_the_node_s_capacity_is_the_profile_s_and_sizes_the_oracle_and_the_shortfall():
    node = NodeModel.measured(stack(), hand_node())
    assert node.node_rps == pytest.approx(22.5)
    assert [node.nodes_for(demand) for demand in (0, 22.5, 22.6, 45, 46)] == [0, 1, 2, 2, 3]
    # 50 rps on 2 nodes of 22.5: 5 rps short
    prepared = prepare(Trace([50.0]), node)
    assert prepared.needed == [3]


def test_cpu_and_scheduler_utilisation_are_the_profile_s_at_each_node_s_share():
    node = NodeModel.measured(stack(), hand_node())
    catalog = MetricCatalog(Trace([0.0, 20.0, 30.0, 50.0]), node)
    cpu, scheduler = catalog.source("CPUUtilization"), catalog.source("SchedulerUtilization")
    # 0 rps: the first point (an idle node's 10% CPU, 5% scheduler); 20 rps on 2 nodes: 10 each, the
    # second point; 30 on 2: 15 each, halfway to the third (CPU 70, scheduler 55); 50 on 2: 25 each,
    # above the capacity of 22.5: saturated (CPU 100, scheduler 92.5)
    assert [cpu(minute, 2) for minute in range(4)] == [10, 50, pytest.approx(70), 100]
    assert [scheduler(minute, 2) for minute in range(4)] == [5, 30, pytest.approx(55), pytest.approx(92.5)]
    assert cpu(1, 0) is None and scheduler(1, 0) is None
    assert node.cpu(30.0, 2) == pytest.approx(70)  # what the report's timeline shows


@settings(max_examples=100, deadline=None)
@given(
    profile=profiles(),
    demand=st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=40),
    nodes=st.integers(0, 8),
    span=st.data(),
)
def test_a_stretch_gives_the_numbers_minute_by_minute_gives(profile, demand, nodes, span):
    catalog = MetricCatalog(Trace(demand), NodeModel(profile.capacity, 0, profile=profile))
    start = span.draw(st.integers(0, len(demand) - 1))
    end = span.draw(st.integers(start, len(demand)))
    for name in DERIVED_METRICS:
        source, segment = catalog.source(name), catalog.segment(name)
        assert segment(start, end, nodes) == [source(minute, nodes) for minute in range(start, end)], name


@settings(max_examples=100, deadline=None)
@given(profile=profiles(), rates=st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=2))
def test_a_measured_node_reports_percentages_cpu_never_falls_and_it_saturates_at_capacity(profile, rates):
    low, high = sorted(rates)
    for rate in (low, high):
        assert 0 <= profile.cpu(rate) <= 100
        assert 0 <= profile.scheduler(rate) <= 100
    assert profile.cpu(low) <= profile.cpu(high)
    if high >= profile.capacity:
        assert profile.cpu(high) == 100
        assert profile.scheduler(high) == profile.scheduler(profile.capacity)


def test_a_measured_node_s_rate_is_its_profile_s_capacity():
    with pytest.raises(ValueError, match="node_rps 25 must be the profile's capacity, 22.5"):
        NodeModel(25, 2, profile=hand_node())
