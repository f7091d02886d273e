"""Applying an edited program over an applied one, as Pulumi's engine does, from the old run's
records (URN, type, inputs, id, outputs):

- a registration whose URN (or one of its aliases) the old run has, with the same inputs: nothing
  happens, no AWS call; the resource keeps its id and outputs (`same`);
- changed inputs: an update in place through the type's update handler (`update`), or, when a
  changed property forces it in the provider's schema (services/force_new.py, or the program's
  `replaceOnChanges`), a replacement (`replace`): the new resource is created first and the old one
  deleted at the end, unless the program asks `deleteBeforeReplace` or gives an auto-named
  property explicitly (then the name cannot exist twice, and the old one goes first; the bridge's
  nameRequiresDeleteBeforeReplace, pulumi-terraform-bridge pkg/tfbridge/schema.go);
- a URN the old run has and this one does not: deleted (`delete`), with the old copies of replaced
  resources, in reverse registration order (a resource registers after everything it depends on);
- a URN the old run lacks: created (`create`).

Properties the program lists in `ignoreChanges` keep their old value. An update whose changed
properties its type's handler does not handle is an error naming them, never a silent no-op.

Not modelled: the engine's dependent replacements before a delete-before-replace (it deletes the
dependents that would be replaced too before the resource they reference; here a delete AWS
refuses because of such a dependent fails the update).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .aliases import ROOT_STACK_TYPE
from .diff import changed, differs_at, top_level
from .registry import EmulatorError, Existing, ForceNew, Request, force_new_facts, update_handler
from .wire import SECRET_MASK, as_secret

CREATE, UPDATE, REPLACE, DELETE, SAME = "create", "update", "replace", "delete", "same"
PROVIDER_PREFIX = "pulumi:providers:"


@dataclass
class Previous:
    """What the old run registered, as the engine reads it: one record per URN, in order."""

    urn: str
    type: str
    name: str
    id: str | None
    custom: bool
    inputs: dict[str, Any]
    """Secrets unwrapped: what the diff compares."""
    masked_inputs: dict[str, Any]
    outputs: dict[str, Any]
    secret_outputs: frozenset[str]

    def existing(self) -> Existing:
        return Existing(self.type, self.name, self.id or "", dict(self.inputs), dict(self.outputs))

    def state(self) -> dict[str, Any]:
        """The outputs as a provider returns them: the secret ones wrapped again."""
        return {k: (as_secret(v) if k in self.secret_outputs else v) for k, v in self.outputs.items()}


@dataclass
class Step:
    """One thing an update did to one resource."""

    action: str
    urn: str
    type: str
    name: str
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    """Property path -> (old, new), secrets masked."""
    replace_because: list[str] = field(default_factory=list)
    """The changed properties that force the replacement."""
    delete_first: bool = False
    """A replacement that deleted the old resource before creating the new one."""
    old_id: str | None = None
    new_id: str | None = None
    error: str | None = None
    """Why the step failed (AWS's refusal, naming the resource); the update stopped there."""

    @property
    def custom(self) -> bool:
        return self.type.startswith(("aws:", "random:"))


class ChangeFailed(EmulatorError):
    """A step failed: `cause` names the resource; `steps` are those done before and including it."""

    def __init__(self, cause: BaseException, steps: list[Step]):
        super().__init__(str(cause))
        self.cause = cause
        self.steps = steps


Create = Callable[[Request], tuple[str, dict[str, Any]]]
Update = Callable[[Request, Existing], tuple[str, dict[str, Any]]]
Delete = Callable[[Existing], None]


@dataclass
class Handlers:
    """How the engine reaches AWS: the mocks' handler calls (one at a time, failures named)."""

    create: Create
    update: Update
    delete: Delete


class ChangeEngine:
    """Decides, registration by registration, what an update does, and does it."""

    def __init__(self, previous: Sequence[Previous]):
        self._previous = {_as_the_engine_has_it(record.urn): record for record in previous}
        self._order = list(self._previous)
        self._handlers: Handlers | None = None
        self._matched: set[str] = set()
        self._replaced: dict[str, Step] = {}
        """Replacements whose old copy is deleted at the end (create-before-delete), by old URN."""
        self._lock = threading.Lock()
        self.steps: list[Step] = []

    def use(self, handlers: Handlers) -> None:
        """AWS as the run's mocks reach it (their failures then explain the run)."""
        self._handlers = handlers

    # --- during the program -----------------------------------------------------------------

    def register(
        self, request: Any, urn: str, aliases: list[str], inputs: dict[str, Any], masked: dict[str, Any]
    ) -> tuple[str | None, dict[str, Any]]:
        """The id and state the registration gets. `inputs` unwrapped, `masked` as printed."""
        old = self._match(urn, aliases)
        if not request.custom or request.type.startswith(PROVIDER_PREFIX):  # nothing in AWS
            if old is None:
                self._note(Step(CREATE, urn, request.type, request.name))
            return (f"{request.name}-provider" if request.custom else None), inputs
        new = Request(request.type, request.name, _ignoring(inputs, old, request.ignoreChanges))
        if old is None:
            step = Step(CREATE, urn, new.type, new.name)
            step.new_id, state = self._doing(step, lambda: self._handlers.create(new))
            return step.new_id, state
        return self._change(request, urn, old, new, masked)

    def _change(
        self, request: Any, urn: str, old: Previous, new: Request, masked: dict[str, Any]
    ) -> tuple[str | None, dict[str, Any]]:
        facts = force_new_facts(new.type)
        new.inputs = unordered(old.inputs, new.inputs, facts.sets)
        paths = changed(old.inputs, new.inputs)
        if not paths:
            self._note(Step(SAME, urn, new.type, new.name, old_id=old.id, new_id=old.id))
            return old.id, old.state()
        shown = {path: (_masked_at(old.masked_inputs, path), _masked_at(masked, path)) for path in paths}
        because = replacing_properties(facts, old.inputs, new.inputs, request.replaceOnChanges)
        if not because:
            step = Step(UPDATE, urn, new.type, new.name, shown, old_id=old.id)
            step.new_id, state = self._doing(step, lambda: self._update(new, old, paths))
            return step.new_id, state
        first = delete_before_replace(facts, new.inputs, bool(request.deleteBeforeReplace))
        step = Step(REPLACE, urn, new.type, new.name, shown, because, first, old_id=old.id)
        new.replacing = old.id
        step.new_id, state = self._doing(step, lambda: self._replace(step, old, new))
        return step.new_id, state

    def _update(self, new: Request, old: Previous, paths: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        updater = update_handler(new.type)
        unhandled = sorted(top_level(paths) - updater.handles)
        if updater.handles and unhandled:
            raise EmulatorError(
                f"{new.type} '{new.name}': the emulator cannot update {', '.join(unhandled)} in place; "
                "teach the type's update handler in tools/emulator/services/ (the provider updates it)"
            )
        return self._handlers.update(new, old.existing())

    def _replace(self, step: Step, old: Previous, new: Request) -> tuple[str, dict[str, Any]]:
        if step.delete_first:
            self._handlers.delete(old.existing())
        else:
            self._replaced[_as_the_engine_has_it(old.urn)] = step
        return self._handlers.create(new)

    def _match(self, urn: str, aliases: list[str]) -> Previous | None:
        with self._lock:
            for candidate in map(_as_the_engine_has_it, (urn, *aliases)):
                if candidate in self._previous and candidate not in self._matched:
                    self._matched.add(candidate)
                    return self._previous[candidate]
        return None

    def _doing(self, step: Step, work: Callable[[], Any]) -> Any:
        """The step's AWS work; the step is kept either way, with the error when the work fails."""
        try:
            return work()
        except EmulatorError as failure:
            step.error = str(failure)
            raise
        finally:
            self._note(step)

    def _note(self, step: Step) -> None:
        with self._lock:
            self.steps.append(step)

    # --- after the program ----------------------------------------------------------------------

    def finish(self) -> None:
        """Delete what the program no longer declares, and the old copies of what it replaced, in
        reverse registration order (dependents before what they depend on)."""
        for urn in reversed(self._order):
            old = self._previous[urn]
            if urn in self._replaced:
                self._delete_replaced(self._replaced[urn], old)
            elif urn not in self._matched:
                step = Step(DELETE, urn, old.type, old.name, old_id=old.id)
                in_aws = old.custom and not old.type.startswith(PROVIDER_PREFIX)
                self._doing(step, lambda old=old, in_aws=in_aws: in_aws and self._handlers.delete(old.existing()))

    def _delete_replaced(self, step: Step, old: Previous) -> None:
        try:
            self._handlers.delete(old.existing())
        except EmulatorError as failure:
            step.error = f"deleting the resource it replaces: {failure}"
            raise


def replacing_properties(
    facts: ForceNew, old: dict[str, Any], new: dict[str, Any], replace_on_changes: Sequence[str] = ()
) -> list[str]:
    """The properties whose change makes the provider (or the program) replace the resource."""
    because = [path for path in facts.properties if differs_at(old, new, path)]
    because += [rule.property for rule in facts.rules if rule.forces(old, new) and rule.property not in because]
    for path in replace_on_changes:
        if path == "*" and changed(old, new):
            return sorted(top_level(changed(old, new)))
        if path != "*" and differs_at(old, new, path) and path not in because:
            because.append(path)
    return because


def delete_before_replace(facts: ForceNew, inputs: dict[str, Any], asked: bool) -> bool:
    """Whether a replacement deletes first: asked by the program, or an auto-named name given."""
    return asked or (facts.autonamed is not None and inputs.get(facts.autonamed) is not None)


def unordered(old: dict[str, Any], new: dict[str, Any], sets: Sequence[str]) -> dict[str, Any]:
    """The new inputs, a set-valued property in its old order when it holds the same elements (the
    provider compares sets unordered; a set that changed is compared as it is)."""
    inputs = dict(new)
    for name in sets:
        before, after = old.get(name), new.get(name)
        if isinstance(before, list) and isinstance(after, list) and _canonical(before) == _canonical(after):
            inputs[name] = before
    return inputs


def _canonical(items: list[Any]) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True, default=str) for item in items)


def _ignoring(inputs: dict[str, Any], old: Previous | None, ignored: Sequence[str]) -> dict[str, Any]:
    """The inputs with the ignored properties at their old values (absent when the old had none)."""
    if old is None or not ignored:
        return inputs
    kept = dict(inputs)
    for name in ignored:
        if name in old.inputs:
            kept[name] = old.inputs[name]
        else:
            kept.pop(name, None)
    return kept


def _as_the_engine_has_it(urn: str) -> str:
    """The mock runtime puts the stack's type before a top-level resource's type; the engine (and an
    alias, aliases.py) does not."""
    return urn.replace(f"::{ROOT_STACK_TYPE}$", "::", 1)


def _masked_at(value: Any, path: str) -> Any:
    """The value at a path of `changed` (`a.b[0].c`) in masked inputs; a secret on the way is masked."""
    for part in path.replace("[", ".[").split("."):
        if value == SECRET_MASK:
            return SECRET_MASK
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value
