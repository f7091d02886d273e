"""The node's systemd units: the release, run as its system user with its secrets (the cookie,
release.secrets) read at each start, and the drain agent that stops it on scale-in.

The release unit's stop timeout is the drain budget's (settings/drain.py): longer than
drainSeconds, so the BEAM finishes in-flight work before systemd kills it.
"""

from __future__ import annotations

from ..settings import StackSettings
from .node_layout import NodeLayout

RESTART_DELAY_SECONDS = 5
"""Pause before systemd restarts a release that failed (or whose secrets could not be read)."""

LOCALE = "C.UTF-8"
"""The release's LANG: the BEAM reads file names and terminal IO as UTF-8."""

MAX_OPEN_FILES = 65536
"""File descriptor limit of the release: every socket the BEAM holds is one."""


def release_unit(settings: StackSettings, layout: NodeLayout) -> str:
    """<release>.service: reads its secrets (ExecStartPre), then runs `bin/<release> start`."""
    release = settings.release.name
    return f"""\
[Unit]
Description={release} Elixir release
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
User={release}
Group={release}
StateDirectory={release}
WorkingDirectory={layout.state_dir}
RuntimeDirectory={release}
RuntimeDirectoryMode=0700
EnvironmentFile={layout.env_file}
# The cookie and release.secrets: written by ExecStartPre (0600, under RuntimeDirectory), read when
# ExecStart runs, removed with the directory when the release stops.
EnvironmentFile=-{layout.secrets_env_file}
Environment=RELEASE_TMP={layout.runtime_dir}
Environment=LANG={LOCALE}
ExecStartPre={layout.secrets_script}
ExecStart={layout.root}/bin/{release} start
ExecStop={layout.root}/bin/{release} stop
# Longer than drainSeconds: the BEAM finishes in-flight work before systemd kills it.
TimeoutStopSec={settings.drain.stop_timeout_seconds}
Restart=on-failure
RestartSec={RESTART_DELAY_SECONDS}
LimitNOFILE={MAX_OPEN_FILES}
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true

[Install]
WantedBy=multi-user.target
"""


def drain_unit(layout: NodeLayout) -> str:
    """<release>-drain.service: the drain agent, started after the release."""
    return f"""\
[Unit]
Description={layout.release} drain agent: leaves the cluster gracefully on scale-in
Wants=network-online.target
After=network-online.target {layout.release_unit}

[Service]
Type=exec
ExecStart={layout.drain_script}
Restart=on-failure
RestartSec={RESTART_DELAY_SECONDS}

[Install]
WantedBy=multi-user.target
"""
