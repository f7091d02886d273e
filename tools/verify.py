"""Verify a deployed environment against its stack, read-only.

    python -m tools.verify (--stack NAME | --config FILE) [--endpoint URL] [--format table|json]

Reads the stack file, finds the environment's resources by the tags the stack puts on
them (no Pulumi state), and checks them with describe, get and list calls only, through
boto3's standard credential chain (`--endpoint` sends every call to that URL, e.g. a moto
server). Each check reports pass, warn or fail with a one-line fix.

Exit 0: nothing failed (warnings allowed). Exit 4: a check failed. Exit 2: the stack file
is invalid (stderr: one line per problem, each starting with its key path). Exit 1: AWS
cannot be reached (endpoint, credentials or region), with a message saying which.

While it works it shows a spinner on stderr when stdout is a terminal, and a plain line
per area otherwise.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType
from typing import TextIO

from botocore.exceptions import BotoCoreError, ClientError

from components.settings import StackSettings
from tools import cli
from tools.cli import add_stack_arguments, chosen_stack, refuse
from tools.verifier.aws import Aws, Unreachable
from tools.verifier.checks import AREAS
from tools.verifier.checks.common import environment_missing
from tools.verifier.discovery import Environment, discover
from tools.verifier.findings import Finding, Status, failed
from tools.verifier.report import RENDERERS, Progress

EXIT_OK, EXIT_UNREACHABLE, EXIT_INVALID, EXIT_DRIFTED = cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_INVALID, 4


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    if problems:
        return refuse(problems, stderr)
    settings = stack.settings
    aws = Aws(settings.region, args.endpoint)
    progress = Progress(stderr, live=stdout.isatty())
    try:
        aws.probe()
        findings = verify(aws, settings, progress)
    except Unreachable as unreachable:
        print(f"error: {unreachable}", file=stderr)
        return EXIT_UNREACHABLE
    except BotoCoreError as failure:  # the connection dropped half-way
        print(f"error: cannot reach {aws.where()}: {failure}", file=stderr)
        return EXIT_UNREACHABLE
    except ClientError as refused:  # discovery itself was refused: nothing can be checked
        print(f"error: {_refusal(refused)} at {aws.where()}: {_ask_for(refused)}", file=stderr)
        return EXIT_UNREACHABLE
    stdout.write(RENDERERS[args.format](settings, aws.where(), findings))
    return EXIT_DRIFTED if any(f.status == Status.FAIL for f in findings) else EXIT_OK


def verify(aws: Aws, settings: StackSettings, progress: Progress) -> list[Finding]:
    """Every area's findings, in report order, from one reading of AWS (a repeated call is answered
    as the first time: tools/verifier/aws.py)."""
    with aws.one_reading():
        with progress.step("discovery (resources tagged with the stack)") as missing:
            env = discover(aws, settings)
            missing += environment_missing(env)
        findings: list[Finding] = list(missing)
        for area in AREAS:
            with progress.step(area.NAME) as found:
                found += _run(area, env)
            findings += found
    return findings


def _run(area: ModuleType, env: Environment) -> list[Finding]:
    """An area whose calls AWS refuses (e.g. missing permission) fails alone, naming the call."""
    try:
        return area.run(env)
    except ClientError as refused:
        return [failed(f"{area.__name__.rsplit('.', 1)[-1]}.access", _refusal(refused), _ask_for(refused))]


def _refusal(refused: ClientError) -> str:
    error = refused.response.get("Error", {})
    return f"{refused.operation_name}: {error.get('Code')}: {error.get('Message')}"


def _ask_for(refused: ClientError) -> str:
    return f"grant the verifying identity {refused.operation_name} (read-only: see the README, Verifying section)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.verify", description=__doc__.split("\n\n")[0])
    add_stack_arguments(parser, purpose="verify the environment of")
    cli.add_endpoint_argument(parser)
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    return parser


if __name__ == "__main__":
    sys.exit(main())
