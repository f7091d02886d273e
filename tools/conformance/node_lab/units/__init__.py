"""A small stand-in for systemd inside a lab instance: it runs the rendered unit files.

systemd cannot run as the init of a namespace that is not a container, so the node lab
starts this runner in each instance instead (`python -m tools.conformance.node_lab.units
serve`), and `systemctl` there is a shim (systemctl.py) that talks to it over a Unix socket.

It reads units from /etc/systemd/system and honours the directives listed in SUPPORTED,
with systemd's meaning; a unit using any other directive (or value) is refused with a
clear error when it is enabled or started, never run half-understood:

- start: RuntimeDirectory (mode RuntimeDirectoryMode, owned by User) and StateDirectory
  are created; each of ExecStartPre, then ExecStart, runs with Environment, the
  EnvironmentFiles read just before it runs (so ExecStart sees a file ExecStartPre wrote;
  a `-` path may be missing; each read as systemd 252 parses it, one it refuses fails the
  start), as User/Group, in WorkingDirectory, with LimitNOFILE,
  NoNewPrivileges, PrivateTmp (one private /tmp and /var/tmp per unit), ProtectSystem
  (`full`: /usr, /etc, /boot read-only) and ProtectHome (/home, /root, /run/user hidden).
  The command line expands `$VAR`/`${VAR}` from that environment, as systemd does.
- stop: each ExecStop with MAINPID set, bounded by TimeoutStopSec; then KillSignal
  (default SIGTERM) to the main process if it still runs, and SIGKILL after another
  TimeoutStopSec. RuntimeDirectory is removed once the service is down.
- Restart=on-failure|always restarts after RestartSec when the service fails (a failing
  ExecStartPre included), as systemd does; MAX_RESTARTS bounds it in the lab.

Differences from systemd, kept on purpose: no cgroups, so on stop only the main process's
process group is signalled (epmd, which daemonizes, outlives the release until the
instance goes); `After=` orders units started by one command but nothing waits on targets.

Modules: unit_file (what is read and refused), environment (Environment, EnvironmentFile,
command lines), sandbox (one command run as the unit says), manager (services: start,
stop, restart), daemon (the socket systemctl's shim talks to; `python -m` runs it).
"""

from .environment import EnvironmentFileRefused, command_line, environment_file, unit_environment
from .manager import Manager, Service
from .unit_file import SOCKET, Unit, UnitNotFound, UnsupportedDirective, parse_unit, seconds

__all__ = [
    "SOCKET",
    "EnvironmentFileRefused",
    "Manager",
    "Service",
    "Unit",
    "UnitNotFound",
    "UnsupportedDirective",
    "command_line",
    "environment_file",
    "parse_unit",
    "seconds",
    "unit_environment",
]
