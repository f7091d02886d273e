"""Fixtures: every stack file applied once per session, shared read-only or changed and put back.

Each distinct stack file (a shipped one, or a variant a test writes) is applied at most once per
session (per xdist worker), in an emulated account of its own, and its account is snapshotted
(tests/support/stacks.py). `dev`, `staging`, `prod`, `local` (and `shipped("prod")`),
`scaling_variant` (dev with every scaling option the shipped stacks leave out) and the variants
of tests/support/variants.py (`dev_behind_an_nlb`, `private_dev`, ...) are shared: their clients
refuse anything but reads. `previews_read_the_session` has `tools.preview.main` read these applies
too (and apply a change, `--changes-from`, over them). A test that changes AWS state uses
`deploy`: the same account, writable, put back to its snapshot when the test ends. The helpers are in tests/support/.

Under xdist (`make test`: `--dist loadgroup`), the tests that read one shared stack run on one
worker, so each is applied once per run rather than once per worker.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support import variants
from tests.support.scaling import SCALING_VARIANT
from tests.support.xdist_groups import name_the_groups

if TYPE_CHECKING:
    from tests.support.stacks import Applied, AppliedStacks, Deploy, ShippedStacks

# tests/support/stacks.py (moto, Pulumi, boto3: a second to import) is imported by the fixtures
# that use it: the xdist controller loads this file too, runs no test, and starts the workers after.


@pytest.fixture(scope="session")
def applied_stacks() -> Iterator[AppliedStacks]:
    """Every stack file the session applies, each once, with its account's snapshot."""
    from tests.support.stacks import AppliedStacks

    with AppliedStacks() as stacks:
        yield stacks


@pytest.fixture(scope="session")
def shipped(applied_stacks: AppliedStacks) -> ShippedStacks:
    """shipped("prod"): a shipped stack, applied on first use and shared read-only by the session."""
    from tests.support.stacks import ShippedStacks

    return ShippedStacks(applied_stacks)


@pytest.fixture(scope="session")
def dev(shipped: ShippedStacks) -> Applied:
    return shipped("dev")


@pytest.fixture(scope="session")
def staging(shipped: ShippedStacks) -> Applied:
    return shipped("staging")


@pytest.fixture(scope="session")
def prod(shipped: ShippedStacks) -> Applied:
    return shipped("prod")


@pytest.fixture(scope="session")
def local(shipped: ShippedStacks) -> Applied:
    return shipped("local")


@pytest.fixture(scope="session")
def scaling_variant(applied_stacks: AppliedStacks, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    """dev with every scaling option the shipped stacks leave out (tests/support/scaling.py),
    applied once per session and shared read-only."""
    return _shared_variant(applied_stacks, tmp_path_factory.mktemp("scaling-variant"), "dev", SCALING_VARIANT)


# --- variants several modules read (tests/support/variants.py), each applied once per session ---


def _shared_variant(applied_stacks: AppliedStacks, directory: Path, base: str, changes: dict) -> Applied:
    from tests.support.stacks import write_variant

    return applied_stacks.shared(write_variant(directory, base, "variant", changes))


@pytest.fixture(scope="session")
def dev_behind_an_nlb(applied_stacks: AppliedStacks, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    return _shared_variant(applied_stacks, tmp_path_factory.mktemp("variant"), "dev", variants.DEV_BEHIND_AN_NLB)


@pytest.fixture(scope="session")
def prod_behind_an_nlb_in_one_zone(applied_stacks: AppliedStacks, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    changes = variants.PROD_BEHIND_AN_NLB_IN_ONE_ZONE
    return _shared_variant(applied_stacks, tmp_path_factory.mktemp("variant"), "prod", changes)


@pytest.fixture(scope="session")
def dev_in_an_existing_vpc(applied_stacks: AppliedStacks, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    return _shared_variant(applied_stacks, tmp_path_factory.mktemp("variant"), "dev", variants.DEV_IN_AN_EXISTING_VPC)


@pytest.fixture(scope="session")
def private_dev(applied_stacks: AppliedStacks, tmp_path_factory: pytest.TempPathFactory) -> Applied:
    return _shared_variant(applied_stacks, tmp_path_factory.mktemp("variant"), "dev", variants.PRIVATE_DEV)


# --- the preview command in-process, on the session's applies ---


@pytest.fixture
def previews_read_the_session(applied_stacks: AppliedStacks, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tools.preview.main` in this test answers with the session's apply of the stack file it is
    given (applying it on first use), not an apply of its own: the same program run, once; with
    `--changes-from`, the change is applied over the session's apply of the old file."""
    from tools import emulated_stack, preview

    # where the preview finds apply_stack: in tools.emulated_stack as it runs, or imported at its top
    monkeypatch.setattr(emulated_stack, "apply_stack", applied_stacks.apply_stack)
    monkeypatch.setattr(emulated_stack, "apply_change", applied_stacks.apply_change)
    if hasattr(preview, "apply_stack"):
        monkeypatch.setattr(preview, "apply_stack", applied_stacks.apply_stack)


@pytest.fixture
def deploy(applied_stacks: AppliedStacks, tmp_path: Path) -> Iterator[Deploy]:
    """deploy("dev") or deploy("dev", {"elixir-cluster:nodes": {...}}): a stack this test may change.
    The session applies each stack file once; the test gets its account writable, and the account
    is put back as applied when the test ends."""
    from tests.support.stacks import Deployments

    with Deployments(tmp_path, applied_stacks) as deployments:
        yield deployments


SHIPPED = ("dev", "staging", "prod", "local")
VARIANTS = ("dev_behind_an_nlb", "prod_behind_an_nlb_in_one_zone", "dev_in_an_existing_vpc", "private_dev")
"""The fixtures of tests/support/variants.py's variants, above."""
SHARED = (*SHIPPED, "scaling_variant", *VARIANTS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Send the readers of one shared stack to one xdist worker (`--dist loadgroup`)."""
    for item in items:
        params = getattr(item, "callspec", None)
        wanted = {name for name in SHARED if name in item.fixturenames}
        if params is not None and params.params.get("stack") in SHIPPED and "shipped" in item.fixturenames:
            wanted.add(params.params["stack"])
        if len(wanted) == 1:
            item.add_marker(pytest.mark.xdist_group(wanted.pop()))
    name_the_groups(config, items)  # these and the groups test modules declare


GC_THRESHOLDS = (100_000, 50, 100)
"""The labs' collector: allocations between young-generation collections, and collections between
older ones (Python's default is 2,000, 10, 10). At the default, the passes over the older generations
were a fifth of the offline suite's CPU, when it collected."""
LAB_MARKERS = ("conformance", "node_lab", "autoscale_lab", "walkthrough")
MEMORY_BUDGET_BYTES = 2 * 1024**3
"""A test process's resident memory past which it collects cyclic garbage after a test: the offline
suite peaks at about 1.4 GB a worker collecting none."""
FILES_BUDGET = 256
"""Open files past which a test process collects cyclic garbage after a test: a socket or file caught
in a reference cycle closes only when collected. A worker holds about 40 (macOS allows 256 by
default): it held 800 before the emulator closed the event loops of its runs' threads (program.py)."""
_collect_above = (MEMORY_BUDGET_BYTES, FILES_BUDGET)


def pytest_configure(config: pytest.Config) -> None:
    """No collection of cyclic garbage while importing and collecting: what that makes (pulumi_aws's
    types, moto, the tests) lives until the end, and is frozen once collected (below)."""
    gc.disable()


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported lives until the end: out of the collector's sight from here on.

    The offline suite then collects no cyclic garbage on its own, only past its budgets
    (`pytest_runtest_teardown`): nearly everything a worker makes lives on (applied stacks, their
    snapshots, clients), so each young-generation pass walked about 100,000 live objects to free
    little, some 90 ms each, 48 passes a worker: about 4.5 s of CPU a worker, timed by gc.callbacks
    on 2 idle cores. A worker's peak memory rises from 1.0 to 1.4 GB.
    The labs collect, less often than Python's default (GC_THRESHOLDS): one test session lasts
    minutes and times real processes."""
    gc.collect()
    gc.freeze()
    if any(item.get_closest_marker(marker) for item in session.items for marker in LAB_MARKERS):
        gc.set_threshold(*GC_THRESHOLDS)
        gc.enable()


def _resources() -> tuple[int, int] | None:
    """This process's resident memory and open files (from Linux's /proc; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        return resident, len(os.listdir("/proc/self/fd"))
    except (OSError, ValueError, IndexError):
        return None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown() -> None:
    """Cyclic garbage collected once the process holds more than its budgets; the next collection
    waits until it grows by a quarter of the memory budget, or half the files budget, more (freed
    memory is not always handed back)."""
    global _collect_above
    if gc.isenabled() or (used := _resources()) is None:
        return
    if any(now > limit for now, limit in zip(used, _collect_above, strict=True)):
        gc.collect()
        after = _resources() or used
        _collect_above = (
            max(MEMORY_BUDGET_BYTES, after[0] + MEMORY_BUDGET_BYTES // 4),
            max(FILES_BUDGET, after[1] + FILES_BUDGET // 2),
        )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish() -> None:
    """Freeze what the session left, uncollected.

    A worker's last step, pytest's own full GC at unconfigure, walks every object the session
    left (pulumi_aws, moto: about a million); on a loaded machine that outlasts the 5 s execnet
    gives a worker after the controller's shutdown, and execnet then sends the worker SIGINT,
    which surfaced as a KeyboardInterrupt traceback in a GC callback. Frozen objects are never
    walked again, so that collection finds only what was made after. (Collecting here first, as
    this hook once did, took two seconds at the end of every worker: the process is about to
    exit, and its memory goes with it.)
    """
    gc.freeze()


# --- a small stack and traces: the tuner's tests and the tune command's (tests/tools/test_tune.py) ---

SMALL_STACK = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes: {minSize: 1, maxSize: 4, healthCheckGracePeriod: 60}
  elixir-cluster:scaling:
    targetTracking: [{metric: cpu, target: 60, warmup: 0}]
"""
"""dev, 1..4 nodes booting in a minute, one CPU policy at 60% without warmup."""


@pytest.fixture
def small_stack(tmp_path) -> Path:
    path = tmp_path / "Pulumi.small.yaml"
    path.write_text(SMALL_STACK)
    return path


@pytest.fixture
def write_trace(tmp_path) -> Callable[..., Path]:
    """`write_trace([25, 25, ...], name="load.csv")`: a trace of that demand, one row per minute."""

    def write(demand: list[float], name: str = "load.csv") -> Path:
        path = tmp_path / name
        path.write_text("minute,requests_per_second\n" + "".join(f"{m},{d:g}\n" for m, d in enumerate(demand)))
        return path

    return write


# --- a moto server: tests/support/moto_server.py ---


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """This project's moto server (what `tools.preview --serve` starts) on a thread of this process,
    started on first use and shared by the session's tests: each takes an account of its own in it
    (`server_account`, or an emulator's `account_id`)."""
    from tools.conformance.auto_scaling import record
    from tools.emulator import server

    # moto builds its moto-api routes once, at the first /moto-api/ request: the refresh record's
    # route (what the node lab's server adds at its start) must be there before any test's request.
    record.install()
    moto, url = server.start()
    yield url
    moto.stop()
