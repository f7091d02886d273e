"""The user data run by Debian's cloud-init itself, inside a lab instance.

    cloud_init.prepare(instance, user_data)   # NoCloud seed, the lab's cloud.cfg, the apt-get recorder
    runs = cloud_init.boot(instance)          # init, modules:config, modules:final, as the boot does
    cloud_init.errors(instance)               # /run/cloud-init/result.json's errors

cloud-init finds the user data through its NoCloud datasource (a seed directory,
/var/lib/cloud/seed/nocloud) rather than EC2's, which would need the whole metadata tree.
The stages run as systemd runs them on a boot (cloud-init.service, cloud-config.service,
cloud-final.service): `cloud-init init`, then `cloud-init modules --mode config`, then
`--mode final`. The user data's own modules run for real:

| user data key | module (stage)                         | what it does here                        |
|---------------|----------------------------------------|------------------------------------------|
| users         | users-groups (init)                    | useradd in the instance's /etc           |
| write_files   | write-files (init)                     | the scripts, units and agent config      |
| runcmd        | runcmd (config) + scripts-user (final) | the bootstrap script runs                |
| packages      | package-update-upgrade-install (final) | apt-get, which is a recorder here        |

LAB_CLOUD_CFG lists only those modules: Debian's full list would grow partitions, resize
the root file system, mount /etc/fstab and rewrite apt sources, which no namespace should
do to this machine. Networking is left alone (`network: {config: disabled}`) and the
hostname is the lab's: the instance already has its address. `packages:` reaches apt-get
and stops there: a recorder stub stands in for it and logs its arguments, so the package
list is checked without installing anything.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the lab's stubs import RECORDS_DIR in a process of their own: no server modules
    from .instance import Instance

SEED_DIR = "/var/lib/cloud/seed/nocloud"
RECORDS_DIR = "/var/log/node-lab"
"""Inside the instance: where the lab's recorder stubs log what they were asked to do."""

STAGES = (("init",), ("modules", "--mode", "config"), ("modules", "--mode", "final"))
STAGE_TIMEOUT_SECONDS = 300
"""Each stage takes a few seconds; final runs the bootstrap, whose AWS calls retry for up to a minute."""

LAB_CLOUD_CFG = """\
# The node lab's /etc/cloud/cloud.cfg (tools/conformance/node_lab/cloud_init.py): only the
# modules the stack's user data uses, in the order Amazon Linux 2023's cloud.cfg runs them.
datasource_list: [NoCloud, None]
network: {config: disabled}
preserve_hostname: true
disable_root: true
users: [default]
system_info:
  distro: debian
  default_user: {name: ec2-user, lock_passwd: true, gecos: EC2 Default User, groups: [adm], shell: /bin/bash}
  paths: {cloud_dir: /var/lib/cloud/, templates_dir: /etc/cloud/templates/}
cloud_init_modules: [write-files, users-groups]
cloud_config_modules: [runcmd]
cloud_final_modules: [package-update-upgrade-install, scripts-user, final-message]
"""


@dataclass(frozen=True)
class StageRun:
    stage: str
    exit_code: int
    seconds: float
    output: str


def recorder(name: str, then: list[str] | None = None) -> str:
    """A command that appends its arguments, one JSON list a line, to RECORDS_DIR/<name>.log, then
    succeeds (a stub) or runs `then` with them (a recording wrapper)."""
    log = f"{RECORDS_DIR}/{name}.log"
    finish = f"os.execv({then[0]!r}, {then!r} + sys.argv[1:])\n" if then else ""
    return (
        "#!/usr/bin/python3\n"
        f"# Node lab {'wrapper' if then else 'stub'} for {name}: records its arguments"
        f"{', then runs ' + then[0] if then else ' and succeeds'}.\n"
        "import json, os, sys\n"
        f"os.makedirs({RECORDS_DIR!r}, exist_ok=True)\n"
        f"with open({log!r}, 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"{finish}"
    )


def install_recorder(instance: Instance, path: str, name: str, then: list[str] | None = None) -> None:
    """`recorder(name, then)` as the instance's `path`; its log writable by every user (the release's
    unit runs as its own)."""
    install_command(instance, path, recorder(name, then))
    log = instance.path(f"{RECORDS_DIR}/{name}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    log.chmod(0o666)


def install_command(instance: Instance, path: str, text: str) -> None:
    """Write an executable into the instance (its overlay: the host's file stays as it is)."""
    target = instance.path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    target.chmod(0o755)


def recorded(instance: Instance, name: str) -> list[list[str]]:
    """The argument lists a recorder stub was called with, in order."""
    log = instance.path(f"{RECORDS_DIR}/{name}.log")
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def prepare(instance: Instance, user_data: str, instance_id: str | None = None) -> None:
    """Seed the user data, install the lab's cloud.cfg and the apt-get recorder."""
    instance.path("/etc/cloud/cloud.cfg").write_text(LAB_CLOUD_CFG)
    seed = instance.path(SEED_DIR)
    seed.mkdir(parents=True, exist_ok=True)
    (seed / "user-data").write_text(user_data)
    identity = instance_id or instance.metadata.get("instance-id") or f"i-lab-{instance.name}"
    (seed / "meta-data").write_text(f"instance-id: {identity}\nlocal-hostname: {instance.name}\n")
    install_recorder(instance, "/usr/local/bin/apt-get", "apt-get")


def boot(instance: Instance, env: dict[str, str] | None = None, log: Path | None = None) -> list[StageRun]:
    """Run cloud-init's three boot stages in order; stops after a stage that fails."""
    runs = []
    for stage in STAGES:
        started = time.monotonic()
        try:
            done = instance.run(["cloud-init", *stage], env=env, check=False, timeout=STAGE_TIMEOUT_SECONDS)
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            code, output = -1, f"cloud-init {shlex.join(stage)} did not finish in {STAGE_TIMEOUT_SECONDS} s"
        runs.append(StageRun(" ".join(stage), code, time.monotonic() - started, output))
        if log is not None:
            with open(log, "a") as out:
                out.write(f"--- cloud-init {' '.join(stage)}: exit {code}\n{output}\n")
        if code != 0:
            break
    return runs


def errors(instance: Instance) -> list[str] | None:
    """The errors cloud-init reported at the end of the final stage; None when it did not get there."""
    result = instance.path("/run/cloud-init/result.json")
    return json.loads(result.read_text())["v1"]["errors"] if result.exists() else None


def output_log(instance: Instance) -> str:
    """What the stages and the user data's scripts printed (/var/log/cloud-init-output.log)."""
    log = instance.path("/var/log/cloud-init-output.log")
    return log.read_text() if log.exists() else ""
