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
  a `-` path may be missing), as User/Group, in WorkingDirectory, with LimitNOFILE,
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
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import grp
import json
import os
import pwd
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..netns import PROJECT_DIR

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


# --- environment and command lines ---------------------------------------------------------


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads them: comments skipped, one level of quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_environment(unit: Unit) -> dict[str, str]:
    """Environment= then every EnvironmentFile=, read now (a `-` file may be missing)."""
    env: dict[str, str] = {}
    for assignment in unit.values("Service", "Environment"):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            env[key] = value
    for entry in unit.values("Service", "EnvironmentFile"):
        optional = entry.startswith("-")
        path = Path(entry.lstrip("-"))
        if optional and not path.exists():
            continue
        env |= environment_file(path)  # a required file that is missing fails the start here
    return env


def command_line(value: str, env: dict[str, str]) -> tuple[list[str], bool]:
    """(argv, failure ignored) of an Exec line; `$VAR` and `${VAR}` expanded from `env`."""
    ignore = value.startswith("-")
    words = shlex.split(value.lstrip("-"))

    def expand(word: str) -> str:
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m[1] or m[2], ""), word)

    return [expand(w) for w in words], ignore


# --- running one command as the unit says ------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    """What the exec helper sets up before it runs a command; holds no secret (it is on argv)."""

    user: str | None
    group: str | None
    working_directory: str | None
    open_files: int | None
    no_new_privileges: bool
    private_tmp: str | None
    protect_system: str
    protect_home: bool

    @classmethod
    def of(cls, unit: Unit, private_tmp: Path | None) -> Sandbox:
        limit = unit.service("LimitNOFILE")
        protect = (unit.service("ProtectSystem") or "no").lower()
        return cls(
            user=unit.service("User"),
            group=unit.service("Group"),
            working_directory=unit.service("WorkingDirectory"),
            open_files=int(limit) if limit else None,
            no_new_privileges=unit.flag("NoNewPrivileges"),
            private_tmp=str(private_tmp) if private_tmp else None,
            protect_system="full" if protect == "full" else ("yes" if protect in TRUE else "no"),
            protect_home=unit.flag("ProtectHome"),
        )

    @property
    def needs_mount_namespace(self) -> bool:
        return bool(self.private_tmp) or self.protect_system != "no" or self.protect_home


def spawn(argv: list[str], env: dict[str, str], sandbox: Sandbox, log: Path) -> subprocess.Popen:
    """Start `argv` through the exec helper, in a session of its own, output appended to `log`."""
    helper = [sys.executable, "-m", "tools.conformance.node_lab.units", "exec", json.dumps(sandbox.__dict__), "--"]
    if sandbox.needs_mount_namespace:
        helper = ["unshare", "--mount", "--propagation", "private", "--", *helper]
    full_env = {"PYTHONPATH": str(PROJECT_DIR), **env}
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*helper, *argv], env=full_env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )


def exec_as_unit(sandbox: dict, argv: list[str]) -> None:
    """The exec helper: set up the sandbox, become the unit's user, replace this process with `argv`.

    Everything it imports is imported at the top: ProtectHome may hide this Python's own files.
    """
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if sandbox["private_tmp"]:
        for inside, private in (("/tmp", "tmp"), ("/var/tmp", "var-tmp")):
            subprocess.run(["mount", "--bind", f"{sandbox['private_tmp']}/{private}", inside], check=True)
    if sandbox["protect_system"] != "no":
        read_only = ["/usr", "/boot", "/efi"] + (["/etc"] if sandbox["protect_system"] == "full" else [])
        for directory in filter(os.path.isdir, read_only):
            _read_only_tree(directory)
    if sandbox["protect_home"]:
        for directory in filter(os.path.isdir, ["/home", "/root", "/run/user"]):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,mode=000", "inaccessible", directory], check=True)
    if sandbox["open_files"]:
        _limit_open_files(sandbox["open_files"])
    if sandbox["user"]:
        account = pwd.getpwnam(sandbox["user"])
        gid = _group_id(sandbox["group"]) if sandbox["group"] else account.pw_gid
        os.initgroups(account.pw_name, gid)
        os.setgid(gid)
        os.setuid(account.pw_uid)
        env |= {"HOME": account.pw_dir, "USER": account.pw_name, "LOGNAME": account.pw_name, "SHELL": account.pw_shell}
    if sandbox["working_directory"]:
        os.chdir(sandbox["working_directory"])
    if sandbox["no_new_privileges"]:
        pr_set_no_new_privs = 38
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_no_new_privs, 1, 0, 0, 0)
    os.execvpe(argv[0], argv, env)


def _limit_open_files(wanted: int) -> None:
    """LimitNOFILE; capped, and said so, where the lab's own hard limit is lower (a container
    without CAP_SYS_RESOURCE cannot raise it, as systemd as PID 1 can)."""
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
    except ValueError:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        print(f"node-lab-systemd: LimitNOFILE={wanted} is above this machine's hard limit: {hard}", file=sys.stderr)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _read_only_tree(directory: str) -> None:
    subprocess.run(["mount", "--rbind", directory, directory], check=True)
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for mount_point in sorted({m for m in mounts if m == directory or m.startswith(directory + "/")}):
        subprocess.run(["mount", "-o", "remount,bind,ro", mount_point], check=False)


def _group_id(name: str) -> int:
    return grp.getgrnam(name).gr_gid


# --- services ----------------------------------------------------------------------------------


@dataclass
class Service:
    unit: Unit
    state: str = "inactive"  # inactive | activating | active | deactivating | failed
    main: subprocess.Popen | None = None
    stopping: bool = False
    restarts: int = 0
    generation: int = 0
    result: str = ""
    wake: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Manager:
    """The units of one instance and their services."""

    def __init__(self, unit_dir: Path = UNIT_DIR, journal_dir: Path = JOURNAL_DIR):
        self.unit_dir = unit_dir
        self.journal_dir = journal_dir
        self.units: dict[str, Unit] = {}
        self.services: dict[str, Service] = {}

    def journal(self, name: str) -> Path:
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        return self.journal_dir / f"{name}.log"

    def note(self, name: str, message: str) -> None:
        with open(self.journal(name), "a") as out:
            out.write(f"node-lab-systemd: {name}: {message}\n")

    # --- systemctl verbs ---

    def daemon_reload(self) -> None:
        """Forget every unit read so far: each is read again, and judged, when next used.

        As in systemd, a unit the runner cannot honour fails its own enable or start, not
        the reload (the host's /etc/systemd/system, seen through the overlay, has units of
        its own that the instance never starts).
        """
        self.units = {}

    def unit(self, name: str) -> Unit:
        name = name if name.endswith(".service") else f"{name}.service"
        if name not in self.units:
            path = self.unit_dir / name
            if not path.exists():
                raise UnitNotFound(f"Unit {name} not found.")
            self.units[name] = parse_unit(name, path.read_text())
        return self.units[name]

    def enable(self, name: str) -> str:
        unit = self.unit(name)
        lines = []
        for target in unit.values("Install", "WantedBy"):
            link = self.unit_dir / f"{target}.wants" / unit.name
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.is_symlink():
                link.symlink_to(self.unit_dir / unit.name)
                lines.append(f"Created symlink {link} → {self.unit_dir / unit.name}.")
        return "\n".join(lines)

    def is_enabled(self, name: str) -> bool:
        unit = self.unit(name)
        return any((self.unit_dir / f"{t}.wants" / unit.name).is_symlink() for t in unit.values("Install", "WantedBy"))

    def ordered(self, names: list[str]) -> list[Unit]:
        """`names` as units, each after the ones its After= names (among these)."""
        units = [self.unit(n) for n in names]
        ordered: list[Unit] = []
        while units:
            ready = next(
                u
                for u in units
                if not any(o.name in " ".join(u.values("Unit", "After")).split() for o in units if o is not u)
            )
            units.remove(ready)
            ordered.append(ready)
        return ordered

    def start(self, name: str, block: bool = True) -> None:
        unit = self.unit(name)
        service = self.services.setdefault(unit.name, Service(unit))
        with service.lock:
            if service.state in ("active", "activating"):
                return
            service.unit, service.stopping, service.restarts = unit, False, 0
            service.state = "activating"
            service.generation += 1  # a restart still pending from a failed run is abandoned
            service.wake.set()
        done = threading.Event()
        threading.Thread(target=self._run, args=(service, done), daemon=True).start()
        if block:
            done.wait()
            if service.state == "failed":
                raise RuntimeError(f"Job for {unit.name} failed: {service.result}. See {self.journal(unit.name)}.")

    def stop(self, name: str) -> None:
        unit = self.unit(name)
        service = self.services.get(unit.name)
        if service is None or service.state in ("inactive", "failed"):
            if service is not None:
                service.stopping = True
                service.wake.set()
            return
        service.stopping = True
        service.wake.set()  # a pending restart is cancelled
        with service.lock:
            main = service.main
            if main is not None and main.poll() is None:
                service.state = "deactivating"
                self._stop_main(service, main)
            self._clean_up(service.unit)
            service.state = "inactive"

    def state(self, name: str) -> str:
        service = self.services.get(self.unit(name).name)
        return service.state if service else "inactive"

    # --- the life of a service ---

    def _run(self, service: Service, started: threading.Event) -> None:
        """Start, supervise, restart: the whole life of one service (in its own thread)."""
        unit, generation = service.unit, service.generation
        service.wake.clear()
        while True:
            code = self._start_once(service)
            started.set()
            if code is None:  # running: wait for the main process to end
                code = service.main.wait()
            with service.lock:
                if service.stopping:
                    return
                self._clean_up(unit)
                failed = code != 0
                service.state = "failed" if failed else "inactive"
                service.result = f"exit-code {code}" if code >= 0 else f"signal {signal.Signals(-code).name}"
                self.note(unit.name, f"{'failed' if failed else 'finished'}: {service.result}")
            policy = unit.service("Restart", "no")
            if not (policy == "always" or (policy == "on-failure" and failed)) or service.restarts >= MAX_RESTARTS:
                return
            service.restarts += 1
            if service.wake.wait(seconds(unit.service("RestartSec", str(DEFAULT_RESTART_SECONDS)))):
                service.wake.clear()
            if service.stopping or service.generation != generation:
                return
            service.state = "activating"

    def _start_once(self, service: Service) -> int | None:
        """ExecStartPre then ExecStart; None when ExecStart runs, else the failing exit code."""
        unit = service.unit
        private_tmp = self._prepare_directories(unit)
        sandbox = Sandbox.of(unit, private_tmp)
        for value in unit.values("Service", "ExecStartPre"):
            try:
                env = self._environment(unit)
            except FileNotFoundError as missing:
                self.note(unit.name, f"failed to load environment file: {missing.filename}")
                return 1
            argv, ignore = command_line(value, env)
            code = spawn(argv, env, sandbox, self.journal(unit.name)).wait()
            if code != 0 and not ignore:
                self.note(unit.name, f"ExecStartPre {argv[0]} failed: exit {code}")
                return code if code > 0 else 1
        try:
            env = self._environment(unit)
        except FileNotFoundError as missing:
            self.note(unit.name, f"failed to load environment file: {missing.filename}")
            return 1
        argv, _ = command_line(unit.service("ExecStart"), env)
        with service.lock:
            if service.stopping:
                return 1
            service.main = spawn(argv, env, sandbox, self.journal(unit.name))
            service.state = "active"
        self.note(unit.name, f"started {argv[0]} (pid {service.main.pid})")
        return None

    def _environment(self, unit: Unit) -> dict[str, str]:
        env = {"PATH": DEFAULT_PATH, "LANG": "C.UTF-8"}
        if unit.runtime_directories:
            env["RUNTIME_DIRECTORY"] = ":".join(map(str, unit.runtime_directories))
        if unit.state_directories:
            env["STATE_DIRECTORY"] = ":".join(map(str, unit.state_directories))
        return env | unit_environment(unit)

    def _prepare_directories(self, unit: Unit) -> Path | None:
        user = unit.service("User")
        account = pwd.getpwnam(user) if user else None
        mode = int(unit.service("RuntimeDirectoryMode", "0755"), 8)
        for directory, directory_mode in [(d, mode) for d in unit.runtime_directories] + [
            (d, 0o755) for d in unit.state_directories
        ]:
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(directory_mode)
            if account:
                os.chown(directory, account.pw_uid, account.pw_gid)
        if not unit.flag("PrivateTmp"):
            return None
        private = Path("/var/tmp") / f"node-lab-private-{unit.name}"
        for sub in ("tmp", "var-tmp"):
            (private / sub).mkdir(parents=True, exist_ok=True)
            (private / sub).chmod(0o1777)
        return private

    def _stop_main(self, service: Service, main: subprocess.Popen) -> None:
        unit = service.unit
        budget = unit.timeout_stop
        env = self._environment(unit) | {"MAINPID": str(main.pid)}
        for value in unit.values("Service", "ExecStop"):
            argv, _ = command_line(value, env)
            stopper = spawn(argv, env, Sandbox.of(unit, self._prepare_directories(unit)), self.journal(unit.name))
            try:
                stopper.wait(budget)
            except subprocess.TimeoutExpired:
                self.note(unit.name, f"ExecStop {argv[0]} timed out after {budget:g} s")
                _kill_group(stopper, signal.SIGKILL)
                break
        if main.poll() is None:
            _kill_group(main, unit.kill_signal)
        try:
            code = main.wait(budget)
            self.note(unit.name, f"stopped (exit {code})")
        except subprocess.TimeoutExpired:
            self.note(unit.name, f"did not stop within TimeoutStopSec={budget:g}s: SIGKILL")
            _kill_group(main, signal.SIGKILL)
            main.wait()

    def _clean_up(self, unit: Unit) -> None:
        """RuntimeDirectory and the private /tmp go when the service is down, as in systemd."""
        for directory in unit.runtime_directories:
            shutil.rmtree(directory, ignore_errors=True)
        shutil.rmtree(Path("/var/tmp") / f"node-lab-private-{unit.name}", ignore_errors=True)

    def stop_all(self) -> None:
        for name in list(self.services):
            with contextlib.suppress(Exception):
                self.stop(name)


def _kill_group(process: subprocess.Popen, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)


# --- the daemon and its protocol -----------------------------------------------------------------


def handle(manager: Manager, argv: list[str]) -> tuple[int, str, str]:
    """One systemctl command: (exit code, stdout, stderr)."""
    options = [a for a in argv if a.startswith("-")]
    words = [a for a in argv if not a.startswith("-")]
    unknown = set(options) - {"--no-block", "--quiet", "-q", "--now"}
    if not words or unknown:
        return 1, "", f"systemctl {' '.join(argv)}: not implemented by the node lab"
    verb, names = words[0], words[1:]
    try:
        if verb == "daemon-reload":
            manager.daemon_reload()
            return 0, "", ""
        if verb == "enable":
            out = "\n".join(manager.enable(n) for n in names)
            if "--now" in options:
                for unit in manager.ordered(names):
                    manager.start(unit.name, block="--no-block" not in options)
            return 0, "", out
        if verb in ("start", "restart"):
            for unit in manager.ordered(names):
                if verb == "restart":
                    manager.stop(unit.name)
                manager.start(unit.name, block="--no-block" not in options)
            return 0, "", ""
        if verb == "stop":
            for name in names:
                manager.stop(name)
            return 0, "", ""
        if verb == "is-active":
            states = [manager.state(n) for n in names]
            return (0 if all(s == "active" for s in states) else 3), "\n".join(states) + "\n", ""
        if verb == "is-enabled":
            enabled = [manager.is_enabled(n) for n in names]
            return (0 if all(enabled) else 1), "\n".join("enabled" if e else "disabled" for e in enabled) + "\n", ""
    except UnitNotFound as missing:
        return 5, "", f"Failed to {verb} {' '.join(names)}: {missing}"
    except (UnsupportedDirective, RuntimeError, KeyError, OSError) as problem:
        return 1, "", f"Failed to {verb} {' '.join(names)}: {problem}"
    return 1, "", f"systemctl {verb}: not implemented by the node lab"


def serve(socket_path: Path = SOCKET) -> None:
    manager = Manager()
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))
    server.listen(16)

    def shut_down(*_: object) -> None:
        manager.stop_all()  # as systemd does at shutdown: every service stopped its own way
        sys.exit(0)

    signal.signal(signal.SIGTERM, shut_down)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=_answer, args=(manager, connection), daemon=True).start()


def _answer(manager: Manager, connection: socket.socket) -> None:
    with connection, connection.makefile("rw") as stream:
        request = json.loads(stream.readline())
        code, out, err = handle(manager, request["argv"])
        stream.write(json.dumps({"code": code, "stdout": out, "stderr": err}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve").add_argument("--socket", type=Path, default=SOCKET)
    run = commands.add_parser("exec", help="internal: run one command as a unit says")
    run.add_argument("sandbox")
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.socket)
        return 0
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    exec_as_unit(json.loads(args.sandbox), command)
    return 127


if __name__ == "__main__":
    sys.exit(main())
