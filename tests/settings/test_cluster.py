"""`cluster`: the cluster's name, its environment and the tags on everything."""

from __future__ import annotations

import pytest

from tests.support.sections import load, problems, refusals


@pytest.mark.parametrize(
    ("tags", "line"),
    [
        ({"aws:team": "x"}, "elixir-cluster:cluster.tags.aws:team: tag keys starting with 'aws:' are reserved for AWS"),
        ({"Environment": "x"}, "elixir-cluster:cluster.tags.Environment: the stack sets this tag itself"),
        (
            {"elixir-cluster:cluster": "x"},
            "elixir-cluster:cluster.tags.elixir-cluster:cluster: the stack sets this tag itself",
        ),
        ({"team/name": "x"}, "elixir-cluster:cluster.tags.team/name: instance metadata tags allow only letters"),
        ({"cost center": "x"}, "elixir-cluster:cluster.tags.cost center: instance metadata tags allow only letters"),
        ({"_index": "x"}, "elixir-cluster:cluster.tags._index: instance metadata tags allow only letters"),
        ({"team": "a" * 257}, "elixir-cluster:cluster.tags.team: a tag value has at most 256 characters"),
        ({"team": "pay;ments"}, "elixir-cluster:cluster.tags.team: tag values allow letters, digits, spaces"),
    ],
)
def test_tags_follow_aws_and_instance_metadata_rules(tags, line):
    (found,) = problems(cluster={"tags": tags})
    assert found.startswith(line)


def test_at_most_46_tags_beside_the_stacks_own():
    (line,) = problems(cluster={"tags": {f"tag{i}": "x" for i in range(47)}})
    assert line == "elixir-cluster:cluster.tags: must have at most 46 entries, got 47"
    assert len(load(cluster={"tags": {f"tag{i}": "x" for i in range(46)}}).cluster.tags) == 46


def test_a_tag_value_has_at_most_256_characters_and_a_key_128():
    assert load(cluster={"tags": {"k" * 128: "v" * 256}}).cluster.tags == {"k" * 128: "v" * 256}
    (line,) = refusals(cluster={"tags": {"k" * 129: "v"}})
    assert line.startswith(f"elixir-cluster:cluster.tags.{'k' * 129}: a tag key has 1..128 characters")


@pytest.mark.parametrize("name", ["s", "1shop", "shop-", "sh--op", "a-very-long-cluster-name"])
def test_cluster_names_fit_aws_names(name):
    (line,) = problems(cluster={"name": name})
    assert line.startswith("elixir-cluster:cluster.name: must")


def test_a_cluster_name_has_2_to_21_characters():
    assert load(cluster={"name": "ab"}).cluster.name == "ab"
    assert load(cluster={"name": "a" * 21}).cluster.name == "a" * 21
    assert refusals(cluster={"name": "a" * 22}) == [
        "elixir-cluster:cluster.name: must be 2-21 characters of a-z, 0-9 and '-', starting with a letter, "
        f'got "{"a" * 22}"'
    ]


def test_an_invalid_cluster_name_gives_the_release_no_name_to_refuse_twice():
    assert problems(cluster={"name": "Web Shop"}) == [
        "elixir-cluster:cluster.name: must be 2-21 characters of a-z, 0-9 and '-', starting with a letter, "
        'got "Web Shop"'
    ]
