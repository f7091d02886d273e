"""Unit files as the runner reads them: what it implements, and what it refuses by name."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from pathlib import Path

UNIT_DIR = Path("/etc/systemd/system")
SOCKET = Path("/run/node-lab/systemd.sock")
JOURNAL_DIR = Path("/var/log/node-lab/journal")
"""One log per unit, what `journalctl -u <unit>` would show."""

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_TIMEOUT_STOP_SECONDS = 90
DEFAULT_RESTART_SECONDS = 0.1
MAX_RESTARTS = 50
"""The lab's bound on restarts of one service (systemd's own limit, 5 starts in 10 s, is never
reached with RestartSec=5): a unit that keeps failing stays failed after this many."""

SUPPORTED: dict[str, dict[str, set[str] | None]] = {
    "Unit": {"Description": None, "Documentation": None, "Wants": None, "Requires": None, "After": None},
    "Service": {
        "Type": {"exec", "simple"},
        "User": None,
        "Group": None,
        "StateDirectory": None,
        "WorkingDirectory": None,
        "RuntimeDirectory": None,
        "RuntimeDirectoryMode": None,
        "Environment": None,
        "EnvironmentFile": None,
        "ExecStartPre": None,
        "ExecStart": None,
        "ExecStop": None,
        "TimeoutStopSec": None,
        "Restart": {"no", "on-failure", "always"},
        "RestartSec": None,
        "KillSignal": None,
        "LimitNOFILE": None,
        "NoNewPrivileges": {"true", "false", "yes", "no"},
        "PrivateTmp": {"true", "false", "yes", "no"},
        "ProtectSystem": {"true", "false", "yes", "no", "full"},
        "ProtectHome": {"true", "false", "yes", "no"},
    },
    "Install": {"WantedBy": None},
}
"""Section -> directive -> the values implemented (None: any value of the right form)."""

SUPPORTED_EXEC_PREFIXES = "-"
"""`-`: a failing command does not fail the unit. `+`, `!`, `@`, `:` are refused."""

TRUE = {"true", "yes", "1", "on"}


class UnsupportedDirective(ValueError):
    """The unit asks for something the lab's runner does not implement."""


class UnitNotFound(LookupError):
    pass


# --- unit files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    name: str
    directives: dict[tuple[str, str], list[str]]

    def values(self, section: str, key: str) -> list[str]:
        return self.directives.get((section, key), [])

    def value(self, section: str, key: str, default: str | None = None) -> str | None:
        found = self.values(section, key)
        return found[-1] if found else default

    def service(self, key: str, default: str | None = None) -> str | None:
        return self.value("Service", key, default)

    def flag(self, key: str) -> bool:
        return (self.service(key) or "no").lower() in TRUE

    @property
    def timeout_stop(self) -> float:
        return seconds(self.service("TimeoutStopSec", str(DEFAULT_TIMEOUT_STOP_SECONDS)))

    @property
    def kill_signal(self) -> signal.Signals:
        name = self.service("KillSignal", "SIGTERM")
        return signal.Signals[name if name.startswith("SIG") else f"SIG{name}"]

    @property
    def runtime_directories(self) -> list[Path]:
        return [Path("/run", d) for v in self.values("Service", "RuntimeDirectory") for d in v.split()]

    @property
    def state_directories(self) -> list[Path]:
        return [Path("/var/lib", d) for v in self.values("Service", "StateDirectory") for d in v.split()]


def parse_unit(name: str, text: str) -> Unit:
    """A unit file's directives; UnsupportedDirective names the first one the runner cannot honour."""
    directives: dict[tuple[str, str], list[str]] = {}
    section = None
    for number, line in enumerate(_logical_lines(text), start=1):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in SUPPORTED:
                raise UnsupportedDirective(f"{name}: section [{section}] is not implemented by the node lab")
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or section is None:
            raise UnsupportedDirective(f"{name}: line {number} is not a directive in a section: {line!r}")
        _check_supported(name, section, key, value)
        directives.setdefault((section, key), [])
        if value == "" and key not in ("ExecStart", "ExecStartPre", "ExecStop"):
            directives[(section, key)] = []  # an empty assignment resets the list, as in systemd
        else:
            directives[(section, key)].append(value)
    unit = Unit(name, directives)
    if not unit.values("Service", "ExecStart"):
        raise UnsupportedDirective(f"{name}: no ExecStart=")
    return unit


def _logical_lines(text: str) -> list[str]:
    lines, pending = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped[0] in "#;"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    return lines


def _check_supported(name: str, section: str, key: str, value: str) -> None:
    if key not in SUPPORTED[section]:
        raise UnsupportedDirective(f"{name}: {key}= in [{section}] is not implemented by the node lab's unit runner")
    allowed = SUPPORTED[section][key]
    if allowed is not None and value.lower() not in allowed:
        raise UnsupportedDirective(f"{name}: {key}={value} is not implemented (only {', '.join(sorted(allowed))})")
    if key.startswith("Exec") and value[:1] in "+!@:" and value:
        raise UnsupportedDirective(f"{name}: {key}= prefix {value[0]!r} is not implemented")
    if key == "KillSignal":
        try:
            signal.Signals[value if value.startswith("SIG") else f"SIG{value}"]
        except KeyError:
            raise UnsupportedDirective(f"{name}: KillSignal={value} is not a signal") from None
    if key in ("TimeoutStopSec", "RestartSec"):
        seconds(value, name)


def seconds(value: str, unit_name: str = "") -> float:
    """A systemd time span: `90`, `90s`, `1min 30s`, `500ms`."""
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    total, found = 0.0, False
    for number, suffix in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        if suffix not in units and suffix != "":
            raise UnsupportedDirective(f"{unit_name}: time span {value!r} is not implemented")
        total += float(number) * units.get(suffix, 1)
        found = True
    if not found:
        raise UnsupportedDirective(f"{unit_name}: time span {value!r} is not implemented")
    return total
