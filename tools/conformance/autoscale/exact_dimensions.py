"""GetMetricStatistics with CloudWatch's dimension matching, in the lab's moto server.

CloudWatch treats each combination of dimensions as its own metric: a statistics query names one
("If the metric contains multiple dimensions, you must include a value for each dimension. CloudWatch
treats each unique combination of dimensions as a separate metric", GetMetricStatistics, Amazon
CloudWatch API Reference). moto 5.2 answers with every datum whose dimensions include the query's: the
load balancer's RequestCountPerTarget, published by TargetGroup and by TargetGroup,LoadBalancer as AWS
publishes it (aws_metrics.py), then sums to twice its value for a query by TargetGroup, and a policy
reading it scales out twice as far. `install()` makes the server's GetMetricStatistics match exactly;
ListMetrics keeps its subset filter, which is CloudWatch's there.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend, MetricDatumBase

_exact = threading.local()


def install() -> None:
    """Patch this process's moto (idempotent)."""
    if getattr(CloudWatchBackend.get_metric_statistics, "exact_dimensions", False):
        return
    statistics, matches = CloudWatchBackend.get_metric_statistics, MetricDatumBase.filter

    def get_metric_statistics(self: Any, *args: Any, **kwargs: Any) -> Any:
        _exact.on = True
        try:
            return statistics(self, *args, **kwargs)
        finally:
            _exact.on = False

    def exact_filter(self: Any, namespace: Any, name: Any, dimensions: Any, *args: Any, **kwargs: Any) -> bool:
        if not matches(self, namespace, name, dimensions, *args, **kwargs):
            return False
        if getattr(_exact, "on", False) and dimensions:
            return len({(d.name, d.value) for d in self.dimensions}) == len({d["Name"] for d in dimensions})
        return True

    get_metric_statistics.exact_dimensions = True
    CloudWatchBackend.get_metric_statistics = get_metric_statistics
    MetricDatumBase.filter = exact_filter
