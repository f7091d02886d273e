"""The unit runner's reading of unit files: what it implements, and that it refuses the rest by
name (offline: no root needed). Environment files and command lines: tests/node_lab/test_environment.py.
Running units in an instance: tests/node_lab/test_units.py."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml

from components.plans.user_data import render_user_data
from tools.conformance.node_lab.stack_variants import release_variant, settings_of
from tools.conformance.node_lab.units import (
    UnsupportedDirective,
    parse_unit,
    seconds,
)

MINIMAL = "[Service]\nExecStart=/bin/true\n"


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("LimitCORE=infinity", "LimitCORE="),
        ("Type=forking", "Type=forking"),
        ("ExecStartPre=+/bin/true", r"prefix '\+'"),
        ("KillSignal=SIGNOPE", "KillSignal=SIGNOPE"),
        ("TimeoutStopSec=1fortnight", "time span"),
        ("ProtectSystem=strict", "ProtectSystem=strict"),
    ],
)
def test_a_directive_the_runner_does_not_implement_is_refused_by_name(line, named):
    with pytest.raises(UnsupportedDirective, match=named):
        parse_unit("x.service", f"{MINIMAL}{line}\n")


def test_an_unknown_section_is_refused():
    with pytest.raises(UnsupportedDirective, match=r"\[Socket\]"):
        parse_unit("x.service", f"{MINIMAL}[Socket]\nListenStream=80\n")


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("discovery", ["ec2Tags", "dns"])
def test_every_unit_the_stack_renders_is_understood(stack, discovery, tmp_path):
    settings = settings_of(release_variant(stack, tmp_path, discovery=discovery))
    document = yaml.safe_load(render_user_data(settings))
    units = [f for f in document["write_files"] if f["path"].startswith("/etc/systemd/system/")]
    assert len(units) == 2
    for unit in units:
        parsed = parse_unit(Path(unit["path"]).name, unit["content"])
        assert parsed.values("Service", "ExecStart")


def test_values_are_read_as_systemd_reads_them():
    assert seconds("1min 30s") == 90 and seconds("45") == 45 and seconds("500ms") == 0.5
    unit = parse_unit("x.service", f'{MINIMAL}Environment=A=1 "B=2 3"\nEnvironment=C=4\nTimeoutStopSec=45\n')
    assert unit.values("Service", "Environment") == ['A=1 "B=2 3"', "C=4"]
    assert unit.timeout_stop == 45 and unit.kill_signal == signal.SIGTERM
