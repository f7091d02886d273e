"""Running `tools.verify` in-process on an applied stack, and walking a list of tampers over one
deployment: each must fail the check that owns it, naming what changed, and no other check.

A tamper is a change an operator makes by hand, through the call the console or the aws CLI
makes, named for what they did.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.stacks import Applied
from tools import verify
from tools.verifier import aws as verifier_aws

SHARES_DRIFTING_PROD = pytest.mark.xdist_group("drifting-prod")
"""The mark of a test module whose tampers walk the `drifting_prod` deployment (tests/verifier/conftest.py):
its tests run on one worker, which applies prod for them once."""

ALARM_INPUTS = {
    *("AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions"),
    *("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods"),
    *("DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Metrics"),
}
"""What DescribeAlarms reports that PutMetricAlarm takes back: a tamper re-puts an alarm with one of them changed."""

Change = Callable[[Applied], None]
"""What an operator does by hand to an applied stack."""


def run_verify(
    env: Applied | None, *argv: str, stdout: io.StringIO | None = None
) -> tuple[int, dict[str, Any] | str, str]:
    """(exit code, the JSON document (or the table), stderr) of verify.main, in-process, run with
    the credentials of `env`'s account (None: whatever the environment says)."""
    out, err = stdout or io.StringIO(), io.StringIO()
    if env is None:
        code = verify.main([*argv], stdout=out, stderr=err)
    else:
        with env.as_the_callers_account():
            code = verify.main([*argv], stdout=out, stderr=err)
    text = out.getvalue()
    return code, (json.loads(text) if "--format" in argv and "json" in argv and text else text), err.getvalue()


def verdicts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each check's finding, by check."""
    return {check["check"]: check for check in document["checks"]}


def failing(document: dict[str, Any]) -> dict[str, str]:
    """The failing checks' details, by check."""
    return {c["check"]: c["detail"] for c in document["checks"] if c["status"] == "fail"}


def verify_json(env: Applied, *argv: str) -> tuple[int, dict[str, Any]]:
    """(exit code, the JSON document) of verify.main, in-process, with the credentials of `env`'s account."""
    code, document, stderr = run_verify(env, *argv, "--format", "json")
    assert document, stderr
    return code, document


@dataclass(frozen=True)
class Tamper:
    change: Change
    check: str
    """The check that must fail, and no other."""
    named: str
    """What its detail must say."""


def walk(env: Applied, argv: tuple[str, ...], tampers: list[Tamper], *, cumulative: bool = True) -> None:
    """Make each tamper in turn, verify after each: it must fail its check, with a detail that names
    it and did not before, and change no other check's failure.

    `cumulative`: the tampers add up, so each is compared with the state the previous one left.
    Otherwise each undoes the previous one's effect on verify (a new launch template version
    made default leaves the earlier one unchecked), and is compared with the state before the walk.
    """
    _, document = verify_json(env, *argv)
    start = before = failing(document)
    for tamper in tampers:
        name = tamper.change.__name__
        tamper.change(env)
        code, document = verify_json(env, *argv)
        after = failing(document)
        assert code == verify.EXIT_DRIFTED, name
        assert tamper.named in after.get(tamper.check, ""), (name, after)
        assert tamper.named not in before.get(tamper.check, ""), (name, "already named before it")
        reference = before if cumulative else start
        others = {key: detail for key, detail in after.items() if key != tamper.check}
        assert others == {key: detail for key, detail in reference.items() if key != tamper.check}, (name, others)
        assert verdicts(document)[tamper.check]["fix"], "every failure says what to do"
        before = after


def walk_tampers(env: Applied, stack: str, steps: Iterable[tuple[Change, str, str]]) -> None:
    """`walk` over the shipped stack `stack`, the tampers given as (change, check, named); the
    failures already there when the walk starts are its baseline."""
    walk(env, ("--stack", stack), [Tamper(change, check, named) for change, check, named in steps])


def reuse_verify_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Making botocore clients is most of an in-process verify run's time, and a tamper walk runs
    verify dozens of times: its runs share clients (moto picks the account per call, from
    MOTO_ACCOUNT_ID)."""
    made: dict[tuple[str, str | None, str], Any] = {}
    make = verifier_aws.Aws.client

    def client(self: verifier_aws.Aws, service: str) -> Any:
        key = (self.region, self.endpoint, service)
        if key not in made:
            made[key] = make(self, service)
        return made[key]

    monkeypatch.setattr(verifier_aws.Aws, "client", client)
