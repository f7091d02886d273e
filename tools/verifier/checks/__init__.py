"""One module per area; each `run(env)` returns its findings, in the order the report shows them."""

from . import (
    cookie,
    encryption,
    group,
    launch_template,
    lifecycle,
    load_balancer,
    monitoring,
    network,
    node_role,
    refresh,
    scaling,
    security,
)

AREAS = [
    group,
    refresh,
    load_balancer,
    security,
    launch_template,
    node_role,
    cookie,
    scaling,
    lifecycle,
    monitoring,
    network,
    encryption,
]
"""Each module has NAME (what the progress display says) and run(env) -> list[Finding]."""
