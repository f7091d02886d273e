"""The search finds a known-cheapest policy, stays within the bounds, and judges each candidate once."""

from __future__ import annotations

import pytest

from components.settings import SettingsError
from tools.simulator import DEFAULT_START, NodeModel, read_trace
from tools.stack_files import load_stack
from tools.tuner import Evaluator, NamedTrace, Objective, build_space, parse_size_range, search, sections_as_written
from tools.tuner.objective import limits_for

NODE = NodeModel(node_rps=10, boot_minutes=1)
STRICT = Objective(under_provisioned=0, peak_shortfall=0)


def tuner_inputs(stack_path, trace_path, **bounds):
    stack = sections_as_written(load_stack(stack_path))
    traces = [NamedTrace(trace_path, read_trace(trace_path))]
    space = build_space(stack.sections, NODE.node_rps, **bounds)
    evaluator = Evaluator(stack.stack, stack.region, traces, NODE, DEFAULT_START)
    limits = [limits_for(STRICT, figures) for figures in evaluator.replay(stack.settings)]
    return space, evaluator, limits


def test_finds_the_cheapest_policy_that_serves_every_minute(small_stack, write_trace):
    # 25 rps for an hour on nodes of 10 rps: 3 nodes serve it. The stack runs 4 (minSize 4, CPU
    # at 60%). Serving every minute from minute 0 takes minSize 3 (the group starts at minSize,
    # serving) and a target above 25/30 = 83.3% CPU (or 3 datapoints above it add a fourth node):
    # 3 nodes x 1 h = 3.0 instance-hours. minSize 2 starts short; 4 nodes cost 4.0.
    small_stack.write_text(small_stack.read_text().replace("minSize: 1", "minSize: 4"))
    space, evaluator, limits = tuner_inputs(small_stack, write_trace([25] * 60), min_size=parse_size_range("m", "1..4"))
    result = search(space, evaluator, limits, budget=200, processes=1)
    chosen = dict(zip((knob.key for knob in space.knobs), result.best.values, strict=True))
    assert chosen["nodes.minSize"] == 3
    assert chosen["scaling.targetTracking[0].target"] > 250 / 3
    (figures,) = result.best.outcome.figures
    assert (figures.under_provisioned_minutes, figures.peak_shortfall) == (0, 0)
    assert figures.instance_hours == 3.0
    (start,) = result.start.outcome.figures
    assert start.instance_hours == 4.0  # the stack as it is


class RecordingEvaluator(Evaluator):
    """Keeps the sizes of every candidate it is asked to judge."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes: list[tuple[int, ...]] = []

    def evaluate(self, sections):
        schedules = [s["minSize"] for s in sections["scaling"].get("schedules", [])]
        self.sizes.append((sections["nodes"]["minSize"], sections["nodes"]["maxSize"], *schedules))
        return super().evaluate(sections)


def test_every_candidate_keeps_to_the_size_bounds(small_stack, write_trace):
    schedule = '\n    schedules: [{name: am, cron: "0 7 * * *", minSize: 2}]'
    small_stack.write_text(small_stack.read_text().replace("warmup: 0}]", "warmup: 0}]" + schedule))
    trace = write_trace([25 if minute > 400 else 8 for minute in range(600)])
    space, _, limits = tuner_inputs(
        small_stack, trace, min_size=parse_size_range("m", "1..2"), max_size=parse_size_range("m", "3..3")
    )
    evaluator = RecordingEvaluator("small", "eu-west-1", [NamedTrace(trace, read_trace(trace))], NODE, DEFAULT_START)
    result = search(space, evaluator, limits, budget=80, processes=1)
    assert len(evaluator.sizes) == result.evaluated + result.refused <= 80  # each judged once
    assert {size[0] for size in evaluator.sizes} == {1, 2}  # both minSizes tried, none outside
    assert {size[1] for size in evaluator.sizes} == {3}
    assert {size[2] for size in evaluator.sizes} <= {1, 2, 3}  # the schedule's minSize within 1..3


def test_a_candidate_the_settings_refuse_is_never_replayed(small_stack, write_trace):
    # minSize 3..4 with maxSize 2..4: minSize 4 over maxSize 3 is refused by NodesSettings
    space, evaluator, limits = tuner_inputs(
        small_stack,
        write_trace([25] * 30),
        min_size=parse_size_range("m", "3..4"),
        max_size=parse_size_range("m", "2..4"),
    )
    result = search(space, evaluator, limits, budget=300, processes=1)
    assert result.refused > 0
    sizes = dict(zip((k.key for k in space.knobs), result.best.values, strict=True))
    assert sizes["nodes.minSize"] <= sizes["nodes.maxSize"]
    refused = evaluator.evaluate(space.sections_for((4, 3, 60)))
    assert refused.refused and refused.figures == ()
    assert refused.problems[0].startswith("elixir-cluster:nodes.maxSize: must be >= minSize (4)")
    with pytest.raises(SettingsError):
        evaluator.settings_for(space.sections_for((4, 3, 60)))


def test_two_processes_find_what_one_finds(small_stack, write_trace):
    trace = write_trace([8 + (m % 90) / 4 for m in range(360)])
    space, evaluator, limits = tuner_inputs(small_stack, trace, min_size=parse_size_range("m", "1..3"))
    alone = search(space, evaluator, limits, budget=60, processes=1)
    shared = search(space, evaluator, limits, budget=60, processes=2)
    assert shared.best.values == alone.best.values
    assert shared.best.key == alone.best.key
    assert (shared.evaluated, shared.processes) == (alone.evaluated, 2)
