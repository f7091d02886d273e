"""tools/changes/refresh.py: a refresh's batches and least duration, computed by hand from AWS's rules
(the minimum in service rounded up, the maximum rounded up, at least one node at a time)."""

from __future__ import annotations

import pytest

from tools.changes.refresh import refresh_plan


def test_prods_three_nodes_are_replaced_one_at_a_time_each_new_one_first():
    """90 % of 3 is 2.7: 3 stay in service; 110 % is 3.3: 4 may run. Room for 1 above the group."""
    plan = refresh_plan(3, 90, 110, warmup_seconds=120, drain_seconds=105)
    assert (plan.in_service_at_least, plan.running_at_most, plan.batch, plan.batches) == (3, 4, 1, 3)
    assert plan.launches_first
    assert plan.minimum_seconds == 120 + 120 + 120 + 105  # three warmups, then the last old node drains


def test_ten_nodes_between_ninety_and_one_hundred_and_twenty_percent_go_three_at_a_time():
    plan = refresh_plan(10, 90, 120, warmup_seconds=300, drain_seconds=60)
    assert (plan.in_service_at_least, plan.running_at_most, plan.batch, plan.batches) == (9, 12, 3, 4)
    assert plan.minimum_seconds == 4 * 300 + 60


def test_without_room_above_the_group_old_nodes_stop_as_new_ones_start():
    plan = refresh_plan(4, 50, 100, warmup_seconds=60, drain_seconds=100)
    assert (plan.in_service_at_least, plan.running_at_most, plan.batch, plan.batches) == (2, 4, 2, 2)
    assert not plan.launches_first
    assert plan.minimum_seconds == 60 + 100  # the last drain overlaps the last warmup and outlasts it


def test_at_least_one_node_is_replaced_at_a_time():
    """ "Setting the minimum healthy percentage to 100 percent limits the rate of replacement to one
    instance at a time" (asg-instance-refresh.md)."""
    assert refresh_plan(5, 100, 100, warmup_seconds=60, drain_seconds=30).batch == 1


def test_zero_percent_replaces_every_node_at_once():
    plan = refresh_plan(4, 0, 100, warmup_seconds=60, drain_seconds=30)
    assert (plan.batch, plan.batches, plan.minimum_seconds) == (4, 1, 60)


@pytest.mark.parametrize(("delay", "pauses"), [(None, 3600), (300, 300)])
def test_each_checkpoint_before_the_end_pauses_for_its_delay_an_hour_unless_given(delay, pauses):
    # 34 % pauses; 100 % is the end of the refresh, where nothing is left to continue
    plan = refresh_plan(3, 90, 110, 120, 105, checkpoint_percentages=[34, 100], checkpoint_delay=delay)
    assert [c.percentage for c in plan.checkpoints] == [34, 100]
    assert plan.minimum_seconds == 465 + pauses


def test_an_empty_group_has_nothing_to_replace():
    plan = refresh_plan(0, 90, 110, 120, 105)
    assert (plan.batch, plan.batches, plan.minimum_seconds) == (0, 0, 0)


def test_one_node_at_50_100_stops_before_its_replacement_and_at_150_starts_it_first():
    # 1 node, 50/100: keep ceil(0.5) = 1, at most ceil(1.0) = 1 running: no room, one replaced anyway,
    # the old one goes as the new one warms up: max(120 warmup, 60 drain) = 120 s
    alone = refresh_plan(1, 50, 100, warmup_seconds=120, drain_seconds=60)
    assert (alone.batch, alone.launches_first, alone.minimum_seconds) == (1, False, 120)
    # 50/150: at most ceil(1.5) = 2 running: the new node first, then the old one drains: 120 + 60
    first = refresh_plan(1, 50, 150, warmup_seconds=120, drain_seconds=60)
    assert (first.batch, first.running_at_most, first.launches_first, first.minimum_seconds) == (1, 2, True, 180)
