"""GetMetricStatistics' ExtendedStatistics (percentiles such as p99), in the lab's moto server.

moto 5.2 takes ExtendedStatistics in GetMetricStatistics and answers without them (its responses.py:
"Unsupported Parameters (To Be Implemented)"), though it keeps every value PutMetricData's Values and
Counts carry. `install()` adds to each datapoint the percentiles asked for, computed from the values
in its period, as CloudWatch does (GetMetricStatistics, Amazon CloudWatch API Reference):

- "CloudWatch needs raw data points to calculate percentile statistics. If you publish data using a
  statistic set instead, you can only retrieve percentile statistics for this data if one of the
  following conditions is true: The SampleCount value of the statistic set is 1. The Min and the Max
  values of the statistic set are equal." A statistic set that is neither leaves the datapoint
  without its percentile;
- "Percentile statistics are not available for metrics when any of the metric values are negative
  numbers."
- pNN is the nearest-rank percentile: the smallest value at or below which NN % of the period's values
  fall. CloudWatch does not document its interpolation (it estimates percentiles on large sets); on a
  minute of a few hundred requests nearest-rank and any interpolation differ by less than the gap
  between two neighbouring values.
"""

from __future__ import annotations

import math
import re
from typing import Any

from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum
from moto.cloudwatch.responses import CloudWatchResponse

PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")


def raw_values(data: list[Any]) -> list[float] | None:
    """The period's values, or None when a statistic set hides them (see the module docstring)."""
    values: list[float] = []
    for datum in data:
        if isinstance(datum, MetricDatum):
            values.append(float(datum.value))
        elif isinstance(datum, MetricAggregatedDatum):
            if datum.sample_count != 1 and datum.min != datum.max:
                return None
            values += [float(datum.min)] * int(datum.sample_count)
    return values


def percentile(values: list[float], name: str) -> float | None:
    """`name` (p99, p99.9, p50) of `values` by nearest rank; None without values or with a negative one."""
    if not PERCENTILE.match(name):
        raise ValueError(f"ExtendedStatistics: {name!r} is not a percentile from p0.0 to p100 (e.g. p99)")
    if not values or min(values) < 0:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(float(name[1:]) / 100 * len(ordered)))
    return ordered[rank - 1]


def install() -> None:
    """Patch this process's moto (idempotent)."""
    if getattr(CloudWatchResponse.get_metric_statistics, "percentiles", False):
        return
    answer = CloudWatchResponse.get_metric_statistics

    def get_metric_statistics(self: Any) -> Any:
        result = answer(self)
        wanted = self._get_param("ExtendedStatistics") or []
        if wanted:
            for point in result.result["Datapoints"]:
                values = raw_values(point.metric_data)
                found = {name: percentile(values or [], name) for name in wanted}
                point.extended_statistics = {k: v for k, v in found.items() if v is not None} or None
        return result

    get_metric_statistics.percentiles = True
    CloudWatchResponse.get_metric_statistics = get_metric_statistics
