"""Running one command as the unit says: user, directories, limits, protections."""

from __future__ import annotations

import ctypes
import grp
import json
import os
import pwd
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ...netns import PROJECT_DIR
from .unit_file import TRUE, Unit

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
