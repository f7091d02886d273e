"""CloudWatch: alarms and the dashboard.

Covers: aws:cloudwatch MetricAlarm (single metric, extended statistics such as p99, and
metric math through metricQueries) and Dashboard. An update puts the alarm or the dashboard
again (PutMetricAlarm, PutDashboard replace them whole, as the provider sends them) and
changes tags through TagResource. What moto lacks: it never evaluates
alarms or fires their actions, and checks neither that alarm actions exist nor what a
dashboard body means beyond storing it.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state, to_int

NAME_MAX = 255


def _cloudwatch(aws: AwsSession) -> Any:
    return aws.client("cloudwatch")


def _dimensions(dimensions: dict[str, str] | None) -> list[dict[str, str]] | None:
    return [{"Name": k, "Value": v} for k, v in dimensions.items()] if dimensions else None


@resource("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(aws: AwsSession, req: Request) -> Created:
    return _put_alarm(aws, req, aws.physical_name(req, NAME_MAX))


def _put_alarm(aws: AwsSession, req: Request, name: str) -> Created:
    aws_call(
        req,
        _cloudwatch(aws).put_metric_alarm,
        AlarmName=name,
        AlarmDescription=req.get("alarmDescription"),
        ActionsEnabled=req.get("actionsEnabled", True),
        AlarmActions=req.get("alarmActions"),
        OKActions=req.get("okActions"),
        InsufficientDataActions=req.get("insufficientDataActions"),
        MetricName=req.get("metricName"),
        Namespace=req.get("namespace"),
        Statistic=req.get("statistic"),
        ExtendedStatistic=req.get("extendedStatistic"),
        Dimensions=_dimensions(req.get("dimensions")),
        Period=to_int(req.get("period")),
        Unit=req.get("unit"),
        EvaluationPeriods=int(req.get("evaluationPeriods")),
        DatapointsToAlarm=to_int(req.get("datapointsToAlarm")),
        Threshold=req.get("threshold"),
        ComparisonOperator=req.get("comparisonOperator"),
        TreatMissingData=req.get("treatMissingData"),
        Metrics=[_query(q) for q in req.get("metricQueries", [])] or None,
        Tags=request_tags(req),
    )
    arn = aws.arn("cloudwatch", f"alarm:{name}")
    return Created(name, {**req.inputs, **tags_state(req), "name": name, "arn": arn})


def _query(query: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData", False))}
    if query.get("expression"):
        result["Expression"] = query["expression"]
    if query.get("label"):
        result["Label"] = query["label"]
    metric = query.get("metric")
    if metric:
        result["MetricStat"] = {
            "Metric": {
                "Namespace": metric.get("namespace"),
                "MetricName": metric.get("metricName"),
                "Dimensions": _dimensions(metric.get("dimensions")) or [],
            },
            "Period": int(metric["period"]),
            "Stat": metric["stat"],
        }
        if metric.get("unit"):
            result["MetricStat"]["Unit"] = metric["unit"]
    return result


@resource("aws:cloudwatch/dashboard:Dashboard")
def dashboard(aws: AwsSession, req: Request) -> Created:
    name = req.get("dashboardName")
    aws_call(req, _cloudwatch(aws).put_dashboard, DashboardName=name, DashboardBody=req.get("dashboardBody"))
    arn = _cloudwatch(aws).get_dashboard(DashboardName=name)["DashboardArn"]
    return Created(name, {**req.inputs, "dashboardArn": arn})


# --- changes to an applied stack: updates in place and deletes ------------------------------

ALARM_SETTINGS = (
    "actionsEnabled",
    "alarmActions",
    "alarmDescription",
    "comparisonOperator",
    "datapointsToAlarm",
    "dimensions",
    "evaluationPeriods",
    "extendedStatistic",
    "insufficientDataActions",
    "metricName",
    "metricQueries",
    "namespace",
    "okActions",
    "period",
    "statistic",
    "threshold",
    "treatMissingData",
    "unit",
)


@updates("aws:cloudwatch/metricAlarm:MetricAlarm", handles=("tags", *ALARM_SETTINGS))
def update_metric_alarm(aws: AwsSession, req: Request, old: Existing) -> Created:
    if any(req.get(key) != old.inputs.get(key) for key in ALARM_SETTINGS):
        _put_alarm(aws, Request(req.type, req.name, {**req.inputs, "tags": old.inputs.get("tags")}), old.id)
    cloudwatch = _cloudwatch(aws)
    retag(req, old, cloudwatch.untag_resource, cloudwatch.tag_resource, ResourceARN=old.get("arn"))
    return Created(old.id, old.updated(req, **tags_state(req)))


@deletes("aws:cloudwatch/metricAlarm:MetricAlarm")
def delete_metric_alarm(aws: AwsSession, old: Existing) -> None:
    gone(old, _cloudwatch(aws).delete_alarms, AlarmNames=[old.id])


@updates("aws:cloudwatch/dashboard:Dashboard", handles=("dashboardBody",))
def update_dashboard(aws: AwsSession, req: Request, old: Existing) -> Created:
    return dashboard(aws, req)  # PutDashboard replaces the body


@deletes("aws:cloudwatch/dashboard:Dashboard")
def delete_dashboard(aws: AwsSession, old: Existing) -> None:
    gone(old, _cloudwatch(aws).delete_dashboards, DashboardNames=[old.id])
