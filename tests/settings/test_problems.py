"""Problems: one line each, starting with the full key path, ending with the value received."""

from __future__ import annotations

from components.settings import Problem, Shown, format_path


def test_a_key_path_reads_as_yaml_names_it():
    assert format_path(("scaling", "step", 0, "steps", 1, "from")) == "scaling.step[0].steps[1].from"


def test_a_line_shows_the_value_as_the_file_had_it():
    assert Problem(("nodes", "maxSize"), "must be >= minSize (3)", 2).line() == (
        "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2"
    )
    # YAML's 60 arrives as 60.0 in a float field; a long value is cut
    assert Problem(("alerts", "latencyP99Ms"), "must be > 0", 60.0).line().endswith("got 60")
    assert Problem(("cluster", "name"), "too long", "x" * 100).line().endswith('got "' + "x" * 76 + "...")
    assert (
        Problem(("release", "distribution", "portRange"), "spans", Shown("9100-9155")).line().endswith("got 9100-9155")
    )
    assert Problem(("network",), "required").line() == "elixir-cluster:network: required"


def test_a_finding_involves_the_keys_it_read_and_their_parents():
    found = Problem(("nodes", "maxSize"), "must be >= minSize", 2, refs=(("nodes", "minSize"),))
    assert found.involves(("nodes", "minSize")) and found.involves(("nodes",))
    assert not found.involves(("nodes", "desiredCapacity"))
