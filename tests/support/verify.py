"""Running verify on an applied stack, and walking a list of tampers over one deployment: each
must fail the check that owns it, naming what changed, and no other check.

A tamper is a change an operator makes by hand, through the call the console or the aws CLI
makes, named for what they did. The tampers of a check module are in
tests/verifier/test_<module>.py; the command line's own tests in tests/tools/test_verify.py.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.client
import botocore.exceptions
import pytest

from components.plans.waf import web_acl_plan
from components.settings import StackSettings
from tests.support.fragments import CERTIFICATE, EXISTING_NETWORK, EXISTING_WEB_ACL, SQS_BACKLOG
from tests.support.stacks import Applied
from tools import verify
from tools.verifier.aws import Aws
from tools.verifier.findings import Finding, Status
from tools.verifier.report import Progress

ALARM_INPUTS = {
    *("AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions"),
    *("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods"),
    *("DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Metrics"),
}
"""What DescribeAlarms reports that PutMetricAlarm takes back: a tamper re-puts an alarm with one of them changed."""

POLICY_INPUTS = {
    *("PolicyName", "PolicyType", "AdjustmentType", "MinAdjustmentMagnitude", "MetricAggregationType"),
    *("EstimatedInstanceWarmup", "StepAdjustments", "TargetTrackingConfiguration", "PredictiveScalingConfiguration"),
}
"""What DescribePolicies reports that PutScalingPolicy takes back."""

Change = Callable[[Applied], None]
"""What an operator does by hand to an applied stack."""

# --- variants: what the shipped stacks leave out (verified clean in tests/tools/test_verify.py) ------

PROD_VARIANT: dict[str, Any] = {
    "elixir-cluster:nodes": {
        "instanceTypes": ["c7g.large", "c6g.large"],
        "spot": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 50},
        "extraSecurityGroupIds": ["sg-0123456789abcdef0"],
    },
    "elixir-cluster:loadBalancer": {"waf": {"webAclArn": EXISTING_WEB_ACL, "managedRuleGroups": None}},
    "elixir-cluster:network": {"flowLogs": {"destination": "arn:aws:s3:::shop-flow-logs/prod/"}},
}
"""prod with: spot and two instance types (the group has a mixed instances policy, which then names
the launch template, and capacity rebalance); the nodes in an extra security group that is not the
stack's (its rules are not checked, nor mistaken for the nodes'); the load balancer behind a web
ACL the stack does not own (only the association is checked); flow logs to an S3 folder."""

DEV_VARIANT: dict[str, Any] = {
    "elixir-cluster:network": {**EXISTING_NETWORK, "flowLogs": {"enabled": True}},
    "elixir-cluster:loadBalancer": {
        "type": "network",
        "certificateArn": CERTIFICATE,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
    },
    "elixir-cluster:release": {"discovery": "dns"},
    "elixir-cluster:scaling": {"step": [SQS_BACKLOG]},
}
"""dev with: an existing VPC (whose default security group is its owner's) with flow logs on; a
network load balancer terminating TLS; discovery through DNS; a step alarm on a metric the cluster
does not publish per group (no group dimension expected)."""

# --- running verify -----------------------------------------------------------------------------


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
    """Each check's finding in a JSON document, by check."""
    return {check["check"]: check for check in document["checks"]}


def failing(document: dict[str, Any]) -> dict[str, str]:
    """The failing checks' details in a JSON document, by check."""
    return {c["check"]: c["detail"] for c in document["checks"] if c["status"] == "fail"}


def findings(env: Applied) -> dict[str, Finding]:
    """Each check's finding on `env`, by check: what verify reports, without its command line (which
    tests/tools/test_verify.py covers)."""
    with env.as_the_callers_account():
        found = verify.verify(_aws(env.settings.region), env.settings, Progress(io.StringIO(), live=False))
    return {finding.check: finding for finding in found}


@functools.cache
def _aws(region: str) -> Aws:
    """One `Aws` per region for the process: making botocore clients is most of an in-process run's
    time, and in-process moto picks the account per call (MOTO_ACCOUNT_ID), not per client."""
    return Aws(region)


def failures(found: dict[str, Finding]) -> dict[str, str]:
    """The failing checks' details, by check."""
    return {check: finding.detail for check, finding in found.items() if finding.status == Status.FAIL}


def refuse(monkeypatch: pytest.MonkeyPatch, operation: str, code: str = "AccessDenied") -> None:
    """AWS refuses `operation` to the caller (e.g. the verifying identity lacks the permission)."""
    real = botocore.client.BaseClient._make_api_call

    def refusing(self: Any, name: str, params: dict[str, Any]) -> Any:
        if name == operation:
            error = {"Error": {"Code": code, "Message": f"not authorized to perform {name}"}}
            raise botocore.exceptions.ClientError(error, name)
        return real(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refusing)


# --- the permissions verify needs: the calls it makes, and README's policy ---------------------

README = Path(__file__).resolve().parents[2] / "README.md"
POLICY_SID = "VerifyElixirCluster"
"""The Sid of the policy README prints for the identity verify runs as."""

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""Where a service's IAM action prefix is not the name botocore signs its calls with (CloudWatch
signs as `monitoring`; elbv2 signs as `elasticloadbalancing`, its IAM prefix too)."""

CONDITIONAL_PERMISSIONS: dict[str, Callable[[StackSettings], bool]] = {
    "ec2:DescribeVpcs": lambda s: not s.network.existing,  # an existing VPC is named by network.vpcId
    "ec2:DescribeFlowLogs": lambda s: s.network.flow_logs.enabled,
    "logs:DescribeLogGroups": lambda s: (
        (s.network.flow_logs.enabled and s.network.flow_logs.to_cloudwatch) or web_acl_plan(s) is not None
    ),
    **dict.fromkeys(
        ("servicediscovery:ListNamespaces", "servicediscovery:GetNamespace", "servicediscovery:ListServices"),
        lambda s: s.release.discovery == "dns",
    ),
    "wafv2:GetWebACLForResource": lambda s: s.load_balancer.protected_by_waf,
    **dict.fromkeys(
        ("wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:GetLoggingConfiguration"),
        lambda s: web_acl_plan(s) is not None,
    ),
}
"""The actions of README's policy that verify needs only for some stacks, and which (hand-written
from the checks: e.g. flow logs are read only where they are on)."""


def readme_permissions(sid: str = POLICY_SID) -> list[str]:
    """The actions of the policy README prints with Sid `sid` (verify's by default), in README's order."""
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(), flags=re.DOTALL)
    policies = [json.loads(block) for block in blocks if f'"Sid": "{sid}"' in block]
    assert len(policies) == 1, f"README.md prints no single policy with Sid {sid}"
    (statement,) = policies[0]["Statement"]
    return statement["Action"]


def permissions_for(settings: StackSettings) -> set[str]:
    """What README's policy says verify needs for the stack of `settings`."""
    return {a for a in readme_permissions() if CONDITIONAL_PERMISSIONS.get(a, lambda _: True)(settings)}


@contextmanager
def recorded_permissions(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The IAM action of every AWS call made inside (`service:Operation`), as botocore sends them."""
    recorded: set[str] = set()
    real = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        signing = self.meta.service_model.signing_name
        recorded.add(f"{IAM_PREFIXES.get(signing, signing)}:{operation}")
        return real(self, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
        yield recorded


# --- walking tampers ----------------------------------------------------------------------------


UP_WITHOUT_REFRESH = {"refresh.preferences", "refresh.latest"}
"""Checks whose fix names `pulumi up` for what it does next, not to undo drift: a refresh started
by hand is cancelled and the next `pulumi up` that changes the launch template rolls the nodes; a
failed refresh is undone by reverting the stack file and applying it."""


@dataclass(frozen=True)
class Tamper:
    change: Change
    check: str
    """The check that must fail, and no other."""
    named: str
    """What its detail must say."""


def walk(env: Applied, tampers: list[Tamper], *, cumulative: bool = True) -> None:
    """Make each tamper in turn, verify after each: it must fail its check, with a detail that names
    it and did not before, and change no other check's failure.

    A walk starts from a stack that verifies clean (a shipped stack from `deploy`, or a variant its
    test has verified): the first tamper then fails its check and no other check fails.
    `cumulative`: the tampers add up, so each is compared with the state the previous one left.
    Otherwise each undoes the previous one's effect on verify (a new launch template version made
    default leaves the earlier one unchecked), and is compared with the clean start.
    """
    before: dict[str, str] = {}
    for tamper in tampers:
        name = tamper.change.__name__
        tamper.change(env)
        found = findings(env)
        after = failures(found)
        assert tamper.named in after.get(tamper.check, ""), (name, after)
        assert tamper.named not in before.get(tamper.check, ""), (name, "already named before it")
        reference = before if cumulative else {}
        others = {key: detail for key, detail in after.items() if key != tamper.check}
        assert others == {key: detail for key, detail in reference.items() if key != tamper.check}, (name, others)
        fix = found[tamper.check].fix
        assert fix, "every failure says what to do"
        # a plain `pulumi up` compares the program with the saved state, which still holds what was
        # declared: after drift it changes nothing, so no fix may advise it without the refresh
        assert "pulumi up`" not in fix or "`pulumi refresh`" in fix or tamper.check in UP_WITHOUT_REFRESH, (name, fix)
        before = after
