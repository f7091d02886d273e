"""The service objective: --slo read, the simulator's figures reused, the stack's own policy as a floor."""

from __future__ import annotations

import pytest

from tools.simulator import NodeModel, Trace, simulate
from tools.stack_files import load_stack_settings
from tools.tuner.objective import Figures, Objective, ObjectiveError, figures, limits_for, miss, parse_objective


def test_slo_reads_percentages_and_keeps_the_default_of_a_key_left_out():
    assert parse_objective("under=2%,shortfall=5%") == Objective(0.02, 0.05)
    assert parse_objective("shortfall=0") == Objective(0.01, 0.0)
    assert parse_objective(None) == parse_objective("current") == Objective(keep_current=True)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("under=2%,peak=5%", "--slo: expected current, or KEY=PERCENT with KEY one of under, shortfall"),
        ("under=150%", "--slo: under must be a percentage within 0..100, such as 1%, got '150%'"),
        ("under=lots", "--slo: under must be a percentage within 0..100, such as 1%, got 'lots'"),
    ],
)
def test_a_bad_slo_is_one_line_naming_the_flag(text, line):
    with pytest.raises(ObjectiveError) as refused:
        parse_objective(text)
    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)


def test_figures_are_the_simulator_s(small_stack):
    settings = load_stack_settings(small_stack)
    demand = [5.0] * 10 + [38.0] * 20 + [5.0] * 30
    node = NodeModel(node_rps=10, boot_minutes=2)
    simulation = simulate(settings, Trace(demand), node)
    for run in (simulation.policy, simulation.baseline):
        summary = simulation.summary(run)
        ours = figures(summary, len(demand))
        assert (ours.under_provisioned_minutes, ours.peak_shortfall, ours.instance_hours) == (
            summary.under_provisioned_minutes,
            summary.peak_shortfall,
            summary.instance_hours,
        )
    # one node serves 10 of the 38 rps when the step comes: 28 short, 28/38 of demand
    policy = figures(simulation.summary(simulation.policy), len(demand))
    assert policy.peak_shortfall == 28
    assert policy.peak_shortfall_share == pytest.approx(28 / 38)


def test_where_the_stack_misses_the_objective_a_candidate_must_do_no_worse_than_it():
    objective = Objective(0.01, 0.10)
    met = Figures(100, 1, 2.0, 0.05, 10.0)
    missed = Figures(100, 7, 40.0, 0.5, 10.0)
    assert not limits_for(objective, met).relaxed
    relaxed = limits_for(objective, missed)
    assert (relaxed.under_provisioned, relaxed.peak_shortfall, relaxed.peak_shortfall_rps) == (0.07, 0.5, 40.0)
    assert miss([missed], [relaxed]) == 0
    assert miss([Figures(100, 7, 41.0, 0.5, 9.0)], [relaxed]) > 0  # one request/s more at the peak
    assert miss([Figures(100, 2, 2.0, 0.05, 10.0)], [limits_for(objective, met)]) == pytest.approx(1.0)  # 2% vs 1%


def test_by_default_a_candidate_may_serve_no_trace_worse_than_the_current_policy():
    keep = parse_objective(None)
    current = Figures(100, 1, 2.0, 0.05, 10.0)  # 1 short minute, 2 rps at worst: within 1% / 10%
    limits = limits_for(keep, current)
    assert miss([Figures(100, 1, 2.0, 0.05, 8.0)], [limits]) == 0  # cheaper, as well served
    assert miss([Figures(100, 2, 2.0, 0.05, 8.0)], [limits]) > 0  # one more short minute
    assert miss([Figures(100, 1, 3.0, 0.05, 8.0)], [limits]) > 0  # one more request/s short at the peak
    assert miss([Figures(100, 2, 2.0, 0.05, 8.0)], [limits_for(Objective(0.02, 0.10), current)]) == 0  # 2% asked
