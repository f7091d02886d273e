"""The metrics contract on dev and prod: every alarm and policy reading a BEAM metric finds data once
the release's datagrams have gone through the agent; AWS's own metrics are said to be unchecked;
and each broken link (the agent's configuration, the release's metric name, the role's permission)
is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from components.plans.names import health_alarm_names
from tests.support.metrics_path import RELEASE_DATAGRAM, MetricsRun, finding, received_agent_config
from tests.support.scaling import SCALING_VARIANT
from tools.conformance.metrics.agent import PublishDenied
from tools.conformance.metrics.contract import (
    AWS_PUBLISHED,
    NO_DATA,
    NONE_WHILE_ZERO,
    OK,
    Finding,
    check_metrics,
    render,
)

RUN_QUEUE_ALARM = "alarm shop-prod-step-run-queue"
RUN_QUEUE_POLICY = "policy shop-prod-step-run-queue"
SCHEDULER_POLICY = "policy shop-prod-track-schedulerUtilization"
BEAM_SUBJECTS = (RUN_QUEUE_ALARM, RUN_QUEUE_POLICY, SCHEDULER_POLICY)


def _without_statement(document, action):
    kept = [s for s in document["Statement"] if action not in _actions(s)]
    return {**document, "Statement": kept}


def _actions(statement):
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


@pytest.mark.xdist_group("prod")
class TestProd:
    def test_every_beam_metric_alarm_and_policy_finds_data(self, deploy):
        run = MetricsRun.start_on(deploy("prod"))
        run.minutes(3)
        findings = run.contract()

        group = run.applied.outputs["autoScalingGroupName"]
        assert finding(findings, RUN_QUEUE_ALARM).metric == (
            f"Elixir/BEAM/TotalRunQueueLength {{AutoScalingGroupName={group}}} Average/60s"
        )
        assert finding(findings, SCHEDULER_POLICY).metric == (
            f"Elixir/BEAM/SchedulerUtilization {{AutoScalingGroupName={group}}} Average/60s"
        )
        assert [finding(findings, s).status for s in BEAM_SUBJECTS] == [OK, OK, OK]
        assert "last Average 7" in finding(findings, RUN_QUEUE_ALARM).detail
        assert "last Average 42.5" in finding(findings, SCHEDULER_POLICY).detail
        assert finding(findings, RUN_QUEUE_POLICY).detail == f"through {RUN_QUEUE_ALARM}"
        # AWS's own metrics: said to be unchecked, never called ok
        others = [f for f in findings if f.subject not in BEAM_SUBJECTS]
        assert {f.status for f in others} == {AWS_PUBLISHED}
        assert {f.metric for f in others} >= {
            "AWS/ApplicationELB/TargetResponseTime",
            "ALBRequestCountPerTarget",
            "ALBRequestCount",
        }

    @staticmethod
    def _contract_without(deploy, key):
        """Two minutes of the release's datagrams, through an agent whose configuration lacks `key`."""
        prod = deploy("prod")
        config = received_agent_config(prod)
        del config["metrics"][key]
        run = MetricsRun.start_on(prod, config)
        run.minutes(2)
        return run.contract()

    def test_without_the_rollup_the_group_alone_series_is_missing_and_named(self, deploy):
        findings = self._contract_without(deploy, "aggregation_dimensions")

        for subject in BEAM_SUBJECTS:
            assert finding(findings, subject).status == NO_DATA
        assert finding(findings, SCHEDULER_POLICY).detail.endswith(
            "the agent configuration's aggregation_dimensions lacks ['AutoScalingGroupName']"
        )

    def test_without_the_group_dimension_the_agent_config_is_named(self, deploy):
        detail = finding(self._contract_without(deploy, "append_dimensions"), RUN_QUEUE_ALARM).detail

        assert detail.startswith("published only as {host=")  # without append_dimensions the agent adds the host
        assert "metric_type=gauge}" in detail
        assert detail.endswith("the agent configuration's append_dimensions lacks AutoScalingGroupName")

    def test_an_agent_publishing_in_its_default_namespace_is_named(self, deploy):
        # On AWS the role's cloudwatch:namespace condition would refuse the publish as well; moto does not
        # evaluate conditions, so the contract finds the namespace itself.
        detail = finding(self._contract_without(deploy, "namespace"), SCHEDULER_POLICY).detail

        assert detail == "namespace Elixir/BEAM is not the node agent's (CWAgent): nothing on the nodes publishes it"

    def test_a_metric_name_the_release_no_longer_sends_is_named(self, deploy):
        run = MetricsRun.start_on(deploy("prod"))
        run.minutes(2, RELEASE_DATAGRAM.replace(b"SchedulerUtilization", b"SchedulerUtilisation"))
        findings = run.contract()

        assert finding(findings, SCHEDULER_POLICY).status == NO_DATA
        assert finding(findings, SCHEDULER_POLICY).detail == (
            "the release never sent SchedulerUtilization over StatsD "
            "(it sent: SchedulerUtilisation, TotalRunQueueLength)"
        )
        assert finding(findings, RUN_QUEUE_ALARM).status == OK

    def test_a_role_without_put_metric_data_fails_loudly_and_is_named(self, deploy):
        prod = deploy("prod")
        iam = prod.client("iam")
        role = MetricsRun.start_on(prod).node.role_arn.rsplit("/", 1)[1]
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            trimmed = _without_statement(document, "cloudwatch:PutMetricData")
            if trimmed != document:
                iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=_json(trimmed))
        run = MetricsRun.start_on(prod)

        with pytest.raises(
            PublishDenied, match="AccessDenied: .* is not authorized to perform: cloudwatch:PutMetricData"
        ):
            run.minutes(2)
        findings = run.contract()
        for subject in BEAM_SUBJECTS:
            assert finding(findings, subject).status == NO_DATA
        assert finding(findings, RUN_QUEUE_ALARM).detail.startswith(
            "the agent's PutMetricData was refused: AccessDenied: User: arn:aws:sts::"
        )


def _json(document):
    return json.dumps(document)


@pytest.mark.xdist_group("dev")
def test_dev_scales_on_aws_metrics_only_and_says_so(deploy):
    run = MetricsRun.start_on(deploy("dev"))
    run.minutes(2)
    findings = run.contract()

    assert finding(findings, "policy shop-dev-track-cpu").status == AWS_PUBLISHED
    assert {f.status for f in findings} == {AWS_PUBLISHED}


@pytest.mark.xdist_group("scaling_variant")
def test_memory_and_scheduler_alarms_of_the_scaling_variant_find_data_and_other_namespaces_are_named(deploy):
    run = MetricsRun.start_on(deploy("dev", SCALING_VARIANT))
    run.minutes(6)  # the quiet alarm reads five-minute periods
    findings = run.contract()

    assert finding(findings, "policy shop-dev-track-memory").status == OK
    assert "last Average 50" in finding(findings, "policy shop-dev-track-memory").detail
    assert finding(findings, "alarm shop-dev-step-quiet").status == OK
    assert "last Maximum 42.5" in finding(findings, "alarm shop-dev-step-quiet").detail
    jobs = finding(findings, "alarm shop-dev-step-job-burst")
    assert (jobs.status, jobs.detail) == (
        NO_DATA,
        "namespace Shop/Jobs is not the node agent's (Elixir/BEAM): nothing on the nodes publishes it",
    )


@pytest.mark.xdist_group("prod")
def test_on_a_deployment_without_the_agents_record_an_empty_namespace_is_named(prod):
    start, end = datetime.now(UTC) - timedelta(minutes=10), datetime.now(UTC)
    group = prod.outputs["autoScalingGroupName"]
    findings = check_metrics(prod.client("cloudwatch"), prod.client("autoscaling"), group, start, end)

    assert (finding(findings, RUN_QUEUE_ALARM).status, finding(findings, RUN_QUEUE_ALARM).detail) == (
        NO_DATA,
        "nothing at all in Elixir/BEAM: no agent published (not running, or PutMetricData refused: see its log)",
    )


FIVE_XX = "alarm shop-prod-5xx-rate"
WAF_BLOCKED = "alarm shop-prod-waf-blocked-requests"


def _published_by_aws_contract(applied):
    """The contract over the last ten minutes, AWS's own metrics checked (as the autoscale lab checks them)."""
    start, end = datetime.now(UTC) - timedelta(minutes=10), datetime.now(UTC)
    group = applied.outputs["autoScalingGroupName"]
    names = health_alarm_names(applied.settings)
    client = applied.client
    return check_metrics(client("cloudwatch"), client("autoscaling"), group, start, end, None, names, True)


@pytest.mark.xdist_group("prod")
def test_counts_aws_publishes_only_when_non_zero_are_absent_as_aws_leaves_them_and_their_alarms_stay_ok(prod):
    findings = _published_by_aws_contract(prod)

    for subject in (f"{FIVE_XX} (target5xx)", f"{FIVE_XX} (elb5xx)"):
        assert (finding(findings, subject).status, finding(findings, subject).detail) == (
            NONE_WHILE_ZERO,
            "the alarm's TreatMissingData is notBreaching, and its expression FILLs the query with a value: "
            "it stays OK",
        )
    waf = finding(findings, WAF_BLOCKED)
    assert (waf.status, waf.detail) == (NONE_WHILE_ZERO, "the alarm's TreatMissingData is notBreaching: it stays OK")
    # a count AWS publishes every minute with traffic is plain missing
    requests = finding(findings, f"{FIVE_XX} (requests)")
    assert (requests.status, requests.detail) == (
        NO_DATA,
        "no RequestCount in AWS/ApplicationELB at all: nothing published AWS's metric",
    )


@pytest.mark.xdist_group("prod")
def test_an_alarm_on_a_count_published_only_when_non_zero_that_breaches_on_missing_data_is_named(deploy):
    prod = deploy("prod")
    cloudwatch = prod.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[WAF_BLOCKED.removeprefix("alarm ")])["MetricAlarms"]
    keys = ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period", "EvaluationPeriods")
    keys += ("Threshold", "ComparisonOperator", "DatapointsToAlarm")
    cloudwatch.put_metric_alarm(**{key: alarm[key] for key in keys}, TreatMissingData="breaching")

    waf = finding(_published_by_aws_contract(prod), WAF_BLOCKED)

    assert (waf.status, waf.detail) == (
        NO_DATA,
        "AWS publishes none while the count is 0, and the alarm's TreatMissingData is breaching: a quiet minute is "
        "missing data to it; set it to notBreaching",
    )


def test_the_table_has_a_row_per_finding_under_its_header():
    findings = [Finding("alarm a", "Elixir/BEAM/X {} Average/60s", OK, "1 datapoint, last Average 1")]

    assert render(findings).splitlines() == [
        "subject  metric                        status  detail",
        "alarm a  Elixir/BEAM/X {} Average/60s  ok      1 datapoint, last Average 1",
    ]
