"""tools/emulator/core/diff.py: what changed between two sets of wire inputs, path by path."""

from __future__ import annotations

from tools.emulator.core.diff import changed, differs_at, top_level, value_at


def test_changes_are_leaf_paths_to_old_and_new():
    old = {"launchTemplate": {"id": "lt-1", "version": "1"}, "tags": [{"key": "a", "value": "1"}], "minSize": 3.0}
    new = {"launchTemplate": {"id": "lt-1", "version": "2"}, "tags": [{"key": "a", "value": "2"}], "minSize": 3.0}
    assert changed(old, new) == {"launchTemplate.version": ("1", "2"), "tags[0].value": ("1", "2")}
    assert top_level(changed(old, new)) == {"launchTemplate", "tags"}


def test_a_list_that_changes_length_is_one_change():
    assert changed({"subnets": ["a", "b"]}, {"subnets": ["a", "b", "c"]}) == {"subnets": (["a", "b"], ["a", "b", "c"])}


def test_absent_empty_and_none_are_no_change():
    assert changed({"tags": {}, "egress": []}, {"description": None}) == {}


def test_added_and_removed_properties_are_changes():
    assert changed({"a": 1}, {"b": 2}) == {"a": (1, None), "b": (None, 2)}


def test_a_path_looks_through_lists():
    service = {"dnsConfig": {"namespaceId": "ns-1", "dnsRecords": [{"type": "A", "ttl": 10}, {"type": "A", "ttl": 30}]}}
    assert value_at(service, "dnsConfig.dnsRecords.ttl") == [10, 30]
    assert value_at(service, "dnsConfig.missing.deeper") is None
    moved = {"dnsConfig": {**service["dnsConfig"], "namespaceId": "ns-2"}}
    assert differs_at(service, moved, "dnsConfig.namespaceId")
    assert not differs_at(service, moved, "dnsConfig.dnsRecords")
