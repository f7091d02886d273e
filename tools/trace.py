"""Export a trace from a deployed stack's CloudWatch metrics, for `tools.simulate` and `tools.tune`.

    python -m tools.trace (--stack NAME | --config FILE) --start ISO-8601 [--end ISO-8601]
                          [--endpoint URL] [--output FILE]

Finds the environment as verify does (by the tag the stack puts on everything), reads the load
balancer's RequestCount (Sum per minute, as requests per second) and the metrics the stack's
policies watch that the simulator cannot derive (their statistic, by the group), one-minute
periods, and writes one row per minute from --start to --end (default: now), no gaps: a minute
without requests is 0, a gauge's minute without a datapoint is left empty. Stderr says how many
minutes each column lacked, and the --start to replay it with.

Exit 0: written. Exit 2: bad input (the stack file, the times, a load balancer without
RequestCount), one line per problem naming the flag or key. Exit 1: AWS cannot be reached,
refuses a call, or holds no such environment, with one line saying which.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from botocore.exceptions import BotoCoreError, ClientError

from components.plans.load_balancer import APPLICATION, arn_suffix
from components.settings import NAMESPACE, StackSettings, format_path
from tools import cli
from tools.cli import add_stack_arguments, chosen_stack, refuse
from tools.trace_export import ONE_MINUTE_RETENTION, assemble, read_columns, trace_columns
from tools.verifier.aws import Aws, Unreachable
from tools.verifier.discovery import discover

EXIT_OK, EXIT_FAILED, EXIT_INVALID = cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_INVALID


def main(
    argv: list[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    now = _to_the_minute(now or datetime.now(UTC))
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    start = _moment("--start", args.start, problems)
    end = _moment("--end", args.end, problems) if args.end else now
    if start and end:  # else the time that cannot be read is the problem, said once
        problems += _span_problems(start, end, now)
    if stack is not None:
        problems += _load_balancer_problems(stack.settings)
    if problems:
        return refuse(problems, stderr)
    settings = stack.settings
    aws = Aws(settings.region, args.endpoint)
    try:
        aws.probe()
        exported = _export(aws, settings, start, end)
    except (Unreachable, _NotDeployed) as failure:
        print(f"error: {failure}", file=stderr)
        return EXIT_FAILED
    except BotoCoreError as failure:
        print(f"error: cannot reach {aws.where()}: {failure}", file=stderr)
        return EXIT_FAILED
    except ClientError as refused:
        error = refused.response.get("Error", {})
        print(
            f"error: {refused.operation_name}: {error.get('Code')}: {error.get('Message')} at {aws.where()}: "
            f"grant the identity {refused.operation_name} (README: Traces from a deployed stack)",
            file=stderr,
        )
        return EXIT_FAILED
    if args.output:
        with Path(args.output).open("w", newline="") as handle:
            exported.write_csv(handle)
    else:
        exported.write_csv(stdout)
    for line in exported.summary():
        print(f"trace: {line}", file=stderr)
    return EXIT_OK


class _NotDeployed(Exception):
    """The tag finds no group or no load balancer: nothing to read the metrics of."""


def _export(aws: Aws, settings: StackSettings, start: datetime, end: datetime):
    env = discover(aws, settings)
    lacking = [
        kind for kind, found in (("Auto Scaling group", env.group), ("load balancer", env.load_balancer)) if not found
    ]
    if lacking:
        ambiguous = f" ({'; '.join(env.ambiguities)})" if env.ambiguities else ""
        raise _NotDeployed(
            f"no {' and no '.join(lacking)} tagged {env.tag} in {aws.where()}{ambiguous}: "
            "check the account, --stack or --config and the stack file's aws:region"
        )
    columns = trace_columns(settings)
    load_balancer = arn_suffix(env.load_balancer["LoadBalancerArn"])
    found = read_columns(aws, columns, env.group_name, load_balancer, start, end)
    return assemble(columns, found, start, end)


def _moment(flag: str, text: str, problems: list[str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"{flag}: must be an ISO-8601 time such as 2026-01-05T00:00:00Z, got {text!r}")
        return None
    return _to_the_minute(moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC))


def _to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _span_problems(start: datetime, end: datetime, now: datetime) -> list[str]:
    earliest = now - ONE_MINUTE_RETENTION
    problems = []
    if start < earliest:
        problems.append(
            f"--start: CloudWatch keeps one-minute datapoints for {ONE_MINUTE_RETENTION.days} days, so the earliest "
            f"is {_iso(earliest)}, got {_iso(start)}"
        )
    if end > now:
        problems.append(f"--end: after now ({_iso(now)}): minutes to come have no requests yet, got {_iso(end)}")
    if end <= start:
        problems.append(f"--end: must be after --start ({_iso(start)}), got {_iso(end)}")
    return problems


def _load_balancer_problems(settings: StackSettings) -> list[str]:
    kind = settings.load_balancer.type
    if kind == APPLICATION:
        return []
    key = f"{NAMESPACE}:{format_path(('loadBalancer', 'type'))}"
    return [
        f"{key}: {kind}: a network load balancer publishes no RequestCount (it counts flows, not requests): "
        "export requests per second from the release's own metrics as the trace's requests_per_second column"
    ]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.trace", description=__doc__.split("\n\n")[0])
    add_stack_arguments(parser, purpose="export the trace of the environment of")
    parser.add_argument(
        "--start", required=True, metavar="ISO-8601", help="the trace's minute 0 (UTC unless an offset is given)"
    )
    parser.add_argument("--end", metavar="ISO-8601", help="the minute after the last (default: now)")
    cli.add_endpoint_argument(parser)
    parser.add_argument("--output", metavar="FILE", help="write the trace to FILE (default: stdout)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
