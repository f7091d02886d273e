"""The unit runner that stands in for systemd, running units in an instance (needs root).

What it reads and refuses is tested offline: tests/node_lab/test_unit_file.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.conformance import netns
from tools.conformance.node_lab import boot
from tools.conformance.node_lab.instance import Instance
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

MINIMAL = "[Service]\nExecStart=/bin/true\n"


# --- running units in an instance ---------------------------------------------------------------

PROBE_UNIT = """\
[Unit]
Description=probe
After=network-online.target

[Service]
Type=exec
User=nobody
Group=nogroup
RuntimeDirectory=probe
RuntimeDirectoryMode=0700
StateDirectory=probe
WorkingDirectory=/var/lib/probe
Environment="GREETING=hello there"
EnvironmentFile=-/run/probe/later.env
ExecStartPre=/bin/sh -c 'echo WRITTEN_BY_PRE=yes > "$RUNTIME_DIRECTORY/later.env"'
ExecStart=/bin/sh -c 'trap "echo got-SIGINT >> /var/lib/probe/events; exit 0" INT; \\
  echo "$GREETING $WRITTEN_BY_PRE $(id -un) $(pwd) $(ulimit -n)" > /var/lib/probe/started; \\
  touch /tmp/private-probe; while true; do sleep 0.1; done'
ExecStop=/bin/sh -c 'echo "stop $MAINPID" >> /var/lib/probe/events'
KillSignal=SIGINT
TimeoutStopSec=5
LimitNOFILE=1024
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true

[Install]
WantedBy=multi-user.target
"""

STUBBORN_UNIT = """\
[Service]
ExecStart=/bin/sh -c 'trap "" TERM; while true; do sleep 0.1; done'
TimeoutStopSec=1
"""

FLAKY_UNIT = """\
[Service]
ExecStart=/bin/sh -c 'echo run >> /var/lib/flaky-runs; exit 3'
Restart=on-failure
RestartSec=0.2
"""


@pytest.fixture
def instance(lab_network: netns.Network, tmp_path: Path) -> Iterator[Instance]:
    node = Instance(lab_network.add("node1"), tmp_path / "node1", {})
    try:
        node.start()
        boot.prepare(node)
        for name, text in (("probe", PROBE_UNIT), ("stubborn", STUBBORN_UNIT), ("flaky", FLAKY_UNIT)):
            node.path(f"/etc/systemd/system/{name}.service").write_text(text)
        node.path("/etc/systemd/system/odd.service").write_text(f"{MINIMAL}LimitCORE=infinity\n")
        node.path("/etc/systemd/system/brief.service").write_text(MINIMAL)
        boot.systemctl(node, "daemon-reload", check=True)
        yield node
    finally:
        node.close()


def test_a_service_runs_as_its_unit_says(instance):
    assert boot.systemctl(instance, "enable", "probe.service").returncode == 0
    assert instance.path("/etc/systemd/system/multi-user.target.wants/probe.service").is_symlink()
    assert boot.systemctl(instance, "start", "probe.service").returncode == 0
    started = instance.path("/var/lib/probe/started")
    assert wait_until(started.exists, 5) is not None
    assert started.read_text().split() == ["hello", "there", "yes", "nobody", "/var/lib/probe", "1024"]
    runtime = instance.path("/run/probe")
    assert oct(runtime.stat().st_mode & 0o777) == "0o700" and runtime.stat().st_uid != 0
    assert not instance.path("/tmp/private-probe").exists(), "PrivateTmp: the unit's /tmp is its own"
    assert boot.systemctl(instance, "is-active", "probe.service").stdout == "active\n"


def test_stop_runs_exec_stop_then_the_kill_signal_and_removes_the_runtime_directory(instance):
    boot.systemctl(instance, "start", "probe.service", check=True)
    assert wait_until(instance.path("/var/lib/probe/started").exists, 5) is not None
    assert boot.systemctl(instance, "stop", "probe.service").returncode == 0
    events = instance.path("/var/lib/probe/events").read_text().split("\n")
    # the unit's journal says how it stopped (exit code, or SIGKILL after TimeoutStopSec), should it fail
    journal = instance.path("/var/log/node-lab/journal/probe.service.log").read_text()
    assert events[0].startswith("stop ") and events[0].split()[1].isdigit(), ("ExecStop ran with MAINPID", journal)
    assert events[1] == "got-SIGINT", ("KillSignal=SIGINT", events, journal)
    assert not instance.path("/run/probe").exists()
    assert boot.systemctl(instance, "is-active", "probe.service").stdout == "inactive\n"


def test_protect_system_full_makes_etc_read_only_for_the_service(instance):
    unit = PROBE_UNIT.replace(
        "touch /tmp/private-probe", "touch /etc/probe-wrote-etc 2>/dev/null || touch /var/lib/probe/etc-refused"
    )
    instance.path("/etc/systemd/system/probe.service").write_text(unit)
    boot.systemctl(instance, "daemon-reload", check=True)
    boot.systemctl(instance, "start", "probe.service", check=True)
    assert wait_until(instance.path("/var/lib/probe/etc-refused").exists, 5) is not None
    assert not instance.path("/etc/probe-wrote-etc").exists()


def test_a_service_that_ignores_the_kill_signal_is_killed_after_timeout_stop_sec(instance):
    boot.systemctl(instance, "start", "stubborn.service", check=True)
    time.sleep(0.5)
    started = time.monotonic()
    boot.systemctl(instance, "stop", "stubborn.service", check=True)
    assert 1 <= time.monotonic() - started < 4
    journal = instance.path("/var/log/node-lab/journal/stubborn.service.log").read_text()
    assert "SIGKILL" in journal


def test_restart_on_failure_starts_the_service_again(instance):
    boot.systemctl(instance, "start", "--no-block", "flaky.service", check=True)
    runs = instance.path("/var/lib/flaky-runs")
    assert wait_until(lambda: runs.exists() and len(runs.read_text().split()) >= 3, 10) is not None
    boot.systemctl(instance, "stop", "flaky.service", check=True)
    count = len(runs.read_text().split())
    time.sleep(0.6)
    assert len(runs.read_text().split()) == count, "a stopped service is not restarted"


def test_a_service_that_exits_cleanly_is_inactive_not_failed(instance):
    boot.systemctl(instance, "start", "brief.service", check=True)
    journal = instance.path("/var/log/node-lab/journal/brief.service.log")
    assert wait_until(lambda: journal.exists() and "finished: exit-code 0" in journal.read_text(), 5) is not None
    assert boot.systemctl(instance, "is-active", "brief.service").stdout == "inactive\n"


def test_systemctl_refuses_a_unit_it_cannot_honour_and_says_why(instance):
    done = boot.systemctl(instance, "start", "odd.service")
    assert done.returncode == 1
    assert "LimitCORE= in [Service] is not implemented by the node lab's unit runner" in done.stderr
    assert boot.systemctl(instance, "start", "missing.service").returncode == 5
    assert "not implemented by the node lab" in boot.systemctl(instance, "list-units").stderr
