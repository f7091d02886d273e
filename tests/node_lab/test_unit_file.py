"""The unit runner's reading of unit files: what it implements, and that it refuses the rest by
name, and how it merges drop-ins (offline: no root needed). Running units in an instance:
tests/node_lab/test_units.py."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml

from components.plans.user_data import render_user_data
from tools.conformance.node_lab.stack_variants import release_variant, settings_of
from tools.conformance.node_lab.units import (
    UnsupportedDirective,
    command_line,
    environment_file,
    parse_unit,
    seconds,
    with_drop_ins,
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


def test_values_are_read_as_systemd_reads_them(tmp_path):
    env = tmp_path / "env"
    env.write_text("# comment\nA=\"two words\"\nB='single'\nC=plain\n\n")
    assert environment_file(env) == {"A": "two words", "B": "single", "C": "plain"}
    assert command_line("-/bin/echo ${A} $C", {"A": "x y", "C": "z"}) == (["/bin/echo", "x y", "z"], True)
    assert seconds("1min 30s") == 90 and seconds("45") == 45 and seconds("500ms") == 0.5
    unit = parse_unit("x.service", f'{MINIMAL}Environment=A=1 "B=2 3"\nEnvironment=C=4\nTimeoutStopSec=45\n')
    assert unit.values("Service", "Environment") == ['A=1 "B=2 3"', "C=4"]
    assert unit.timeout_stop == 45 and unit.kill_signal == signal.SIGTERM


def test_drop_ins_are_merged_in_file_name_order_and_etc_hides_run(tmp_path):
    etc, run = tmp_path / "etc", tmp_path / "run"
    for directory, name, text in [
        (etc, "20-env.conf", "[Service]\nEnvironment=FROM=etc\n"),
        (run, "20-env.conf", "[Service]\nEnvironment=FROM=run\n"),
        (run, "10-inputs.conf", "[Service]\nEnvironmentFile=/run/inputs.env\n"),
        (run, "30-ignored.txt", "[Service]\nEnvironment=IGNORED=1\n"),
    ]:
        (directory / "x.service.d").mkdir(parents=True, exist_ok=True)
        (directory / "x.service.d" / name).write_text(text)
    text = with_drop_ins("x.service", f"{MINIMAL}EnvironmentFile=/etc/x.env\n", [etc, run])
    unit = parse_unit("x.service", text)
    assert unit.values("Service", "EnvironmentFile") == ["/etc/x.env", "/run/inputs.env"]
    assert unit.values("Service", "Environment") == ["FROM=etc"]
