"""components/settings/environment_variables.py: what a release variable's name and value may be,
held to what systemd itself passes on (its own EnvironmentFile parser), and to the node's helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.plans.scripts.env_assignment import assignment, unpassable
from components.settings.environment_variables import (
    BOOTSTRAP_VARIABLES,
    environment_name_problem,
    environment_value_problem,
)
from tests.support.systemd_env import SystemdRefusesTheFile, systemd_reads


@pytest.mark.parametrize(
    ("name", "passed_on"),
    [("PHX_HOST", True), ("_x", True), ("a1", True), ("1a", False), ("A-B", False), ("A.B", False), ("Ä", False)],
)
def test_a_name_is_refused_exactly_when_systemd_drops_it(name, passed_on, tmp_path: Path):
    env_file = tmp_path / "env"
    env_file.write_text(f'{name}="x"\n')
    assert (name in systemd_reads(env_file)) is passed_on
    assert (environment_name_problem(name) is None) is passed_on


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "",
        "\x01\x7f",
        "\ufffd",
        "\ud800",  # a lone surrogate: YAML can spell one, UTF-8 cannot
        "\ufdcf",
        "\ufdd0",
        "\ufdef",
        "\ufdf0",
        "\ufffe",
        "\uffff",
        "\U0001fffe",
        "\U0010ffff",
        "\U0010fffd",
    ],
)
def test_a_value_is_refused_exactly_when_systemd_drops_it(value, tmp_path: Path):
    env_file = tmp_path / "env"
    env_file.write_bytes(assignment("V", value).encode("utf-8", errors="surrogatepass"))
    try:
        passed_on = systemd_reads(env_file).get("V") == value
    except SystemdRefusesTheFile:  # worse than dropping the variable: the release would not start
        passed_on = False
    assert (environment_value_problem(value) is None) is passed_on
    assert unpassable(value) is not passed_on  # the node's helper judges secrets the same way


def test_the_names_the_bootstrap_sets_are_refused_saying_where_they_come_from():
    assert (
        environment_name_problem("PORT")
        == "the bootstrap sets it (release.httpPort, where the load balancer sends requests)"
    )
    assert all(environment_name_problem(name).startswith("the bootstrap sets it (") for name in BOOTSTRAP_VARIABLES)


def test_nul_is_refused_before_systemd_would_see_it():
    # a file cannot carry NUL into a variable at all: systemd would cut the value there
    assert environment_value_problem("a\0b") == "must not hold NUL: no process environment can"
    assert unpassable("a\0b")
