"""The node's units: the release under its own user with a stop timeout longer than the drain,
and the drain agent after it."""

from __future__ import annotations

import pytest

from components.plans.node_layout import NodeLayout
from tests.support.node_bootstrap import (
    VARIANTS,
    stack_values,
    unit_sections,
    unit_settings,
    user_data,
    variant,
    written_file,
)


def release_unit(name: str) -> dict[str, list[str]]:
    settings = variant(name)
    return unit_settings(
        written_file(settings, f"/etc/systemd/system/{NodeLayout(settings.release.name).release_unit}")
    )


def test_prod_release_unit_says_what_systemd_needs() -> None:
    unit = unit_sections(written_file(variant("prod"), "/etc/systemd/system/shop.service"))
    assert unit == {
        "Unit": {
            "Description": ["shop Elixir release"],
            "Wants": ["network-online.target"],
            "After": ["network-online.target"],
        },
        "Service": {
            "Type": ["exec"],
            "User": ["shop"],
            "Group": ["shop"],
            "StateDirectory": ["shop"],
            "WorkingDirectory": ["/var/lib/shop"],
            "RuntimeDirectory": ["shop"],
            "RuntimeDirectoryMode": ["0700"],
            "EnvironmentFile": ["/etc/shop/release.env", "-/run/shop/secrets.env"],
            "Environment": ["RELEASE_TMP=/run/shop", "LANG=C.UTF-8"],
            "ExecStartPre": ["/usr/local/libexec/shop/fetch-secrets"],
            "ExecStart": ["/opt/shop/bin/shop start"],
            "ExecStop": ["/opt/shop/bin/shop stop"],
            # prod's drainSeconds (30) plus the drain budget's 15 s stop margin
            "TimeoutStopSec": ["45"],
            "Restart": ["on-failure"],
            "RestartSec": ["5"],
            "LimitNOFILE": ["65536"],
            "NoNewPrivileges": ["true"],
            "PrivateTmp": ["true"],
            "ProtectSystem": ["full"],
            "ProtectHome": ["true"],
        },
        "Install": {"WantedBy": ["multi-user.target"]},
    }


def test_prod_drain_unit_starts_the_agent_after_the_release() -> None:
    unit = unit_sections(written_file(variant("prod"), "/etc/systemd/system/shop-drain.service"))
    assert unit == {
        "Unit": {
            "Description": ["shop drain agent: leaves the cluster gracefully on scale-in"],
            "Wants": ["network-online.target"],
            "After": ["network-online.target shop.service"],
        },
        "Service": {
            "Type": ["exec"],
            "ExecStart": ["/usr/local/libexec/shop/drain-agent"],
            "Restart": ["on-failure"],
            "RestartSec": ["5"],
        },
        "Install": {"WantedBy": ["multi-user.target"]},
    }


@pytest.mark.parametrize("name", VARIANTS)
def test_release_stops_within_a_timeout_longer_than_the_drain(name: str) -> None:
    # drainSeconds plus systemd's 15 s margin: dev (and its variants) drains 15 s, prod 30 s
    expected = {"dev": 15 + 15, "prod": 30 + 15, "dns": 30 + 15, "https-artifact": 15 + 15, "epmd-4370": 15 + 15}
    expected["pinned-secrets"] = 30 + 15
    assert int(release_unit(name)["TimeoutStopSec"][0]) == expected[variant(name).stack]


@pytest.mark.parametrize("name", VARIANTS)
def test_lifecycle_hook_heartbeat_covers_the_whole_drain(name: str) -> None:
    # Noticing scale-in (one 5 s poll), waiting out the load balancer's drain, stopping the
    # release (the unit's stop timeout), completing the hook: all within the heartbeat.
    settings = variant(name)
    poll = int(stack_values(settings)["DRAIN_POLL_SECONDS"])
    drain = poll + settings.load_balancer.deregistration_delay + int(release_unit(name)["TimeoutStopSec"][0])
    assert settings.drain.heartbeat_seconds > drain


@pytest.mark.parametrize("name", VARIANTS)
def test_release_unit_runs_the_release_as_its_system_user(name: str) -> None:
    settings = variant(name)
    release = settings.release.name
    layout = NodeLayout(release)
    unit = release_unit(name)
    assert unit["User"] == [release]
    assert unit["ExecStart"] == [f"/opt/{release}/bin/{release} start"]
    assert unit["ExecStop"] == [f"/opt/{release}/bin/{release} stop"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["ExecStartPre"] == [layout.secrets_script]
    assert unit["EnvironmentFile"] == [layout.env_file, f"-{layout.secrets_env_file}"]
    assert unit["RuntimeDirectory"] == [release] and layout.secrets_env_file.startswith(f"/run/{release}/")
    # fetch-secrets writes ${RUNTIME_DIRECTORY}/${SECRETS_ENV}: the file the unit reads
    assert layout.secrets_env_file == f"/run/{release}/{stack_values(settings)['SECRETS_ENV']}"
    users = [entry for entry in user_data(settings)["users"] if isinstance(entry, dict)]
    assert users == [
        {**users[0], "name": release, "system": True, "shell": "/sbin/nologin", "homedir": layout.state_dir}
    ]
