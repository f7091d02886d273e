"""Services: start, stop and restart units as systemd would, bounded for the lab."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .environment import EnvironmentFileRefused, command_line, unit_environment
from .sandbox import Sandbox, spawn
from .unit_file import (
    DEFAULT_PATH,
    DEFAULT_RESTART_SECONDS,
    JOURNAL_DIR,
    MAX_RESTARTS,
    UNIT_DIR,
    Unit,
    UnitNotFound,
    parse_unit,
    seconds,
)

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
            env = self._loaded_environment(unit)
            if env is None:
                return 1
            argv, ignore = command_line(value, env)
            code = spawn(argv, env, sandbox, self.journal(unit.name)).wait()
            if code != 0 and not ignore:
                self.note(unit.name, f"ExecStartPre {argv[0]} failed: exit {code}")
                return code if code > 0 else 1
        env = self._loaded_environment(unit)
        if env is None:
            return 1
        argv, _ = command_line(unit.service("ExecStart"), env)
        with service.lock:
            if service.stopping:
                return 1
            service.main = spawn(argv, env, sandbox, self.journal(unit.name))
            service.state = "active"
        self.note(unit.name, f"started {argv[0]} (pid {service.main.pid})")
        return None

    def _loaded_environment(self, unit: Unit) -> dict[str, str] | None:
        """The environment a command of the unit runs with; None, said in the journal, when systemd
        could not load it (a required EnvironmentFile missing, or one it refuses): the start fails."""
        try:
            return self._environment(unit)
        except FileNotFoundError as missing:
            self.note(unit.name, f"failed to load environment file: {missing.filename}")
        except EnvironmentFileRefused as refused:
            self.note(unit.name, f"failed to load environment file: {refused}")
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
