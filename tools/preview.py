"""Offline preview: build a stack against an emulated AWS and show what it created.

    python -m tools.preview [--stack NAME | --config FILE] [--format table|json|mermaid]
                            [--endpoint URL | --serve [PORT] [--access-log]] [--policy]
                            [--changes-from OLD_FILE [--fail-on replace]]

In-process moto by default, in the stack's own account: an unchanged stack file prints the same
account, ids and order every time, whole numbers as integers (`make preview FORMAT=json > f.json`
diffs). `--endpoint URL` applies into a running moto server instead (the state stays there for the
aws CLI; nothing listening there is one line, exit 1); `--serve` starts such a server here,
applies the stack into it, prints the output, then one line on stderr starting `ready:` (what a
script waits for), and serves until Ctrl-C or SIGTERM; a line per request only with
`--access-log`. What the stack references but does not own (a
certificate, an existing VPC and its subnets) is created in the server under the ids the
stack names, which takes this project's moto server (`--serve`, or `python -m
tools.emulator.server`): a stock one cannot, and the command says so.

`--policy` then runs the policy pack (policies/) on what was built, as
`python -m tools.policy_check` does, and prints its violations to stderr.

`--changes-from OLD_FILE` applies OLD_FILE (an earlier version of the stack's file, whatever
it is named) first, then the stack file over it, as `pulumi up` applies an edit, and prints
what changes instead of the resources (tools/changes/): each resource created, updated,
replaced (and why) or deleted, and the node refresh the change starts (`--format table` for
a reviewer, `json` as docs/design.md's contract gives it).

Exit 0: done. Exit 2: a stack file is invalid (stderr: one line per problem, each
starting with its key path; nothing was created). Exit 1: anything else, with a message
naming the resource that failed (with `--changes-from`, the change is still reported, up
to the step `pulumi up` would stop at). Exit 3: the output was printed, but a mandatory
policy is violated (`--policy`), or the change replaces a resource (`--fail-on replace`).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.cli import (
    EXIT_FAILED,
    EXIT_OK,
    add_stack_arguments,
    chosen_stack,
    endpoint_url,
    refuse,
    resume_gc,
    run_once,
)
from tools.diagram import render_mermaid

if TYPE_CHECKING:
    from tools.changes.report import ChangeReport
    from tools.emulator import Deployment
    from tools.stack_files import StackFile

DEFAULT_STACK = "dev"
DEFAULT_SERVE_PORT = 5000
MAX_PORT = 65535
READY = "ready:"

EXIT_INTERRUPTED = 128 + signal.SIGINT
"""What a shell reports for a command stopped by Ctrl-C (130)."""
"""How the one line `--serve` prints once the stack is applied and the server serves it starts."""
EXIT_VIOLATION = 3
"""A mandatory policy is violated (--policy), or the change replaces a resource (--fail-on replace)."""
FAIL_ON_REPLACE = "replace"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.changes_from is None and args.fail_on is not None:
        parser.error("--fail-on needs --changes-from")
    if args.changes_from is not None and args.format not in CHANGE_RENDERERS:
        parser.error(f"--changes-from prints {' or '.join(sorted(CHANGE_RENDERERS))}, not {args.format}")
    if args.access_log and args.serve is None:
        parser.error("--access-log needs --serve")
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    old = _old_stack(args.changes_from, stack, problems) if args.changes_from and stack else None
    if problems:
        return refuse(problems)  # before any server starts: nothing is created
    try:
        server = _start_server(args.serve, args.access_log) if args.serve is not None else None
    except OSError as taken:
        print(
            f"error: cannot serve on 127.0.0.1:{args.serve}: {taken.strerror}; choose another: --serve PORT",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        return _apply(args, stack, old, server)
    except KeyboardInterrupt:  # Ctrl-C while the stack is applied, before `ready:`
        print("interrupted: the emulated account is discarded, nothing is kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if server:
            server[0].stop()


def _apply(args: argparse.Namespace, stack: StackFile, old: StackFile | None, server: Any) -> int:
    """Apply the stack (or the change), print it, judge it, serve it: the exit code."""
    # Pulumi, pulumi_aws and moto load here rather than at the top: `run_once` has paused the
    # garbage collector by now, and `--help` or a bad stack file need none of them.
    from botocore.exceptions import BotoCoreError

    from tools import emulated_stack
    from tools.emulator import EmulatorError

    endpoint = server[1] if server else args.endpoint
    try:
        if old is not None:
            return _report_change(args, old, stack, endpoint, server)
        deployment = emulated_stack.apply_stack(stack, endpoint=endpoint)
    except EmulatorError as failure:
        print(f"error: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, BotoCoreError) as unreachable:  # a moto server that went away
        print(f"error: the AWS endpoint {endpoint} failed: {unreachable}", file=sys.stderr)
        return EXIT_FAILED
    print(RENDERERS[args.format](deployment), end="")
    verdict = _check_policies(deployment) if args.policy else EXIT_OK
    if server:
        _serve_until_stopped(server, deployment)
    return verdict


def _old_stack(path: str, stack: StackFile, problems: list[str]) -> StackFile | None:
    """The earlier stack file, read as an earlier version of `stack`'s file (its own name aside)."""
    from components.settings import SettingsError
    from tools.stack_files import load_stack

    if not Path(path).exists():
        problems.append(f"{path}: no stack file at this path (--changes-from)")
        return None
    try:
        return load_stack(path, stack=stack.stack)
    except SettingsError as invalid:
        problems.extend(f"{path}: {line}" for line in invalid.problems)
        return None


def _report_change(
    args: argparse.Namespace, old: StackFile, stack: StackFile, endpoint: str | None, server: Any
) -> int:
    from tools import emulated_stack
    from tools.changes.report import change_report

    applied = emulated_stack.apply_change(old, stack, endpoint=endpoint)
    report = change_report(stack.stack, args.changes_from, applied, stack.settings.drain.total_seconds)
    print(CHANGE_RENDERERS[args.format](report), end="")
    if applied.failure is not None:
        print(f"error: {applied.failure}", file=sys.stderr)
        return EXIT_FAILED
    verdict = _check_policies(applied.deployment) if args.policy else EXIT_OK
    if args.fail_on == FAIL_ON_REPLACE and report.replaces:
        replaced = ", ".join(f"{s.type} '{s.name}'" for s in report.changes if s.action == "replace")
        print(f"error: --fail-on replace: the change replaces {replaced}", file=sys.stderr)
        verdict = EXIT_VIOLATION
    if server:
        _serve_until_stopped(server, applied.deployment)
    return verdict


def _check_policies(deployment: Deployment) -> int:
    from tools import policy_check  # its imports (jsonschema, pulumi_policy) are only needed here

    return policy_check.report(policy_check.check(deployment.to_json()), out=sys.stderr)


def port_number(value: str) -> int:
    """argparse's type for `--serve PORT`: 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{port} is not a port: 0 (any free one) to {MAX_PORT}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.preview", description=__doc__.split("\n\n")[0])
    add_stack_arguments(parser, default=DEFAULT_STACK)
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument("--policy", action="store_true", help="then run the policy pack (exit 3: mandatory violation)")
    parser.add_argument(
        "--changes-from",
        metavar="OLD_FILE",
        help="apply OLD_FILE first, then the stack over it, and print what changes (table or json)",
    )
    parser.add_argument(
        "--fail-on",
        choices=[FAIL_ON_REPLACE],
        help="with --changes-from: exit 3 when the change replaces a resource",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--endpoint", metavar="URL", type=endpoint_url, help="apply into the moto server at URL")
    target.add_argument(
        "--serve",
        metavar="PORT",
        type=port_number,
        nargs="?",
        const=DEFAULT_SERVE_PORT,
        help=f"start a moto server on 127.0.0.1:PORT (default {DEFAULT_SERVE_PORT}), apply, keep it up",
    )
    parser.add_argument("--access-log", action="store_true", help="with --serve: log a line per request")
    return parser


# --- renderers -------------------------------------------------------------------------


def render_json(deployment: Deployment) -> str:
    return json.dumps(deployment.to_json(), indent=2, sort_keys=False, default=str) + "\n"


def render_table(deployment: Deployment) -> str:
    document = deployment.to_json()
    children: dict[str | None, list[dict[str, Any]]] = {}
    urns = {r["urn"] for r in document["resources"]}
    for record in document["resources"]:
        parent = record["parent"] if record["parent"] in urns else None
        children.setdefault(parent, []).append(record)
    rows = [("TYPE", "NAME", "ID")]

    def walk(parent: str | None, depth: int) -> None:
        for record in children.get(parent, []):
            rows.append(("  " * depth + record["type"], record["name"], record["id"] or ""))
            walk(record["urn"], depth + 1)

    walk(None, 0)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"Stack {document['stack']}: {len(document['resources'])} resources", ""]
    lines += [f"{t:<{widths[0]}}  {n:<{widths[1]}}  {i}".rstrip() for t, n, i in rows]
    lines += ["", "Outputs"]
    width = max((len(k) for k in document["outputs"]), default=0)
    lines += [f"  {k:<{width}}  {_scalar(v)}" for k, v in document["outputs"].items()]
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


RENDERERS = {"table": render_table, "json": render_json, "mermaid": render_mermaid}


def render_change_table(report: ChangeReport) -> str:
    from tools.changes.table import render_table as table

    return table(report)


def render_change_json(report: ChangeReport) -> str:
    from tools.emulator import whole_numbers

    return json.dumps(whole_numbers(report.to_json()), indent=2, default=str) + "\n"


CHANGE_RENDERERS = {"table": render_change_table, "json": render_change_json}


# --- --serve ------------------------------------------------------------------------------


def _start_server(port: int, access_log: bool) -> tuple[Any, str]:
    from tools.emulator import server

    return server.start("127.0.0.1", port, access_log=access_log)


def _serve_until_stopped(server: tuple[Any, str], deployment: Deployment) -> None:
    """Say, in one line on stderr, that the stack is applied and the server ready (a script waits
    for it), then serve until Ctrl-C or SIGTERM, which stop it the same way."""
    endpoint = server[1]
    resume_gc()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    sys.stdout.flush()
    print(
        f"{READY} stack {deployment.stack} applied into the moto server at {endpoint} "
        f"(aws --endpoint-url {endpoint} ...); Ctrl-C or SIGTERM stops it",
        file=sys.stderr,
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(run_once(main))
