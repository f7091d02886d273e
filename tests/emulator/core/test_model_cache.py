"""botocore patched for speed (tools/emulator/core/model_cache.py): the same answers as botocore's own."""

from __future__ import annotations

from botocore import hooks

import tools.emulator.core  # noqa: F401 - installs the patches


def test_event_names_are_aliased_as_botocore_aliases_them_per_set_of_aliases():
    event = "before-call.autoscaling.DescribePolicies"
    standard = hooks.EventAliaser(hooks.HierarchicalEmitter())
    own = hooks.EventAliaser(hooks.HierarchicalEmitter(), {"autoscaling": "scaling-of-my-own"})

    assert standard._alias_event_name(event) == "before-call.auto-scaling.DescribePolicies"
    # the same name, aliased by another set of aliases after the first: not the first's answer
    assert own._alias_event_name(event) == "before-call.scaling-of-my-own.DescribePolicies"
    # a copy (what each client gets) answers as the original; a name no alias touches stays
    copied = standard.__copy__()
    assert copied._alias_event_name(event) == "before-call.auto-scaling.DescribePolicies"
    assert copied._alias_event_name("before-call.ec2.DescribeVpcs") == "before-call.ec2.DescribeVpcs"
    rules = "after-call.elbv2.DescribeRules"
    assert copied._alias_event_name(rules) == "after-call.elastic-load-balancing-v2.DescribeRules"
