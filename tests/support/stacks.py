"""Applied stacks: a stack applied in the emulator, in an emulated account of its own.

In-process moto runs once per process and holds many accounts; each `emulated()` apply gets a
fresh one. Applying is the suite's main cost (a second or more a stack), copying an account's
state is not (a tenth of a second: tools/emulator/core/account_state.py). So `AppliedStacks`
applies each distinct stack file (the shipped ones, each variant a test writes) at most once
per session (per xdist worker) and keeps a snapshot of its account:

- tests that only look share it read-only (`ShippedStacks`, the `dev`/`prod`/... fixtures):
  their clients refuse anything but reads;
- a test that changes state gets the same account writable (`Deployments`, the `deploy`
  fixture), and the account is put back to its snapshot when the test ends, so the next test
  finds it as applied;
- an edited stack file applied over one (`AppliedStacks.apply_change`, what `--changes-from`
  does) is applied over the session's apply of the old file, once per pair of files, and the
  old file's account put back after;
- a test that goes on from such a change (`AppliedStacks.changed`: a refresh performed after it)
  finds the account as the change left it: applied once per pair, its state snapshotted and put
  back for the next test that asks (a restore is a fraction of an update's cost).

`Deployments` without an `AppliedStacks` applies afresh, in an account of its own, for state a
fixture keeps changing beyond one test.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from components.settings import StackSettings
from tools.emulated_stack import AppliedChange, apply_change, apply_stack, change, emulated
from tools.emulator import ACCOUNT_HEADER, Deployment, Emulator
from tools.emulator.core.account_state import AccountState
from tools.stack_files import StackFile, dump_yaml, load_yaml, stack_file, stack_name

READ_ONLY_OPERATIONS = ("Describe", "Get", "List")
"""What a test may call on a shared stack: AWS's read operations, by their name's first word."""


class SharedStackIsReadOnly(AssertionError):
    """A test tried to change a stack other tests read: it must apply its own (`deploy`)."""


@dataclass
class Applied:
    """A stack applied in the emulator: what was registered, the settings, and its account in moto."""

    emulator: Emulator
    deployment: Deployment
    settings: StackSettings
    shared: bool = False
    """Shared by the session's read-only tests: its clients refuse anything but reads."""
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def account_id(self) -> str:
        return self.emulator.account_id

    @property
    def outputs(self) -> dict[str, Any]:
        return self.deployment.outputs

    def client(self, service: str) -> Any:
        """boto3 on this stack's account (and only it); read calls only on a shared stack."""
        if service not in self._clients:
            client = boto3.session.Session(region_name=self.settings.region).client(service)
            client.meta.events.register("before-sign", self._name_the_account)
            if self.shared:
                client.meta.events.register("before-call", _refuse_changes)
            self._clients[service] = client
        return self._clients[service]

    def _name_the_account(self, request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = self.account_id

    @contextmanager
    def as_the_callers_account(self) -> Iterator[None]:
        """Inside, every boto3 client of the process lands in this account, as it would for code
        run with this account's credentials (e.g. `tools.verify`, which builds its own clients)."""
        saved = os.environ.get("MOTO_ACCOUNT_ID")
        os.environ["MOTO_ACCOUNT_ID"] = self.account_id  # moto's first choice of account
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("MOTO_ACCOUNT_ID", None)
            else:
                os.environ["MOTO_ACCOUNT_ID"] = saved


def _refuse_changes(model: Any, **_: Any) -> None:
    if not model.name.startswith(READ_ONLY_OPERATIONS):
        raise SharedStackIsReadOnly(
            f"{model.name} on a stack the session shares: use the `deploy` fixture for a stack of your own"
        )


@dataclass(eq=False)
class _Applied:
    """One stack file, applied once: its account, what the run registered, and the account's snapshot."""

    emulator: Emulator
    deployment: Deployment
    settings: StackSettings
    state: AccountState
    shared: Applied | None = None


class AppliedStacks:
    """Each distinct stack file applied at most once, on first use, with a snapshot of its account.

    A file is known by its stack name (from its file name) and its text: two tests that write the
    same variant share one apply."""

    def __init__(self) -> None:
        self._applied: dict[tuple[str, str], _Applied] = {}
        self._changes: dict[tuple[str, str, str], AppliedChange] = {}
        self._changed: dict[tuple[_Applied, str, str], tuple[AppliedChange, AccountState]] = {}
        self._contexts = ExitStack()

    def __enter__(self) -> AppliedStacks:
        return self

    def __exit__(self, *exc: object) -> None:
        self._contexts.close()

    def applied(self, stack: Path | StackFile) -> _Applied:
        """The stack file at a path (its stack from its name), or a stack file read already."""
        read = stack if isinstance(stack, StackFile) else None
        path = read.path if read else Path(stack)
        key = (read.stack if read else stack_name(path), path.read_text())
        if key not in self._applied:
            emulator, deployment, settings = self._contexts.enter_context(emulated(read or path))
            self._applied[key] = _Applied(emulator, deployment, settings, emulator.snapshot())
        return self._applied[key]

    def apply_change(self, old: StackFile, new: StackFile, endpoint: str | None = None) -> AppliedChange:
        """`tools.emulated_stack.apply_change`, over this session's apply of `old`, once per pair of
        files (the old file's account is put back after, as applied)."""
        if endpoint is not None:
            return apply_change(old, new, endpoint)
        key = (old.stack, old.path.read_text(), new.path.read_text())
        if key not in self._changes:
            applied = self.applied(old)
            try:
                self._changes[key] = change(applied.emulator, applied.deployment, new)
            finally:
                applied.emulator.restore(applied.state)
        return self._changes[key]

    def changed(self, old: Path, new: StackFile) -> AppliedChange:
        """`tools.emulated_stack.change` of `new` over this session's apply of the file at `old`, left in
        the account for the test to go on from (its `deploy` puts the account back at the end).

        The account must hold the apply as `deploy` hands it over. The first time a pair is asked
        for the change is applied and the account's state after it snapshotted; after that the
        snapshot is restored: the same state, without running the program again."""
        applied = self.applied(old)
        key = (applied, new.stack, new.path.read_text())
        if key in self._changed:
            done, state = self._changed[key]
            applied.emulator.restore(state)
            return done
        done = change(applied.emulator, applied.deployment, new)
        self._changed[key] = (done, applied.emulator.snapshot())
        return done

    def apply_stack(self, stack: StackFile | Path, endpoint: str | None = None) -> Deployment:
        """`tools.emulated_stack.apply_stack`, answered with this session's apply of the same file (in
        in-process moto; a moto server at `endpoint` gets an apply of its own)."""
        if endpoint is not None:
            return apply_stack(stack, endpoint)
        return self.applied(stack.path if isinstance(stack, StackFile) else stack).deployment

    def shared(self, path: Path) -> Applied:
        """The stack at `path`, read-only (its clients refuse changes)."""
        applied = self.applied(path)
        if applied.shared is None:
            applied.shared = Applied(applied.emulator, applied.deployment, applied.settings, shared=True)
        return applied.shared


class ShippedStacks:
    """shipped("prod"): a shipped stack, applied on first use, read-only."""

    def __init__(self, stacks: AppliedStacks) -> None:
        self._stacks = stacks

    def __call__(self, name: str) -> Applied:
        return self._stacks.shared(stack_file(name))


class Deployments:
    """Stacks a test changes. With `stacks`, each is the session's one apply of that file, put back
    to its snapshot when the `with` block ends; without, each is applied afresh in an account of its
    own, discarded at the end."""

    def __init__(self, directory: Path, stacks: AppliedStacks | None = None) -> None:
        self._directory = directory
        self._stacks = stacks
        self._used: list[_Applied] = []
        self._contexts = ExitStack()

    def __enter__(self) -> Deployments:
        return self

    def __exit__(self, *exc: object) -> None:
        for applied in self._used:
            applied.emulator.restore(applied.state)
        self._contexts.close()

    def __call__(self, base: str, changes: dict[str, Any] | None = None, name: str = "variant") -> Applied:
        """The shipped stack `base`, with `changes` merged in (see `write_variant`)."""
        path = write_variant(self._directory, base, name, changes) if changes is not None else stack_file(base)
        return self.file(path)

    def file(self, path: Path) -> Applied:
        """The stack file at `path`."""
        if self._stacks is None:
            emulator, deployment, settings = self._contexts.enter_context(emulated(path))
            return Applied(emulator, deployment, settings)
        applied = self._stacks.applied(path)
        if applied not in self._used:
            self._used.append(applied)
        return Applied(applied.emulator, applied.deployment, applied.settings)


Deploy = Callable[..., Applied]


def write_variant(directory: Path, base: str, name: str, changes: dict[str, Any]) -> Path:
    """Pulumi.<name>.yaml: the shipped stack `base` with `changes` merged into its config.

    `changes` maps full config keys (``elixir-cluster:nodes``) to values that are merged
    into the base section (dicts recursively); a value of None removes the key.
    """
    document = load_yaml(stack_file(base).read_text())
    config = document["config"]
    for key, value in changes.items():
        config[key] = _merge(config.get(key), value)
        if config[key] is None:
            del config[key]
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(dump_yaml(document))
    return path


def _merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        merged = copy.deepcopy(base)
        for key, value in change.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _merge(merged.get(key), value)
        return merged
    return copy.deepcopy(change)
