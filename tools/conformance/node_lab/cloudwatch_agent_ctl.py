"""`amazon-cloudwatch-agent-ctl` where the AMI's agent package would put it: checks its
arguments as the agent's control script does, records the call, starts nothing.

The real script (aws/amazon-cloudwatch-agent, packaging/dependencies/amazon-cloudwatch-agent-ctl)
reads its options with `getopts ":hsa:r:m:c:o:l:"`, prints its usage and exits 1 for an option
it does not know or one without its value, and for an action or mode outside its lists:

    amazon-cloudwatch-agent-ctl -a stop|start|status|fetch-config|append-config|remove-config|set-log-level
        [-m ec2|onPremise|onPrem|auto] [-c default|all|ssm:<parameter-store-name>|file:<file-path>]
        [-o default|all|ssm:<parameter-store-name>|file:<file-path>] [-s] [-l INFO|DEBUG|WARN|ERROR|OFF]

fetch-config and append-config translate the configuration named by -c; a `file:` that does
not exist or is not JSON fails the translation (exit 1). Here the path is read under
$FAKE_ROOT (default /: inside a lab instance, the instance's own files).

Each accepted or refused call is recorded: in the lab as a JSON list a line in
RECORDS_DIR/amazon-cloudwatch-agent-ctl.log (`boot.cloudwatch_agent_calls` reads it), in the
offline sandbox appended to $FAKE_CALLS as the command line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .cloud_init import RECORDS_DIR

NAME = "amazon-cloudwatch-agent-ctl"

ACTIONS = ("stop", "start", "status", "fetch-config", "append-config", "remove-config", "set-log-level")
MODES = ("ec2", "onPremise", "onPrem", "auto")
LOG_LEVELS = ("INFO", "DEBUG", "WARN", "ERROR", "OFF")
WITH_VALUE = {"-a", "-r", "-m", "-c", "-o", "-l"}
FLAGS = {"-s", "-h"}
USAGE = (
    f"usage: {NAME} -a {'|'.join(ACTIONS)} [-m {'|'.join(MODES)}]"
    " [-c default|all|ssm:<parameter-store-name>|file:<file-path>] [-s]"
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _record(argv)
    problem = problems(argv, Path(os.environ.get("FAKE_ROOT", "/")))
    if problem:
        print(f"{problem}\n{USAGE}", file=sys.stderr)
        return 1
    return 0


def problems(argv: list[str], root: Path) -> str | None:
    """Why the real control script would refuse `argv`, or None."""
    options: dict[str, str] = {}
    index = 0
    while index < len(argv):
        option = argv[index]
        if option in FLAGS:
            options[option] = ""
        elif option in WITH_VALUE:
            if index + 1 >= len(argv) or argv[index + 1].startswith("-"):
                return f"Option {option} requires an argument"
            options[option] = argv[index + 1]
            index += 1
        else:
            return f"Invalid option: {option}"
        index += 1
    action = options.get("-a")
    if action not in ACTIONS:
        return f"Invalid action: {action}"
    if options.get("-m", "ec2") not in MODES:
        return f"Invalid mode: {options['-m']}"
    if "-l" in options and options["-l"] not in LOG_LEVELS:
        return f"Invalid log level: {options['-l']}"
    if action in ("fetch-config", "append-config"):
        return _configuration_problem(options.get("-c"), root)
    return None


def _configuration_problem(source: str | None, root: Path) -> str | None:
    if source is None:
        return "-c is required to fetch a configuration"
    if source == "default" or source.startswith("ssm:"):
        return None
    if not source.startswith("file:"):
        return f"Invalid config location: {source}"
    path = root / source.removeprefix("file:").lstrip("/")
    try:
        json.loads(path.read_text())
    except (OSError, ValueError) as unreadable:
        return f"Cannot translate {source}: {unreadable}"
    return None


def _record(argv: list[str]) -> None:
    calls = os.environ.get("FAKE_CALLS")
    if calls:
        with open(calls, "a") as log:
            log.write(" ".join([NAME, *argv]) + "\n")
        return
    os.makedirs(RECORDS_DIR, exist_ok=True)
    with open(f"{RECORDS_DIR}/{NAME}.log", "a") as log:
        log.write(json.dumps(argv) + "\n")


if __name__ == "__main__":
    sys.exit(main())
