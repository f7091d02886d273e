"""The trace's columns read from CloudWatch: one GetMetricData run over every column, one-minute
periods, page after page.

GetMetricData "can retrieve as many as 500 different metrics in a single request, with a total
of as many as 100,800 data points" and pages the rest with NextToken; "Data points with a period
of 60 seconds (1-minute) are available for 15 days", then only as 5-minute (63 days) and 1-hour
(455 days) aggregates (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
a one-minute trace reaches back 15 days at most.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tools.verifier.aws import Aws

from .columns import TraceColumn

PERIOD_SECONDS = 60
ONE_MINUTE_RETENTION = timedelta(days=15)
"""How long CloudWatch keeps one-minute datapoints (GetMetricData's retention table)."""


def read_columns(
    aws: Aws, columns: list[TraceColumn], group_name: str, load_balancer: str, start: datetime, end: datetime
) -> dict[str, dict[datetime, float]]:
    """Each column's datapoints from `start` (inclusive) to `end` (exclusive), by the minute they start."""
    queries = [
        column.query(f"c{index}", group_name, load_balancer, PERIOD_SECONDS) for index, column in enumerate(columns)
    ]
    found: dict[str, dict[datetime, float]] = {column.name: {} for column in columns}
    pages = (
        aws.client("cloudwatch")
        .get_paginator("get_metric_data")
        .paginate(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    )
    for page in pages:
        for result in page["MetricDataResults"]:
            column = columns[int(result["Id"].removeprefix("c"))]
            found[column.name].update(zip(result["Timestamps"], result["Values"], strict=True))
    return found
