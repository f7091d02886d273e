"""Run a Pulumi program against moto and keep what it created.

    with Emulator(region="eu-west-1") as emulator:          # a fresh account in in-process moto
        deployment = emulator.run(Path("."), config)          # a StackConfig; a fresh mock runtime
        deployment.outputs["vpcId"]                            # moto's real VPC id
        changes = emulator.update(Path("."), edited, deployment)   # the edited config over it
        changes.steps                                          # what was created, updated, replaced, deleted

In-process moto starts once per process and is never reset: each Emulator is an account of
its own in it (a fresh 12-digit id unless `account_id=` names one), and every call its
session makes carries that account (moto's `x-moto-account-id` header). So emulators never
see each other's resources, and one can stay up while others come and go. With `endpoint=`
the same program is applied into a running moto server instead (its default account unless
`account_id=` is given), and the state stays there for the aws CLI. Each run happens on its own thread: Pulumi keeps
its runtime state in context variables and an event loop per thread, so a new thread is
a new runtime and runs cannot leak into each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import os
import random
import runpy
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from pulumi import Output
from pulumi.runtime import mocks, set_all_config
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tools.stack_files import StackConfig

from . import account_state
from .account_state import AccountState, forget, moto_lock
from .mocks import AwsMocks, RecordingMonitor, ResourceRecord
from .registry import EmulatorError
from .session import AwsSession, reachable
from .update import ChangeEngine, ChangeFailed, Step
from .wire import SECRET_MASK, whole_numbers

# Fake credentials for a moto server; in-process moto sets its own.
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# AWS's managed policies exist in every account; moto loads them only when asked.
MOTO_CONFIG = {"iam": {"load_aws_managed_policies": True}}


@dataclass
class Deployment:
    """Everything one run registered, in registration order, and the stack outputs."""

    stack: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    secret_outputs: set[str] = field(default_factory=set)

    def of_type(self, type_token: str) -> list[ResourceRecord]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> ResourceRecord:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def to_json(self) -> dict[str, Any]:
        """The `--format json` document: secrets masked, whole numbers as integers."""
        return {
            "stack": self.stack,
            "resources": [r.to_json() for r in self.resources],
            "outputs": {
                k: (SECRET_MASK if k in self.secret_outputs else whole_numbers(v)) for k, v in self.outputs.items()
            },
        }


@dataclass
class Changes:
    """An update: what the new run registered, and what it did to each resource, in order (the
    deletes last). Unchanged resources are `same` steps."""

    deployment: Deployment
    steps: list[Step]


class ProgramFailed(EmulatorError):
    """The program raised; `cause` is its own exception (e.g. a settings error)."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


class Emulator:
    """An emulated AWS account: in in-process moto, or in a moto server at `endpoint`."""

    def __init__(
        self,
        region: str,
        endpoint: str | None = None,
        stack: str = "stack",
        account_id: str | None = None,
        *,
        repeatable: bool = False,
    ):
        """`repeatable`: in-process, the stack's own account (`stack_account_id`) instead of a fresh one,
        so that two runs of an unchanged program print the same account, ids and ARNs (a preview)."""
        self._own_account = endpoint is None and account_id is None  # made for it, dropped after it
        if self._own_account:
            account_id = stack_account_id(stack) if repeatable else fresh_account_id()
        self.session = AwsSession(region=region, endpoint=endpoint, stack=stack, account_id=account_id)
        self._repeatable = repeatable and self._own_account
        self._saved_env: dict[str, str | None] = {}

    @property
    def account_id(self) -> str:
        return self.session.account_id

    def __enter__(self) -> Emulator:
        if self.session.endpoint is None:
            _start_in_process_moto()
            if self._repeatable:
                self.session.start_backends()
        else:
            reachable(self.session.endpoint)
            for key, value in MOTO_CREDENTIALS.items():
                self._saved_env[key] = os.environ.get(key)
                os.environ.setdefault(key, value)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own_account:  # in-process moto stays up; what this account held is dropped
            forget(self.session.account_id)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)

    def snapshot(self) -> AccountState:
        """A copy of what this account holds now, to `restore` later (in-process moto only)."""
        self._refuse_a_server("snapshot")
        return account_state.snapshot(self.account_id)

    def restore(self, state: AccountState) -> None:
        """Make this account hold what it held at `snapshot` again."""
        self._refuse_a_server("restore")
        if state.account_id != self.account_id:
            raise EmulatorError(f"a snapshot of account {state.account_id} cannot restore account {self.account_id}")
        account_state.restore(state)

    def _refuse_a_server(self, what: str) -> None:
        if self.session.endpoint is not None:
            raise EmulatorError(f"cannot {what} an account in the moto server at {self.session.endpoint}")

    def run(self, program_dir: Path, config: StackConfig) -> Deployment:
        """Run `program_dir/__main__.py` with `config`; raise EmulatorError naming what failed."""
        return self._in_a_fresh_runtime(Path(program_dir), config, engine=None).deployment

    def update(self, program_dir: Path, config: StackConfig, previous: Deployment) -> Changes:
        """Run the program with `config` over `previous` (a run in this account), as `pulumi up` over
        the stack's last state (core/update.py). Raise ChangeFailed, with the steps done, when one fails."""
        engine = ChangeEngine([record.previous() for record in previous.resources])
        try:
            return self._in_a_fresh_runtime(Path(program_dir), config, engine=engine)
        except EmulatorError as failure:
            raise ChangeFailed(failure, list(engine.steps)) from None

    def _in_a_fresh_runtime(self, program_dir: Path, config: StackConfig, engine: ChangeEngine | None) -> Changes:
        self.session.stack = config.stack
        outcome: dict[str, Any] = {}
        worker = threading.Thread(
            target=self._run_in_fresh_runtime,
            args=(program_dir, config, engine, outcome),
            name=f"pulumi-{config.stack}",
        )
        worker.start()
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        deployment = outcome["deployment"]
        return Changes(deployment, _in_the_order_of(deployment, engine.steps) if engine else [])

    def _run_in_fresh_runtime(
        self, program_dir: Path, config: StackConfig, engine: ChangeEngine | None, outcome: dict
    ) -> None:
        aws_mocks = AwsMocks(self.session)
        if engine is not None:
            engine.use(aws_mocks.handlers())
        monitor = RecordingMonitor(aws_mocks, engine)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        worker_loops = _LoopsOfWorkers()
        loop.set_default_executor(ThreadPoolExecutor(initializer=worker_loops.add, thread_name_prefix="pulumi-rpc"))
        try:
            # Pulumi keeps pending outputs process-wide; a failed earlier run may have left some
            SETTINGS.outputs.clear()
            mocks.set_mocks(aws_mocks, project=config.project, stack=config.stack, preview=False, monitor=monitor)
            set_all_config(dict(config.config), list(config.secret_keys))
            main = program_dir / "__main__.py"
            sys.path.insert(0, str(program_dir))
            try:
                _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
            finally:
                sys.path.remove(str(program_dir))
            outputs, secret = _stack_outputs()
            if engine is not None:
                engine.finish()  # what the program no longer declares goes, dependents first
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = _explain(exc, aws_mocks)
            return
        finally:
            # The mock runtime registers resources on the loop's worker threads. After a failure,
            # the registrations already under way still create, replace or delete in the account:
            # they finish before the run returns, so that nothing the caller does next (restoring
            # the account, another run) meets them half-way. (loop.close alone does not wait.)
            loop.run_until_complete(loop.shutdown_default_executor())
            worker_loops.close()
            loop.close()
        outcome["deployment"] = Deployment(config.stack, in_dependency_order(monitor.records), outputs, secret)


class _LoopsOfWorkers:
    """An event loop for each worker thread of a run's executor, closed with the run.

    The mock runtime awaits on those threads too, and Pulumi's `_ensure_event_loop` makes a loop for
    a thread that has none and never closes it: each left a self-pipe (two sockets) and an epoll
    descriptor open until the garbage collector found the loop, one run after another (a test
    session held 200 such loops, 600 descriptors). Made here, each loop is closed once the threads
    are done (`close`)."""

    def __init__(self) -> None:
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()

    def add(self) -> None:
        """The executor's initializer: this thread's loop, for Pulumi to find."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._lock:
            self._loops.append(loop)

    def close(self) -> None:
        with self._lock:
            for loop in self._loops:
                loop.close()
            self._loops.clear()


def in_dependency_order(records: list[ResourceRecord]) -> list[ResourceRecord]:
    """`records` with each after its parent and what it depends on, ties in URN order.

    The mock runtime registers a resource once its inputs resolve, on whichever thread gets there
    first: the order it saw them in differs from run to run, this one does not (and still puts a
    resource after everything it depends on, as the change engine's deletes need)."""
    by_urn = {record.urn: record for record in records}
    waits_for = {
        record.urn: {urn for urn in (record.parent, *record.dependencies) if urn in by_urn and urn != record.urn}
        for record in records
    }
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for urn, needed in waits_for.items():
        for other in needed:
            dependents[other].append(urn)
    ready = [urn for urn, needed in waits_for.items() if not needed]
    heapq.heapify(ready)
    ordered: list[ResourceRecord] = []
    while ready:
        urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for dependent in dependents[urn]:
            waits_for[dependent].discard(urn)
            if not waits_for[dependent]:
                heapq.heappush(ready, dependent)
    placed = {record.urn for record in ordered}
    return ordered + [record for record in records if record.urn not in placed]  # a cycle: as registered


def _in_the_order_of(deployment: Deployment, steps: list[Step]) -> list[Step]:
    """An update's steps in the order of the resources the run registered (dependency order), the
    deletes after them as they happened (dependents first)."""
    position = {record.urn: index for index, record in enumerate(deployment.resources)}
    kept = sorted((step for step in steps if step.urn in position), key=lambda step: position[step.urn])
    return kept + [step for step in steps if step.urn not in position]


_moto_started = False
_issued_accounts: set[str] = {DEFAULT_ACCOUNT_ID}


def _start_in_process_moto() -> None:
    """Start in-process moto once per process; it is never stopped, so it is never reset."""
    global _moto_started
    with moto_lock:
        if not _moto_started:
            mock_aws(config=MOTO_CONFIG).start()
            _moto_started = True


def fresh_account_id() -> str:
    """A 12-digit account id no other emulator in this process has (nor moto's default)."""
    with moto_lock:
        while True:
            account = str(random.SystemRandom().randrange(10**11, 10**12))
            if account not in _issued_accounts:
                _issued_accounts.add(account)
                return account


def stack_account_id(stack: str) -> str:
    """A 12-digit account id of the stack's own, the same in every process (fresh_account_id never
    gives it out)."""
    digest = int(hashlib.sha256(f"elixir-cluster emulated account/{stack}".encode()).hexdigest(), 16)
    account = str(10**11 + digest % (9 * 10**11))
    with moto_lock:
        _issued_accounts.add(account)
    return account


def _stack_outputs() -> tuple[dict[str, Any], set[str]]:
    root = get_root_resource()
    values, secret = {}, set()
    for name, value in (root.outputs if root else {}).items():
        output = Output.from_input(value)
        values[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secret.add(name)
    return values, secret


def _explain(exc: BaseException, aws_mocks: AwsMocks) -> BaseException:
    """Prefer the emulator's own account of a failure (it names the resource)."""
    if aws_mocks.failures:
        return aws_mocks.failures[0]
    if isinstance(exc, EmulatorError):
        return exc
    return ProgramFailed(exc)
