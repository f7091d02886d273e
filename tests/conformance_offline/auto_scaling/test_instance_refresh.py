"""The Auto Scaling stand-in (tools/conformance/auto_scaling/) performs the refresh the update path
started in moto, as AWS would, on a fake fleet in a fake clock: batches from the healthy
percentages, capacity kept, the canary's pause, alarms and abandoned launches that fail the
refresh, skip matching, and a timeline per node. Each test ships releases to a stack of its own
(`deploy`) through `tools.emulated_stack.change`, as `pulumi up` would. The first release shipped
over a freshly deployed stack is the same change in many tests: the session applies it once and
hands each later test the account as it left it (`AppliedStacks.changed`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.changes import PROD_CHANGES
from tests.support.fake_fleet import ABANDONS, SERVES, UNHEALTHY, FakeClock, FakeFleet
from tests.support.stacks import Applied, AppliedStacks, write_variant
from tests.support.verify import findings
from tools.changes.report import change_report
from tools.conformance.auto_scaling.fleet import Node
from tools.conformance.auto_scaling.instance_refresh import InstanceRefresh, RefreshOutcome
from tools.conformance.auto_scaling.order import NoRefreshToPerform, RefreshOrder, pending_refresh, started_refresh
from tools.conformance.auto_scaling.record import InProcessRecord
from tools.conformance.auto_scaling.report import RolloutReport
from tools.emulated_stack import change
from tools.stack_files import load_stack, stack_file
from tools.verifier.findings import Finding, Status


def release(version: str) -> dict[str, Any]:
    return {"elixir-cluster:release": {"artifact": f"s3://shop-releases/shop-{version}.tar.gz"}}


class Rollout:
    """A stack of the test's own, its fleet on the first launch template version, and each release
    shipped through the update path and performed by the stand-in. `stacks` and `deployed`: the
    session's stacks and the file `applied` was deployed from (its first release is then the
    session's one apply of that change)."""

    def __init__(
        self,
        applied: Applied,
        directory: Path,
        base: str,
        changes: dict[str, Any] | None = None,
        *,
        stacks: AppliedStacks,
        deployed: Path,
    ) -> None:
        self.applied, self.directory, self.base, self.changes = applied, directory, base, changes or {}
        self.stacks, self.deployed = stacks, deployed
        self.deployment = applied.deployment
        self.autoscaling = applied.client("autoscaling")
        self.group = applied.outputs["autoScalingGroupName"]
        [group] = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[self.group])["AutoScalingGroups"]
        self.first_version = group["LaunchTemplate"]["Version"]
        self.clock = FakeClock()
        self.shipped = 0

    def fleet(self, releases: dict[str, str], **kwargs: Any) -> FakeFleet:
        [group] = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[self.group])["AutoScalingGroups"]
        nodes = [Node(i["InstanceId"], self.first_version) for i in group["Instances"]]
        return FakeFleet(self.clock, nodes, {self.first_version: SERVES, **releases}, **kwargs)

    def ship(self, version: str) -> RefreshOrder:
        """Apply the stack file with release `version` over the stack as it is: the refresh it starts."""
        self.shipped += 1
        directory = self.directory / f"ship-{self.shipped}"
        directory.mkdir()
        new = load_stack(write_variant(directory, self.base, self.base, {**self.changes, **release(version)}))
        if self.shipped == 1:  # over the stack as deployed: the same change as other tests' first
            changed = self.stacks.changed(self.deployed, new)
        else:
            changed = change(self.applied.emulator, self.deployment, new)
        assert changed.failure is None, changed.failure
        self.deployment = changed.deployment
        self.drain_seconds = new.settings.drain.total_seconds
        self.settings = new.settings
        return pending_refresh(self.autoscaling, self.group)

    def perform(self, order: RefreshOrder, fleet: FakeFleet) -> RefreshOutcome:
        record = InProcessRecord(self.applied.account_id, self.applied.settings.region, self.group, order.refresh_id)
        return InstanceRefresh(order, fleet, record, self.clock, self.drain_seconds).perform()

    def roll(self, version: str, does: str = SERVES, **fleet: Any) -> tuple[RefreshOrder, FakeFleet, RefreshOutcome]:
        """Ship `version`, whose release `does` SERVES, ABANDONS..., to a fleet on the first version."""
        order = self.ship(version)
        on = self.fleet({order.desired_version: does}, **fleet)
        return order, on, self.perform(order, on)

    def verified(self) -> dict[str, Finding]:
        """What `tools.verify` finds in the stack as the last release left it."""
        return findings(Applied(self.applied.emulator, self.deployment, self.settings))

    def described(self) -> dict[str, Any]:
        return self.autoscaling.describe_instance_refreshes(AutoScalingGroupName=self.group)["InstanceRefreshes"][0]


def deployed(
    deploy, stacks: AppliedStacks, directory: Path, base: str, changes: dict[str, Any] | None = None
) -> Rollout:
    """A rollout of the shipped stack `base`, with `changes` merged in, deployed for the test."""
    path = write_variant(directory, base, base, changes) if changes else stack_file(base)
    return Rollout(deploy.file(path), directory, base, changes, stacks=stacks, deployed=path)


@pytest.fixture
def prod_rollout(deploy, applied_stacks, tmp_path) -> Rollout:
    return deployed(deploy, applied_stacks, tmp_path, "prod")


TWO_DEV_NODES = {"elixir-cluster:nodes": {"minSize": 2}}


@pytest.fixture
def two_node_dev_rollout(deploy, applied_stacks, tmp_path) -> Rollout:
    return deployed(deploy, applied_stacks, tmp_path, "dev", TWO_DEV_NODES)


# --- batches and capacity ---


def test_prod_launches_each_replacement_before_its_old_node_leaves_and_keeps_three_in_service(prod_rollout):
    order, fleet, outcome = prod_rollout.roll("2.0.0", SERVES)

    assert outcome.status == "Successful"
    # 3 nodes at 90/110: keep ceil(3 x 0.9) = ceil(2.7) = 3 in service, run at most ceil(3 x 1.1) = 4:
    # a batch of 4 - 3 = 1, launched before an old node leaves
    assert (outcome.plan.batch, outcome.plan.launches_first) == (1, True)
    assert min(fleet.capacity) == 3
    assert max(fleet.capacity) == 4
    # three batches: up to 4 with the new node, back to 3 when the old one is drained
    assert fleet.capacity == [3, 4, 3, 4, 3, 4, 3]
    assert order.desired_version == "2"  # the new artifact made the launch template's second version
    assert fleet.versions() == ["2", "2", "2"]
    described = prod_rollout.described()
    assert (described["Status"], described["PercentageComplete"], described["InstancesToUpdate"]) == (
        "Successful",
        100,
        0,
    )


def test_dev_at_two_nodes_takes_an_old_node_out_first_and_keeps_one_in_service(two_node_dev_rollout):
    _order, fleet, outcome = two_node_dev_rollout.roll("2.0.0", SERVES)

    assert outcome.status == "Successful"
    # dev's 50/100 over 2 nodes: keep ceil(2 x 0.5) = 1, run at most ceil(2 x 1.0) = 2: a batch of
    # 2 - 1 = 1, and no room above the group, so the old node leaves first
    assert (outcome.plan.batch, outcome.plan.launches_first) == (1, False)
    assert fleet.capacity == [2, 1, 2, 1, 2]
    assert min(fleet.capacity) == 1


def test_dev_with_its_one_node_is_without_a_node_while_it_is_replaced_as_aws_replaces_at_least_one(
    deploy, applied_stacks, tmp_path
):
    rollout = deployed(deploy, applied_stacks, tmp_path, "dev")
    order, fleet, outcome = rollout.roll("2.0.0", SERVES)

    # 1 node at 50/100: keep ceil(0.5) = 1 but a batch is at least one node, and the maximum (1)
    # leaves no room to launch first: the node leaves, then its replacement comes
    assert (outcome.status, outcome.plan.batch, outcome.plan.launches_first) == ("Successful", 1, False)
    assert fleet.capacity == [1, 0, 1]


def test_drains_that_overlap_the_next_batch_keep_the_same_capacity_and_still_drain_before_terminating(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({order.desired_version: SERVES})
    record = InProcessRecord(
        prod_rollout.applied.account_id, prod_rollout.applied.settings.region, prod_rollout.group, order.refresh_id
    )
    refresh = InstanceRefresh(order, fleet, record, prod_rollout.clock, prod_rollout.drain_seconds, drains_overlap=True)
    outcome = refresh.perform()

    assert outcome.status == "Successful" and fleet.versions() == ["2", "2", "2"]
    # 90/110 over 3 nodes keeps ceil(2.7) = 3 in service whether or not a drain overlaps a launch
    assert min(fleet.capacity) == 3
    old = [n for n in outcome.timeline.nodes.values() if n.launched is None]
    assert len(old) == 3 and all(n.drained is not None and n.drained <= n.terminated for n in old)


# --- checkpoints ---


def test_prods_canary_serves_alone_for_the_checkpoint_delay_before_the_rest_follow(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({order.desired_version: SERVES})
    seen: list[tuple[float, str, str | None, int]] = []

    def look(now: float) -> None:
        d = prod_rollout.described()
        seen.append((now, d["Status"], d.get("StatusReason"), d["PercentageComplete"]))

    prod_rollout.clock.watch = look
    outcome = prod_rollout.perform(order, fleet)

    canary, second, _third = (outcome.timeline.nodes[n.id] for n in fleet.launched)
    # after the canary is in service: its 120 s warmup, the old node's drain (45 s in the fake), then
    # prod's 600 s checkpoint delay, before the second replacement launches: 120 + 45 + 600 = 765
    assert second.launched - canary.in_service == 765
    # during the pause, moto reports the refresh InProgress at 1 of 3 nodes (floor(100 / 3) = 33 %)
    paused = [s for s in seen if s[2] and "Checkpoint 8%" in s[2]]
    assert paused and {(s[1], s[3]) for s in paused} == {("InProgress", 33)}
    assert outcome.status == "Successful"


# --- alarms ---


def test_a_refresh_alarm_in_alarm_fails_the_refresh_and_leaves_the_canary_and_the_old_nodes(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    # the canary answers errors: prod's 5xx alarm (named by AWS as <cluster>-<env>-5xx-rate) fires
    fleet = prod_rollout.fleet(
        {order.desired_version: SERVES}, alarm_when_serving={order.desired_version: "shop-prod-5xx-rate"}
    )
    outcome = prod_rollout.perform(order, fleet)

    assert outcome.status == "Failed"
    assert "shop-prod-5xx-rate" in outcome.reason
    described = prod_rollout.described()
    assert (described["Status"], described["StatusReason"]) == ("Failed", outcome.reason)
    # nothing is rolled back, and nothing more replaced: the canary and three old nodes
    assert fleet.versions() == sorted([prod_rollout.first_version] * 3 + [order.desired_version])
    assert len(fleet.launched) == 1


# --- a bad release ---


def test_a_release_whose_launch_hook_abandons_never_serves_fails_the_refresh_and_leaves_the_good_nodes(prod_rollout):
    good = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({good.desired_version: SERVES})
    assert prod_rollout.perform(good, fleet).status == "Successful"
    good_nodes = fleet.in_service()

    bad = prod_rollout.ship("3.0.0-crashes")
    fleet.releases[bad.desired_version] = ABANDONS
    outcome = prod_rollout.perform(bad, fleet)

    assert outcome.status == "Failed"
    assert "release-join" in outcome.reason  # the launch hook's name, as the stack creates it
    abandoned = [n for n in fleet.launched if n.version == bad.desired_version]
    assert len(abandoned) == 2  # the replacement was tried twice (LAUNCH_ATTEMPTS), then the refresh failed
    assert not {n.id for n in abandoned} & fleet.served
    assert fleet.in_service() == good_nodes  # untouched: none drained, none terminated
    assert all(outcome.timeline.nodes[n.id].drained is None for n in good_nodes)
    assert prod_rollout.described()["Status"] == "Failed"


def test_a_release_that_joins_but_fails_the_load_balancers_health_check_fails_the_refresh(prod_rollout):
    order, fleet, outcome = prod_rollout.roll("3.0.0-unhealthy", UNHEALTHY)

    assert outcome.status == "Failed"
    assert "never healthy behind the load balancer" in outcome.reason
    assert fleet.versions() == [prod_rollout.first_version] * 3


# --- skip matching ---


def test_a_refresh_started_again_after_an_alarm_replaces_only_the_nodes_it_had_not_reached(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet(
        {order.desired_version: SERVES}, alarm_when_serving={order.desired_version: "shop-prod-5xx-rate"}
    )
    assert prod_rollout.perform(order, fleet).status == "Failed"  # after the canary
    del fleet.alarm_when_serving[order.desired_version]  # the alarm had another cause, since fixed

    # started again by hand with the stack's preferences (docs/shipping-a-release.md)
    prod_rollout.autoscaling.start_instance_refresh(
        AutoScalingGroupName=prod_rollout.group, Preferences=order.preferences
    )
    again = prod_rollout.perform(pending_refresh(prod_rollout.autoscaling, prod_rollout.group), fleet)

    assert again.status == "Successful"
    assert (again.to_replace, again.replaced) == (3, 3)  # 4 in service, the canary skipped: 4 - 1 = 3
    assert fleet.versions() == [order.desired_version] * 4


def test_reverting_a_bad_release_converges_replacing_every_node_as_the_reverted_template_is_a_new_version(
    prod_rollout,
):
    good = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({good.desired_version: SERVES})
    prod_rollout.perform(good, fleet)
    bad = prod_rollout.ship("3.0.0-crashes")
    fleet.releases[bad.desired_version] = ABANDONS
    assert prod_rollout.perform(bad, fleet).status == "Failed"

    reverted = prod_rollout.ship("2.0.0")
    fleet.releases[reverted.desired_version] = SERVES
    outcome = prod_rollout.perform(reverted, fleet)

    # v1 was launch template version 1, v2 version 2, v3 version 3: the revert is version 4, and skip
    # matching compares versions, so the v2 nodes (version 2) are replaced too
    assert (good.desired_version, bad.desired_version, reverted.desired_version) == ("2", "3", "4")
    assert (outcome.status, outcome.to_replace) == ("Successful", 3)
    assert fleet.versions() == ["4", "4", "4"]


def test_a_refresh_with_every_node_on_the_desired_version_succeeds_at_once(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({order.desired_version: SERVES})
    prod_rollout.perform(order, fleet)
    prod_rollout.autoscaling.start_instance_refresh(
        AutoScalingGroupName=prod_rollout.group, Preferences=order.preferences
    )
    before = prod_rollout.clock.now()

    outcome = prod_rollout.perform(pending_refresh(prod_rollout.autoscaling, prod_rollout.group), fleet)

    assert (outcome.status, outcome.to_replace, len(fleet.launched)) == ("Successful", 0, 3)
    assert prod_rollout.clock.now() == before


# --- the timeline ---


def test_the_timeline_shows_each_old_node_drained_before_it_terminated_after_its_replacement_served(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    fleet = prod_rollout.fleet({order.desired_version: SERVES})
    old = fleet.in_service()
    outcome = prod_rollout.perform(order, fleet)
    timeline = outcome.timeline.nodes

    new = [timeline[n.id] for n in fleet.launched]
    for replacement, leaving in zip(new, (timeline[n.id] for n in old), strict=True):
        assert replacement.launched < replacement.in_service < leaving.drained <= leaving.terminated
        assert leaving.launched is None and leaving.version == prod_rollout.first_version
    # the fake's canary: launched at 0, 40 s to boot and the hook, 20 s to healthy: in service at 60
    assert (new[0].launched, new[0].in_service) == (0, 60)
    table = outcome.timeline.table().splitlines()
    assert table[0].split() == ["node", "version", "launched", "in", "service", "drained", "terminated", "abandoned"]
    assert len(table) == 1 + 6


# --- checkpoints pace the batches: AWS's own example ---


class RecordedRefresh:
    """The record's moves, as a list (this test needs no moto: the rule is the stand-in's)."""

    def __init__(self) -> None:
        self.moves: list[tuple[str, str | None]] = []
        self.progress_seen: list[int] = []

    def move_to(self, status: str, reason: str | None = None) -> None:
        self.moves.append((status, reason))

    def progress(self, percentage_complete: int, instances_to_update: int) -> None:
        self.progress_seen.append(percentage_complete)


def test_checkpoints_make_a_batch_smaller_to_stop_at_their_percentage_as_in_aws_example():
    # "Add checkpoints to an instance refresh": 10 instances, checkpoints [20, 50, 100], minimum
    # healthy 80 %, maximum 100 %: "only two instances can be replaced at a time"
    order = RefreshOrder(
        group="nodes",
        refresh_id="r-1",
        desired_version="2",
        desired_capacity=10,
        preferences={
            "MinHealthyPercentage": 80,
            "MaxHealthyPercentage": 100,
            "CheckpointPercentages": [20, 50, 100],
            "CheckpointDelay": 3600,
        },
        launch_hook="release-join",
        warmup_seconds=60,
    )
    clock = FakeClock()
    fleet = FakeFleet(clock, [Node(f"i-old-{n}", "1") for n in range(10)], {"1": SERVES, "2": SERVES})
    record = RecordedRefresh()
    outcome = InstanceRefresh(order, fleet, record, clock).perform()

    assert outcome.status == "Successful"
    # 2 nodes (20 %: pause), 2 more then 1 to stop at 5 (50 %: pause), then 2, 2, 1: "sometimes fewer"
    assert record.progress_seen == [0, 20, 40, 50, 70, 90, 100]
    pauses = [reason for status, reason in record.moves if reason and reason.startswith("Checkpoint")]
    assert [p.split()[1] for p in pauses] == ["20%", "50%"]
    # the old nodes leave first (no room above 100 %), two at most: never fewer than 10 - 2 = 8 in service
    assert min(fleet.capacity) == 8


def test_in_dev_the_old_node_has_left_when_the_bad_release_abandons_and_the_refresh_fails(two_node_dev_rollout):
    _order, fleet, outcome = two_node_dev_rollout.roll("3.0.0-crashes", ABANDONS)

    # at 100 % the old node leaves first: one node of two is gone when both launches are abandoned
    assert outcome.status == "Failed"
    assert fleet.capacity == [2, 1]
    assert fleet.versions() == [two_node_dev_rollout.first_version]
    assert not {n.id for n in fleet.launched} & fleet.served


def test_a_refresh_is_performed_once(prod_rollout):
    order = prod_rollout.ship("2.0.0")
    prod_rollout.perform(order, prod_rollout.fleet({order.desired_version: SERVES}))
    with pytest.raises(NoRefreshToPerform, match="latest: Successful"):
        pending_refresh(prod_rollout.autoscaling, prod_rollout.group)


def test_the_rollout_report_says_how_prods_refresh_went_and_what_each_node_did(prod_rollout):
    order, fleet, outcome = prod_rollout.roll("2.0.0", SERVES)
    report = RolloutReport("prod", order, outcome, least_in_service=min(fleet.capacity))

    document = report.to_json()
    assert {k: document[k] for k in ("status", "replaced", "toReplace", "batch", "launchesFirst")} == {
        "status": "Successful",
        "replaced": 3,
        "toReplace": 3,
        "batch": 1,
        "launchesFirst": True,
    }
    assert (document["inServiceAtLeast"], document["leastInService"]) == (3, 3)  # ceil(3 x 0.9) = 3
    assert [n["version"] for n in document["nodes"]] == ["1", "1", "1", "2", "2", "2"]
    text = report.text()
    assert "Successful" in text and "1 at a time, new nodes first" in text


def test_verify_reads_the_stand_ins_failed_refresh_as_it_reads_aws_s(prod_rollout):
    _order, _fleet, outcome = prod_rollout.roll("3.0.0-crashes", ABANDONS)

    latest = prod_rollout.verified()["refresh.latest"]
    assert latest.status == Status.FAIL
    assert "Failed" in latest.detail and outcome.reason in latest.detail


def test_stagings_canary_is_one_node_of_two_that_serves_alone_for_five_minutes(deploy, applied_stacks, tmp_path):
    rollout = deployed(deploy, applied_stacks, tmp_path, "staging")
    _order, fleet, outcome = rollout.roll("2.0.0", SERVES)

    # 2 nodes at 50/100: keep ceil(2 x 0.5) = 1, a batch of ceil(2 x 1.0) - 1 = 1, the old node first
    assert (outcome.status, outcome.plan.batch, outcome.plan.launches_first) == ("Successful", 1, False)
    assert fleet.capacity == [2, 1, 2, 1, 2]
    canary, second = (outcome.timeline.nodes[n.id] for n in fleet.launched)
    # 1 of 2 is 50 %: the checkpoint. The canary's 120 s warmup, staging's 300 s delay, then the
    # second old node's drain (45 s in the fake) before its replacement: 120 + 300 + 45 = 465
    assert second.launched - canary.in_service == 465


# --- the refresh the change report shows is the one performed ---


def test_the_stand_in_performs_the_refresh_prods_change_report_shows_and_takes_no_less_than_it_says(
    applied_stacks, tmp_path
):
    old_path, new_path = PROD_CHANGES["new artifact"].files(tmp_path)
    new = load_stack(new_path)
    applied = applied_stacks.apply_change(load_stack(old_path, stack=new.stack), new)
    drain = new.settings.drain.total_seconds
    shown = change_report(new.stack, old_path.name, applied, drain).refresh
    order = started_refresh(applied.refreshes[0])
    clock = FakeClock()
    old = [Node(f"i-old-{n}", "1") for n in range(3)]
    fleet = FakeFleet(clock, old, {"1": SERVES, order.desired_version: SERVES}, drain_seconds=drain)

    outcome = InstanceRefresh(order, fleet, RecordedRefresh(), clock, drain).perform()

    assert outcome.status == "Successful"
    assert outcome.plan == shown.plan  # one computation of batches, for the reviewer and the stand-in
    # the report's least duration leaves out boot and health checks (40 + 20 s a node in the fake),
    # and overlaps the first two old nodes' drains with the next launches, which the stand-in waits for
    assert clock.now() >= shown.plan.minimum_seconds
    assert clock.now() - shown.plan.minimum_seconds == 3 * (40 + 20) + 2 * drain
