"""Running `tools.verify` in-process against an applied stack, and walking tampers through it.

A tamper is what an operator does by hand (through the boto3 call the console or the aws CLI
makes) to one thing a check compares. `walk_tampers` makes them one after the other on one
deployment and runs verify after each: each must fail the check that owns it, naming what it
changed, and change no other check's verdict.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
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

Tamper = Callable[[Applied], None]
Step = tuple[Tamper, str, str]
"""(the tamper, the check that must fail, what its detail must name)."""


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
    return {check["check"]: check for check in document["checks"]}


def failing(document: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["detail"] for c in document["checks"] if c["status"] == "fail"}


def walk_tampers(env: Applied, stack: str, steps: Iterable[Step]) -> None:
    """Make each tamper in turn on `env` (the stack `stack`), verify after each: it must fail its
    check, with a detail that names it and did not before, and no other check may fail anew or
    change its failure. Failures already there when the walk starts are its baseline."""
    _, document, _ = run_verify(env, "--stack", stack, "--format", "json")
    before = failing(document)
    for tamper, check, named in steps:
        tamper(env)
        code, document, _ = run_verify(env, "--stack", stack, "--format", "json")
        after = failing(document)
        assert code == verify.EXIT_DRIFTED, tamper.__name__
        assert named in after.get(check, ""), (tamper.__name__, after)
        assert named not in before.get(check, ""), (tamper.__name__, "already named before it")
        others = {key: detail for key, detail in after.items() if key != check}
        assert others == {key: detail for key, detail in before.items() if key != check}, tamper.__name__
        assert verdicts(document)[check]["fix"], "every failure says what to do"
        before = after


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
