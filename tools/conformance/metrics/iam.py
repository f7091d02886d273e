"""moto's IAM checks, on for a while.

    with iam_enforced():
        agent.advance()      # the node role's PutMetricData is judged against its policies

moto judges a signed call against the caller's policies once INITIAL_NO_AUTH_ACTION_COUNT calls
have been served (the node lab turns that on in its server with `/moto-api/reset-auth`); in
process it is moto's `set_initial_no_auth_action_count`, which this scopes to a `with` block.
The suite runs one test at a time per process, so nothing else is judged meanwhile.

moto named CloudWatch's actions after their signing name (`monitoring:PutMetricData`), where IAM
names them `cloudwatch:`; the emulator's moto patches correct that for every process that imports
it, the node lab's moto server included (tools/emulator/core/moto_fixtures.py,
`IAM_PREFIX_OF_SIGNING_NAME`).

What moto still does not evaluate: conditions of identity policies (the node role's
`cloudwatch:namespace` condition passes whatever the namespace: moto only evaluates
`StringEquals` in trust policies), and the resource of most calls (it judges them against "*").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin

import tools.emulator  # noqa: F401 - its moto patches name CloudWatch's actions as IAM does


@contextmanager
def iam_enforced() -> Iterator[None]:
    """Every call inside is authenticated and authorized by moto as IAM would (see the module docstring)."""
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = 0, 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved
