"""tools/tuner/advice.py: a proposed value at the edge of its search range, and schedules a
proposal leaves with nothing to do."""

from __future__ import annotations

from tools.stack_files import load_stack, stack_file
from tools.tuner import build_space, parse_size_range, sections_as_written
from tools.tuner.advice import at_the_edge, idle_schedules


def prod():
    return sections_as_written(load_stack(stack_file("prod"))).sections


def knobs(**bounds):
    return {knob.key: knob for knob in build_space(prod(), node_rps=25, **bounds).knobs}


def test_a_threshold_at_the_top_of_its_range_says_how_to_search_further():
    threshold = knobs()["scaling.step[0].threshold"]  # prod's 50: 0.25..3 times
    assert at_the_edge([(threshold, 150)]) == [
        "scaling.step[0].threshold (run-queue) 150 is at the top of its search range (12.5..150): the best value "
        "may lie beyond it; tune again from the edited stack file (--write): the search ranges around its values"
    ]
    assert at_the_edge([(threshold, 100)]) == []


def test_a_size_at_the_end_of_its_flag_names_the_flag():
    max_size = knobs(max_size=parse_size_range("--max-size", "8..12"))["nodes.maxSize"]
    assert at_the_edge([(max_size, 8)]) == [
        "nodes.maxSize 8 is at the bottom of its search range (8..12): the best value may lie beyond it; "
        "widen --max-size (8..12)"
    ]


def test_ends_that_are_limits_of_their_own_are_not_warned_about():
    space = knobs()
    one_node = space["scaling.step[0].steps[1].change"]  # prod adds 3: 1..6, and no step adds less than 1
    utilisation = space["scaling.targetTracking[1].target"]  # 20..95%: the range that makes sense
    schedule = space["scaling.schedules[0].minSize"]  # within the group's own sizes
    assert at_the_edge([(one_node, 1), (utilisation, 95), (schedule, 3)]) == []
    assert at_the_edge([(one_node, 6)])[0].startswith(
        "scaling.step[0].steps[1].change (ChangeInCapacity) 6 is at the top"
    )


def test_schedules_left_at_the_groups_own_floor_are_flagged_once_they_do_nothing():
    before = prod()  # weekday-morning raises min to 6 at 07:00, weekday-evening puts it back to 3
    after = prod()
    after["scaling"]["schedules"][0]["minSize"] = 3
    lines = idle_schedules(before, after)
    assert [line.split(" (")[0] for line in lines] == [
        "elixir-cluster:scaling.schedules[0]",
        "elixir-cluster:scaling.schedules[1]",
    ]
    assert lines[0] == (
        "elixir-cluster:scaling.schedules[0] (weekday-morning) sets minSize 3, the group's own (nodes.minSize 3), "
        "and no schedule sets another: it changes nothing any more; delete it from the stack file"
    )
    assert idle_schedules(before, before) == []  # the evening's 3 undoes the morning's 6: it acts


def test_a_schedule_that_sets_a_desired_capacity_always_acts():
    before = prod()
    after = prod()
    after["scaling"]["schedules"][0].update(minSize=3, desiredCapacity=5)
    assert [line.split(" (")[0] for line in idle_schedules(before, after)] == ["elixir-cluster:scaling.schedules[1]"]
