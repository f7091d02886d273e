"""What an instance runs instead of systemd and the agents the AMI would bring.

    boot.prepare(instance)   # the unit runner, systemctl, amazon-cloudwatch-agent-ctl, apt-get
    boot.systemctl(instance, "is-active", "shop.service")
    boot.journal(instance, "shop.service")     # what journalctl -u would show

- the unit runner (units.py) as the instance's service manager, and `systemctl` as a shim
  that talks to it;
- `amazon-cloudwatch-agent-ctl` (where the bootstrap calls it) as a stub that refuses the
  options and actions the real control script refuses (cloudwatch_agent_ctl.py) and records
  the call: the lab reads back its arguments and validates the configuration file it was
  given against the agent's published JSON schema (`cloudwatch_agent_config_problems`);
- `apt-get` as a recorder stub, so `packages:` is recorded, never installed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from pathlib import Path

from components.plans.node_scripts import SCRIPTS_DIR

from ..netns import PROJECT_DIR
from ..waiting import wait_until
from . import cloud_init
from .instance import Instance
from .units import SOCKET
from .units.unit_file import JOURNAL_DIR

SCHEMA_NAME = "amazon-cloudwatch-agent.schema.json"
SCHEMA_PLACES = (PROJECT_DIR.parent / "shared" / "schemas", Path("/work/shared/schemas"))
"""Where the agent's published schema is kept (next to the repository), unless
CLOUDWATCH_AGENT_SCHEMA names the file."""
RUNNER_START_SECONDS = 10


def cloudwatch_agent_ctl() -> str:
    """Where the bootstrap calls the agent's control script: bootstrap.sh's CLOUDWATCH_AGENT_CTL."""
    script = SCRIPTS_DIR / "bootstrap.sh"
    found = re.search(r"^CLOUDWATCH_AGENT_CTL=(/\S+)$", script.read_text(), re.MULTILINE)
    if found is None:
        raise LookupError(f"{script} no longer sets CLOUDWATCH_AGENT_CTL=/path: the lab cannot stub the agent")
    return found[1]


def shim(module: str) -> str:
    """A shell command that runs one of the lab's Python modules with this interpreter."""
    python = shlex.quote(sys.executable)
    return f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(PROJECT_DIR))} exec {python} -m {module} "$@"\n'


def prepare(instance: Instance, log: Path | None = None) -> None:
    """Install the shims and stubs and start the unit runner, before cloud-init runs."""
    records = instance.path(cloud_init.RECORDS_DIR)
    records.mkdir(parents=True, exist_ok=True)
    records.chmod(0o1777)  # stubs run as the release user too
    cloud_init.install_command(instance, "/usr/local/bin/systemctl", shim("tools.conformance.node_lab.systemctl"))
    cloud_init.install_command(
        instance, cloudwatch_agent_ctl(), shim("tools.conformance.node_lab.cloudwatch_agent_ctl")
    )
    cloud_init.install_recorder(instance, "/usr/local/bin/apt-get", "apt-get")
    argv = ["env", f"PYTHONPATH={PROJECT_DIR}", sys.executable, "-m", "tools.conformance.node_lab.units", "serve"]
    instance.start_process(argv, log=log or instance.workdir / "units.log")
    socket = instance.path(str(SOCKET))
    if wait_until(socket.exists, RUNNER_START_SECONDS) is None:
        raise RuntimeError(f"{instance.name}: the unit runner did not start; see {log}")


def systemctl(instance: Instance, *argv: str, check: bool = False):
    return instance.run(["systemctl", *argv], check=check)


def journal(instance: Instance, unit: str) -> str:
    """What `journalctl -u <unit>` would show: the unit runner's log of it ("" before it ran)."""
    log = instance.path(f"{JOURNAL_DIR}/{unit}.log")
    return log.read_text() if log.exists() else ""


def cloudwatch_agent_schema() -> Path:
    named = os.environ.get("CLOUDWATCH_AGENT_SCHEMA")
    candidates = [Path(named)] if named else [place / SCHEMA_NAME for place in SCHEMA_PLACES]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"the CloudWatch agent's schema is not at {', '.join(map(str, candidates))}")


def cloudwatch_agent_calls(instance: Instance) -> list[list[str]]:
    return cloud_init.recorded(instance, "amazon-cloudwatch-agent-ctl")


def cloudwatch_agent_config_problems(instance: Instance, call: list[str]) -> list[str]:
    """Schema errors of the configuration file named by `-c file:<path>` in one ctl call."""
    import jsonschema

    source = call[call.index("-c") + 1]
    if not source.startswith("file:"):
        return [f"-c {source}: the lab reads file: configurations only"]
    document = json.loads(instance.path(source.removeprefix("file:")).read_text())
    validator = jsonschema.Draft4Validator(json.loads(cloudwatch_agent_schema().read_text()))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
