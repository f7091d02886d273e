"""The rollout lab (issue 22 item 5): the stack file applied again with a new release's artifact, through
the update path, and the instance refresh it starts performed by the Auto Scaling stand-in on the lab's
instances (tools/conformance/node_lab/rollout.py), under traffic through HAProxy.

v1 is the release the lab booted; v2 is the same source built as another version (what `/node`
reports). The lab's dev runs 2 nodes, not the shipped 1: at 50/100 a refresh of one node takes it
out before its replacement comes (minHealthyPercentage 50 % of 1 rounds to 0 in service), so the
shipped dev drops every request during a swap by its own settings; with 2, one serves while the
other is replaced. prod runs its shipped 3.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.node_lab import stop_traffic
from tools.conformance.auto_scaling.clock import CompressedClock
from tools.conformance.auto_scaling.instance_refresh import (
    FAILED,
    LAUNCH_ATTEMPTS,
    SUCCESSFUL,
    InstanceRefresh,
    RefreshOutcome,
)
from tools.conformance.auto_scaling.report import RolloutReport
from tools.conformance.node_lab.lab import NodeLab
from tools.conformance.node_lab.rollout import LabFleet, launch_template_of
from tools.conformance.node_lab.stack_variants import RELEASE_SECTION, variant

pytestmark = [pytest.mark.node_lab, pytest.mark.rollout]

V2 = "2.0.0"
LAB_NODES = {"dev": 2, "prod": 3}
"""In service before the refresh (the module docstring says why dev has 2)."""
LEAST_IN_SERVICE = {"dev": 1, "prod": 3}
"""minHealthyPercentage of the lab's nodes, rounded up: dev ceil(2 x 50 %) = 1, prod ceil(3 x 90 %) = ceil(2.7) = 3."""
REVERTED_ON = {"dev"}
"""Where the lab reverts the bad release (the `reverted` fixture says why not on prod)."""
TIME_FACTOR = 60
"""The refresh's time runs 60 times faster: prod's 120 s warmup takes 2 s, its 600 s checkpoint 10 s."""


@dataclass
class Watch:
    """What a sampler saw every second while the refresh ran."""

    least_up: int | None = None
    mixed: list[tuple[str, dict[str, str], dict[str, list[str]]]] = field(default_factory=list)
    """(when, node -> version, node -> nodes it sees) whenever v1 and v2 nodes were both up."""


def _version_of_group(lab: NodeLab) -> str:
    """The launch template's latest version: the one the lab's nodes booted."""

    def latest(aws) -> str:
        template = launch_template_of(aws, lab.facts["group"])
        found = aws.client("ec2").describe_launch_templates(LaunchTemplateIds=[template])["LaunchTemplates"]
        return str(found[0]["LatestVersionNumber"])

    return lab.account.call(latest)


def _node_json(lab: NodeLab, node) -> dict:
    status, body = lab.get(node, "/node")
    return json.loads(body) if status == 200 else {}


def _sample(lab: NodeLab, fleet: LabFleet, stop: threading.Event, watch: Watch) -> None:
    while not stop.is_set():
        states = lab.balancer.server_states()
        up = [n for n in fleet.live() if states.get(n.server) == "UP"]
        watch.least_up = len(up) if watch.least_up is None else min(watch.least_up, len(up))
        seen = {n.name: _node_json(lab, n) for n in up}
        versions = {name: j.get("version", "?") for name, j in seen.items()}
        if len(set(versions.values())) > 1:
            watch.mixed.append((time.strftime("%H:%M:%S"), versions, {k: j.get("nodes", []) for k, j in seen.items()}))
        stop.wait(1)


@dataclass
class Rollout:
    outcome: RefreshOutcome
    report: RolloutReport
    requests: list[dict]
    watch: Watch
    fleet: LabFleet
    seconds: float


def _traffic(lab: NodeLab, log: Path) -> subprocess.Popen:
    argv = lab.client.python("tools.conformance.traffic", f"{lab.url}/served-by", "--seconds", "900")
    with open(log, "wb") as out:
        return subprocess.Popen(lab.client.command(argv), stdout=out, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def fleet(node_lab: NodeLab) -> LabFleet:
    """The lab's group as the rollout starts: LAB_NODES nodes of v1 in service, nothing else."""
    lab = node_lab
    if lab.discovery:
        pytest.skip("the rollout runs on each shipped stack file, not on the discovery variant")
    fleet = LabFleet(lab, _version_of_group(lab))
    states = lab.balancer.server_states()
    for node in [n for n in fleet.live() if states.get(n.server) != "UP"]:
        fleet.retire(node)  # the scale-in test's drained node; bad inputs' unbooted ones
    while len(fleet.in_service()) < LAB_NODES[lab.stack]:
        launch = fleet.launch(fleet.versions[fleet.live()[0].instance_id])
        assert launch.result == "CONTINUE" and fleet.wait_healthy(launch.node), launch
    for node in fleet.in_service()[LAB_NODES[lab.stack] :]:
        fleet.drain(node)  # a scale-in, when the lab's other tests left more
        fleet.terminate(node)
    return fleet


def _ship(lab: NodeLab, fleet: LabFleet, tarball: Path, label: str, top_up: bool = False) -> Rollout:
    """The stack file with release.artifact at `tarball` (uploaded beside v1's) applied through the
    update path, and the refresh it started performed by the stand-in under traffic. `top_up`: the
    group first launches back to its size from its new launch template version, as Auto Scaling
    does for a group a failed refresh left short (the stand-in does not model that; see its docstring)."""
    started = time.monotonic()
    bucket, key = lab.settings.release.artifact.removeprefix("s3://").split("/", 1)
    new_key = key.replace(".tar.gz", f"-{label}.tar.gz")
    lab.account.call(lambda aws: aws.client("s3").upload_file(str(tarball), bucket, new_key))
    changes = {**lab.stack_changes}
    changes[RELEASE_SECTION] = {**changes.get(RELEASE_SECTION, {}), "artifact": f"s3://{bucket}/{new_key}"}
    changed = lab.account.apply_change(variant(lab.stack, lab.workdir / f"stack-{label}", changes))
    assert changed["refreshes"], changed  # DescribeInstanceRefreshes lists the earlier ones too
    while top_up and len(fleet.in_service()) < LAB_NODES[lab.stack]:
        launch = fleet.launch(fleet.pending_refresh().desired_version)
        assert launch.result == "CONTINUE" and fleet.wait_healthy(launch.node), launch
    order = fleet.pending_refresh()
    watch, stop = Watch(), threading.Event()
    log = lab.workdir / f"rollout-{label}-traffic.jsonl"
    loop = _traffic(lab, log)
    sampler = threading.Thread(target=_sample, args=(lab, fleet, stop, watch), daemon=True)
    sampler.start()
    try:
        clock = CompressedClock(TIME_FACTOR)
        drain = lab.settings.drain.total_seconds
        refresh = InstanceRefresh(order, fleet, fleet.record(order), clock, drain_seconds=drain, drains_overlap=True)
        outcome = refresh.perform()
        time.sleep(3)  # traffic goes on a moment after the last change
    finally:
        stop.set()
        sampler.join(30)
        stop_traffic(loop)
    requests = [json.loads(line) for line in log.read_text().splitlines()]
    report = RolloutReport(lab.stack, order, outcome, watch.least_up)
    failed = sum(1 for r in requests if r["status"] != 200)
    seconds = time.monotonic() - started
    lab.report.rollout.append(
        f"{label}: "
        + report.text()
        + f"\n  times in the refresh's clock ({TIME_FACTOR}x wall time); {len(requests)} requests through HAProxy, "
        f"{failed} failed; {seconds:.0f} s of wall time"
    )
    return Rollout(outcome, report, requests, watch, fleet, seconds)


@pytest.fixture(scope="module")
def rollout(node_lab: NodeLab, fleet: LabFleet, release_as_version) -> Rollout:
    return _ship(node_lab, fleet, release_as_version(V2), V2)


@pytest.fixture(scope="module")
def bad_release(node_lab: NodeLab, rollout: Rollout, release_as_version) -> Rollout:
    """v3: v2's tarball cut in half, as a broken upload would be: the node's bootstrap cannot unpack
    it, and its trap has the launch hook ABANDON at once (components/plans/scripts/bootstrap.sh)."""
    good = release_as_version(V2)
    bad = node_lab.workdir / "shop-3.0.0-broken.tar.gz"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return _ship(node_lab, rollout.fleet, bad, "3.0.0-broken")


def test_the_refresh_to_v2_succeeds(rollout):
    assert rollout.outcome.status == SUCCESSFUL, rollout.report.text()
    # every node found was replaced: 2 in dev, 3 in prod
    assert rollout.outcome.replaced == rollout.outcome.to_replace == LAB_NODES[rollout.report.stack]


def test_no_request_fails_through_haproxy_across_the_refresh(rollout):
    failed = [r for r in rollout.requests if r["status"] != 200]
    assert len(rollout.requests) > 20 and not failed, failed[:3]


def test_healthy_capacity_never_drops_below_min_healthy_percentage(rollout):
    least = LEAST_IN_SERVICE[rollout.report.stack]
    assert rollout.watch.least_up is not None and rollout.watch.least_up >= least, rollout.report.text()


def test_v1_and_v2_nodes_see_each_other_while_both_run(rollout):
    assert rollout.watch.mixed, "no moment with v1 and v2 nodes both up was sampled"
    for _when, versions, sees in rollout.watch.mixed:
        for name in versions:
            assert set(versions) - {name} <= set(sees[name]), (versions, sees)


def test_every_old_node_was_drained_before_it_terminated(rollout):
    old = [n for n in rollout.outcome.timeline.nodes.values() if n.launched is None]
    assert old and all(n.drained is not None and n.drained <= n.terminated for n in old), rollout.report.text()


def test_every_node_runs_v2_at_the_end(rollout):
    lab = rollout.fleet.lab
    live = rollout.fleet.live()
    assert len(live) == LAB_NODES[lab.stack]
    assert {_node_json(lab, n).get("version") for n in live} == {V2}


# --- a bad release ---


def test_the_bad_release_fails_the_refresh_at_its_first_node(bad_release):
    outcome = bad_release.outcome
    assert outcome.status == FAILED and "ABANDON" in (outcome.reason or ""), bad_release.report.text()
    new = [n for n in outcome.timeline.nodes.values() if n.launched is not None]
    # LAUNCH_ATTEMPTS launches of the first replacement, each abandoned, none in service
    assert len(new) == LAUNCH_ATTEMPTS and all(n.abandoned and n.in_service is None for n in new), new


def test_no_request_reaches_a_bad_node_and_none_fails(bad_release):
    bad = {n.node for n in bad_release.outcome.timeline.nodes.values() if n.abandoned}
    names = {n.name for n in bad_release.fleet.lab.all_nodes if n.instance_id in bad}
    failed = [r for r in bad_release.requests if r["status"] != 200]
    assert len(bad_release.requests) > 10 and not failed, failed[:3]
    assert not {r["body"] for r in bad_release.requests} & names


def test_the_v2_nodes_keep_serving_after_the_failed_refresh(bad_release):
    lab = bad_release.fleet.lab
    live = bad_release.fleet.in_service()
    assert live and {_node_json(lab, n).get("version") for n in bad_release.fleet.live()} == {V2}


# --- the revert ---


@pytest.fixture(scope="module")
def reverted(node_lab: NodeLab, bad_release: Rollout, release_as_version) -> Rollout:
    """v2's stack file applied again after the failed refresh (the runbook: revert, apply).

    On dev only. The revert is a new launch template version, so skip matching leaves no node alone
    that the failed refresh did not replace: prod's revert (its v3 replaced nothing) is its v1 -> v2
    rollout again, three replacements and two minutes and a half that `make node-lab`'s 15 do not
    have room for (tests/conformance_offline/auto_scaling proves it offline). dev's v3 took a node
    out first, so its revert also launches the group back to size and skips that new node."""
    if node_lab.stack not in REVERTED_ON:
        pytest.skip(f"{node_lab.stack}: the revert replaces every node, as its v2 rollout did (see the docstring)")
    return _ship(node_lab, bad_release.fleet, release_as_version(V2), V2, top_up=True)


def test_reverting_to_v2_converges_with_every_node_on_v2(reverted):
    lab = reverted.fleet.lab
    failed = [r for r in reverted.requests if r["status"] != 200]
    assert reverted.outcome.status == SUCCESSFUL and not failed, (reverted.report.text(), failed[:3])
    assert len(reverted.fleet.live()) == LAB_NODES[lab.stack]
    assert {_node_json(lab, n).get("version") for n in reverted.fleet.live()} == {V2}
