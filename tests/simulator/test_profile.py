"""The measured node profile (tools/simulator/profile.py): its numbers, computed by hand from the
format's rules, and every problem of a bad file at once, each naming its key path and the fix."""

from __future__ import annotations

import json

import pytest

from tools.simulator.profile import NodeProfile, ProfileError, ProfilePoint, read_profile

# the format's own example (/work/notes/profile-format.md, README "Measuring a node profile")
EXAMPLE = {
    "description": "shop 1.0 on c7g.large, measured by make autoscale-lab on 2026-12-07",
    "points": [
        {"requestsPerSecond": 0, "cpuUtilization": 2, "schedulerUtilization": 1},
        {"requestsPerSecond": 10, "cpuUtilization": 30, "schedulerUtilization": 22},
        {"requestsPerSecond": 30, "cpuUtilization": 95, "schedulerUtilization": 90},
    ],
    "launchToInServiceSeconds": 40,
    "launchToServingSeconds": 55,
}


def profile(*points: tuple[float, float, float], in_service: float = 40, serving: float = 55) -> NodeProfile:
    return NodeProfile("test", tuple(ProfilePoint(*point) for point in points), in_service, serving)


def problems(document) -> list[str]:
    with pytest.raises(ProfileError) as refused:
        NodeProfile.from_json(document)
    return refused.value.problems


def test_capacity_is_extrapolated_from_the_last_two_points_when_the_last_is_below_100():
    node = NodeProfile.from_json(EXAMPLE)
    # CPU rises (95 - 30) / (30 - 10) = 3.25 points per rps after 10 rps: 100 at 30 + 5 / 3.25 = 410/13 rps;
    # the scheduler on the same line: 90 + (5 / 65) x (90 - 22) = 1238/13 %
    assert node.capacity == pytest.approx(410 / 13)
    assert node.cpu(410 / 13) == 100
    assert node.scheduler(410 / 13) == pytest.approx(1238 / 13)


def test_between_points_both_utilisations_are_interpolated_linearly():
    node = NodeProfile.from_json(EXAMPLE)
    assert node.cpu(5) == pytest.approx(16)  # halfway from 2 to 30
    assert node.scheduler(5) == pytest.approx(11.5)  # halfway from 1 to 22
    assert node.cpu(20) == pytest.approx(62.5)  # halfway from 30 to 95
    assert node.scheduler(25) == pytest.approx(73)  # three quarters of the way from 22 to 90
    assert (node.cpu(10), node.scheduler(10)) == (30, 22)


def test_above_capacity_the_node_is_saturated_at_its_values_at_capacity():
    node = NodeProfile.from_json(EXAMPLE)
    assert node.cpu(1000) == 100
    assert node.scheduler(1000) == pytest.approx(1238 / 13)


def test_capacity_is_the_first_point_at_100_and_points_beyond_it_change_nothing():
    node = profile((0, 10, 5), (10, 60, 40), (20, 100, 80), (40, 100, 100))
    assert node.capacity == pytest.approx(20)
    assert node.scheduler(15) == pytest.approx(60)
    assert node.scheduler(30) == pytest.approx(80)  # saturated at capacity's value, not the last point's


def test_an_extrapolated_scheduler_utilisation_is_held_to_100():
    # CPU 50 -> 100 from 10 to 20 rps: the scheduler's line (0 -> 80 over 10 rps) would be 160 at 20;
    # held to 100 there, capacity is a point like the others: halfway, 90
    node = profile((0, 0, 0), (10, 50, 80))
    assert node.capacity == pytest.approx(20)
    assert node.scheduler(20) == 100
    assert node.scheduler(15) == pytest.approx(90)


def test_below_the_first_point_the_first_point_s_values_hold():
    node = profile((5, 20, 10), (15, 60, 50))
    assert (node.cpu(0), node.scheduler(0)) == (20, 10)
    assert node.capacity == pytest.approx(25)  # 15 + 40 / (40 / 10)


def test_the_document_round_trips_through_to_json_and_a_file(tmp_path):
    node = NodeProfile.from_json(EXAMPLE)
    assert node.to_json() == EXAMPLE
    path = tmp_path / "profile.json"
    node.write(path)
    assert json.loads(path.read_text()) == EXAMPLE
    assert read_profile(path) == node


def test_yaml_is_read_by_its_suffix(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(
        "description: a YAML profile\n"
        "points:\n"
        "  - {requestsPerSecond: 0, cpuUtilization: 2, schedulerUtilization: 1}\n"
        "  - {requestsPerSecond: 10, cpuUtilization: 52, schedulerUtilization: 40}\n"
        "launchToInServiceSeconds: 40\n"
        "launchToServingSeconds: 55\n"
    )
    assert read_profile(path).capacity == pytest.approx(19.6)  # 10 + 48 / 5


def test_every_problem_of_a_document_at_once_each_with_its_key_path_and_fix():
    document = {
        "descripton": "typo",
        "points": [
            {"requestsPerSecond": 0, "cpuUtilization": 20, "schedulerUtilization": 10},
            {"requestsPerSecond": 10, "cpuUtilization": 130, "schedulerUtilization": "high"},
            {"requestsPerSecond": 10, "cpuUtilization": 15, "schedulerUtilization": -3},
            {"requestsPerSecond": -1, "cpu": 3},
            "30,95,90",
        ],
        "launchToInServiceSeconds": 60,
        "launchToServingSeconds": 45,
    }
    assert problems(document) == [
        "descripton: not a key of a profile; did you mean description?",
        "description: missing; say what was measured (release, instance type, when, how)",
        "points[1].schedulerUtilization: must be a number, got 'high'",
        "points[3].cpu: not a key of a point; use requestsPerSecond, cpuUtilization or schedulerUtilization",
        "points[3].cpuUtilization: missing; give the node's EC2 CPUUtilization (%) at that rate",
        "points[3].schedulerUtilization: missing; give the node's Elixir/BEAM SchedulerUtilization (%) at that rate",
        "points[4]: must be an object with requestsPerSecond, cpuUtilization and schedulerUtilization, got a string",
        "points[1].cpuUtilization: 130 is above 100; give a percentage 0-100",
        "points[2].schedulerUtilization: -3 is below 0; give a percentage 0-100",
        "points[2].requestsPerSecond: 10 is not above points[1]'s 10; list the points by strictly ascending rate, "
        "one point per rate",
        "points[2].cpuUtilization: 15 is below points[1]'s 130; CPU must not fall as the rate rises: measure the "
        "two rates again, or merge them into one point",
        "points[3].requestsPerSecond: -1 is below 0; give requests/s per node >= 0",
        "points[3].requestsPerSecond: -1 is not above points[2]'s 10; list the points by strictly ascending rate, "
        "one point per rate",
        "launchToServingSeconds: 45 is below launchToInServiceSeconds (60); the load balancer sends a node "
        "requests only once it is InService: give launchToServingSeconds >= 60",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"points": EXAMPLE["points"][:1]},
            "points: 1 given; give at least 2 points, each {requestsPerSecond, cpuUtilization, schedulerUtilization}",
        ),
        (
            {"points": {"0": [2, 1]}},
            "points: must be a list; give at least 2 points, each {requestsPerSecond, cpuUtilization, "
            "schedulerUtilization}, got an object",
        ),
        (
            {
                "points": [
                    {"requestsPerSecond": 0, "cpuUtilization": 40, "schedulerUtilization": 30},
                    {"requestsPerSecond": 10, "cpuUtilization": 40, "schedulerUtilization": 35},
                ]
            },  # fmt: skip
            "points[1].cpuUtilization: 40 equals points[0]'s and is below 100, so the rate at which CPU reaches "
            "100% (the node's capacity) cannot be extrapolated; add a point at a higher rate",
        ),
        (
            {
                "points": [
                    {"requestsPerSecond": 0, "cpuUtilization": 100, "schedulerUtilization": 100},
                    {"requestsPerSecond": 10, "cpuUtilization": 100, "schedulerUtilization": 100},
                ]
            },  # fmt: skip
            "points[0].cpuUtilization: 100 at the lowest rate measured leaves no rate below saturation; add points "
            "at rates where the node's CPU is below 100",
        ),
        (
            {"description": "  "},
            "description: must be a non-empty string; say what was measured (release, "
            "instance type, when, how), got '  '",
        ),  # fmt: skip
        (
            {"launchToInServiceSeconds": "40s"},
            "launchToInServiceSeconds: must be a number of seconds >= 0; give the seconds from launch until the "
            "launch lifecycle hook completed (InService), got '40s'",
        ),
        (
            {"launchToServingSeconds": True},
            "launchToServingSeconds: must be a number of seconds >= 0; give the seconds from launch until the load "
            "balancer's health checks passed, got True",
        ),
    ],
    ids=[
        "one point",
        "points not a list",
        "flat CPU at the end",
        "saturated from the start",
        "no description",
        "seconds as text",
        "seconds as a boolean",
    ],  # fmt: skip
)
def test_a_rule_broken_is_one_line_naming_the_key_and_the_fix(change, expected):
    assert problems({**EXAMPLE, **change}) == [expected]


def test_a_profile_built_in_code_is_held_to_the_file_s_rules():
    with pytest.raises(ProfileError, match=r"points\[1\].cpuUtilization: 130 is above 100; give a percentage 0-100"):
        profile((0, 10, 5), (10, 130, 50))


def test_a_file_s_problems_start_with_its_path(tmp_path):
    path = tmp_path / "node.json"
    path.write_text(json.dumps({**EXAMPLE, "launchToServingSeconds": 30}))
    with pytest.raises(ProfileError) as refused:
        read_profile(path)
    assert refused.value.problems == [
        f"{path}: launchToServingSeconds: 30 is below launchToInServiceSeconds (40); the load balancer sends a "
        "node requests only once it is InService: give launchToServingSeconds >= 40"
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("node.json", '{"description": "x",\n "points": [}', "{path}:2: not JSON: Expecting value"),
        (
            "node.json",
            "[1, 2]",
            "{path}: the file must hold one object with the keys description, points, "
            "launchToInServiceSeconds and launchToServingSeconds, got a list",
        ),  # fmt: skip
        ("node.yaml", "points: [1, 2", "{path}: not YAML: while parsing a flow sequence"),
    ],
    ids=["bad JSON", "not an object", "bad YAML"],
)
def test_a_file_that_does_not_parse_is_one_line(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ProfileError) as refused:
        read_profile(path)
    [problem] = refused.value.problems
    assert problem.startswith(expected.format(path=path))


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(ProfileError) as refused:
        read_profile(tmp_path / "none.json")
    assert refused.value.problems == [
        f"{tmp_path / 'none.json'}: cannot read the node profile: No such file or directory"
    ]
