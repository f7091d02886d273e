"""tools/emulator/core/registry.py, as the services fill it: every covered type can be created,
changed (or refuses to be, saying why), deleted and judged for replacement."""

from __future__ import annotations

import pytest

from tools.emulator import EmulatorError
from tools.emulator.core import registry
from tools.emulator.core.registry import Existing, Request


def test_every_type_has_an_update_or_a_refusal_a_delete_and_its_replacement_facts():
    types = set(registry.RESOURCES)
    assert len(types) == 41
    assert set(registry.UPDATES) == types
    assert set(registry.DELETES) == types
    assert set(registry.FORCE_NEW) == types


def test_a_type_that_only_changes_by_replacement_refuses_an_update_saying_why():
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    refusal = registry.update_handler(attachment)
    assert refusal.handles == frozenset()
    with pytest.raises(EmulatorError, match=r"'ssm': cannot be updated in place: its role and policy ARN both force"):
        refusal.handle(None, Request(attachment, "ssm", {}), Existing(attachment, "ssm", "x", {}, {}))


def test_an_unknown_type_has_no_update_and_says_where_to_add_one():
    with pytest.raises(registry.UnsupportedType, match="no update handler for resource type aws:x/y:Z"):
        registry.update_handler("aws:x/y:Z")
