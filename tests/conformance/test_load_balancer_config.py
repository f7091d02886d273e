"""The target group -> HAProxy translation, for settings the shipped stacks do not use.

The lab runs dev and prod; these check that every algorithm and matcher form the settings
accept would still give HAProxy a configuration it loads and that means the same thing.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address

import pytest

from tools.conformance.haproxy import BALANCE, Server, render_config
from tools.conformance.netns import run
from tools.conformance.stack_facts import HealthCheck, TargetGroup

pytestmark = pytest.mark.conformance


def _target_group(algorithm: str = "round_robin", matcher: str = "200") -> TargetGroup:
    check = HealthCheck(
        path="/health", interval=10, timeout=5, healthy_threshold=3, unhealthy_threshold=2, matcher=matcher
    )
    return TargetGroup("tg", "HTTP", 4000, check, algorithm, deregistration_delay=30)


def _config(tmp_path, target_group: TargetGroup) -> str:
    servers = [Server("node1", IPv4Address("198.18.0.1"))]
    return render_config(target_group, 60, (IPv4Address("198.18.0.4"), 80), servers, tmp_path / "admin.sock")


@pytest.mark.parametrize("algorithm", sorted(BALANCE))
def test_haproxy_loads_the_configuration_for_every_algorithm(tmp_path, algorithm):
    config = tmp_path / "haproxy.cfg"
    config.write_text(_config(tmp_path, _target_group(algorithm)))
    checked = run(["haproxy", "-c", "-q", "-f", str(config)], check=False)
    assert checked.returncode == 0, checked.stderr
    assert f"balance {BALANCE[algorithm]}\n" in config.read_text()


def test_health_check_timing_comes_from_the_target_group(tmp_path):
    config = _config(tmp_path, _target_group())
    assert "option httpchk GET /health\n" in config
    assert "timeout check 5s\n" in config
    assert "default-server check inter 10s rise 3 fall 2\n" in config


@pytest.mark.parametrize(
    ("matcher", "accepted", "refused"),
    [("200", [200], [201, 2000]), ("200-204,302", [200, 202, 204, 302], [205, 301, 2001, 1200])],
)
def test_matcher_codes_are_exactly_the_statuses_haproxy_accepts(tmp_path, matcher, accepted, refused):
    expect = re.search(r"http-check expect (\w+) (\S+)", _config(tmp_path, _target_group(matcher=matcher)))
    kind, pattern = expect.groups()

    def passes(code: int) -> bool:
        return str(code) == pattern if kind == "status" else re.search(pattern, str(code)) is not None

    assert all(passes(code) for code in accepted)
    assert not any(passes(code) for code in refused)
