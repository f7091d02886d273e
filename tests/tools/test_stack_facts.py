"""The conformance lab's reading of a stack runs offline: a stack whose user data stops
writing the environment the lab reproduces must fail here, not only under `make conformance`."""

from __future__ import annotations

import pytest

from components.plans.user_data import render_user_data
from tools.conformance import stack_facts
from tools.conformance.stack_facts import StackFactsError, read_stack_facts

pytestmark = pytest.mark.xdist_group("stack-facts")  # the module's one apply of dev, on one worker


@pytest.fixture(scope="module")
def dev_facts():
    return read_stack_facts("dev")  # applies dev: once for the module


def test_dev_facts_read_from_the_applied_stack(dev_facts):
    facts = dev_facts
    assert facts.target_group.health_check.path == "/health"
    assert facts.node_groups and facts.load_balancer_groups


def test_the_line_the_compressed_bootstrap_writes_counts(dev_facts):
    facts = dev_facts
    user_data = render_user_data(facts.settings)
    stack_facts._check_user_data_writes_environment(facts, stack_facts._as_written(user_data))
    # Without the scripts decoded, RELEASE_NODE (written by the gzipped bootstrap) is not found.
    with pytest.raises(StackFactsError, match='RELEASE_NODE="'):
        stack_facts._check_user_data_writes_environment(facts, user_data)
