"""What the tuner varies in prod's stack file, and the finer grid it refines to."""

from __future__ import annotations

from tools.stack_files import load_stack, stack_file
from tools.tuner import build_space, parse_size_range, sections_as_written


def prod_space(**bounds):
    return build_space(sections_as_written(load_stack(stack_file("prod"))).sections, node_rps=25, **bounds)


def test_prod_varies_its_targets_step_and_schedule_sizes_and_starts_where_it_is():
    space = prod_space()
    assert [knob.key for knob in space.knobs] == [
        "scaling.targetTracking[0].target",
        "scaling.targetTracking[1].target",
        "scaling.step[0].threshold",
        "scaling.step[0].steps[0].change",
        "scaling.step[0].steps[1].change",
        "scaling.schedules[0].minSize",
        "scaling.schedules[1].minSize",
    ]
    assert space.start == (1000, 70, 50, 1, 3, 6, 3)
    by_key = {knob.key: knob for knob in space.knobs}
    # 25 rps x 60 s = 1500 requests per node-minute: 20% is 300, 95% is 1425
    requests = by_key["scaling.targetTracking[0].target"].values
    assert (requests[0], requests[-1]) == (300, 1425) and 1000 in requests
    assert by_key["scaling.schedules[0].minSize"].values == tuple(range(3, 13))  # prod's minSize..maxSize
    assert all(change > 0 for change in by_key["scaling.step[0].steps[1].change"].values)  # GreaterThan: out


def test_size_bounds_add_the_sizes_as_knobs_and_widen_the_schedules():
    bounds = {"min_size": parse_size_range("--min-size", "2..4"), "max_size": parse_size_range("--max-size", "12..16")}
    space = prod_space(**bounds)
    by_key = {knob.key: knob for knob in space.knobs}
    assert by_key["nodes.minSize"].values == (2, 3, 4)
    assert by_key["nodes.maxSize"].values == (12, 13, 14, 15, 16)
    assert by_key["scaling.schedules[0].minSize"].values == tuple(range(2, 17))


def test_refining_halves_a_target_s_grid_around_the_best_and_leaves_whole_numbers_of_nodes_alone():
    space = prod_space()
    best = (1125, 70, 75, 1, 1, 3, 3)
    finer = {knob.key: knob.values for knob in space.refined(best).knobs}
    coarse = {knob.key: knob.values for knob in space.knobs}
    # 1050 | 1125 | 1200 -> the midpoints 1087.5 and 1162.5, to three significant digits
    assert set(finer["scaling.targetTracking[0].target"]) - set(coarse["scaling.targetTracking[0].target"]) == {
        1090,
        1160,
    }
    assert set(finer["scaling.step[0].threshold"]) - set(coarse["scaling.step[0].threshold"]) == {68.8, 87.5}
    assert finer["scaling.schedules[0].minSize"] == coarse["scaling.schedules[0].minSize"]
    assert finer["scaling.step[0].steps[1].change"] == coarse["scaling.step[0].steps[1].change"]


def test_a_candidate_s_sections_change_only_its_knobs_and_keep_desired_capacity_within_the_sizes():
    space = prod_space(min_size=parse_size_range("--min-size", "4..5"))
    sections = space.sections_for((5, 1160, 70, 75, 1, 1, 3, 3))
    assert sections["nodes"]["minSize"] == 5
    assert sections["nodes"]["desiredCapacity"] == 5  # prod's 3 is below the new minSize
    assert sections["scaling"]["targetTracking"][0] == {"metric": "requestsPerTarget", "target": 1160, "warmup": 120}
    assert sections["loadBalancer"] == space.sections["loadBalancer"]
    assert space.sections["nodes"]["minSize"] == 3  # the stack file's own, untouched
