"""moto's IAM checks, on for a while, with CloudWatch's actions named as IAM names them.

    with iam_enforced():
        agent.advance()      # the node role's PutMetricData is judged against its policies

moto judges a signed call against the caller's policies once INITIAL_NO_AUTH_ACTION_COUNT calls
have been served (the node lab turns that on in its server with `/moto-api/reset-auth`); in
process it is moto's `set_initial_no_auth_action_count`, which this scopes to a `with` block.
The suite runs one test at a time per process, so nothing else is judged meanwhile.

One correction, for the time of the block: moto names the action after the signing name of
the request's credential scope, which for CloudWatch is `monitoring`, so it asks whether the
caller may `monitoring:PutMetricData`. IAM's service prefix for CloudWatch is `cloudwatch`
(Service Authorization Reference, "Actions, resources, and condition keys for Amazon
CloudWatch"): a role granted `cloudwatch:PutMetricData`, as the stack's node role is, would be
refused by moto and allowed by AWS. The correction belongs with the emulator's other moto
patches (tools/emulator/core/moto_fixtures.py), which this lab does not own; it is scoped here
until it moves there.

What moto still does not evaluate: conditions of identity policies (the node role's
`cloudwatch:namespace` condition passes whatever the namespace: moto only evaluates
`StringEquals` in trust policies), and the resource of most calls (it judges them against "*").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control

SIGNING_NAMES = {"monitoring": "cloudwatch"}
"""Signing name -> IAM service prefix, where the two differ for a call the lab makes."""


@contextmanager
def iam_enforced() -> Iterator[None]:
    """Every call inside is authenticated and authorized by moto as IAM would (see the module docstring)."""
    original_init = access_control.IAMRequestBase.__init__

    def named_as_iam(self: access_control.IAMRequestBase, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)
        service, _, action = self._action.partition(":")
        if service in SIGNING_NAMES:  # the action only: the signature is still checked under the signing name
            self._action = f"{SIGNING_NAMES[service]}:{action}"

    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = 0, 0
    try:
        with mock.patch.object(access_control.IAMRequestBase, "__init__", named_as_iam):
            yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved
