"""The `cluster` section: the cluster's name, its environment and the tags on everything."""

from __future__ import annotations

from .conventions import Environment
from .defaults import FromDefaults
from .limits import CLUSTER_NAME_PATTERN, TAG_KEY_LENGTH, TAG_VALUE_MAX_LENGTH, USER_TAGS_MAX
from .model import SettingsModel, setting
from .value_types import ClusterName, TagKey, TagValue


class ClusterSettings(SettingsModel):
    """Who this cluster is: its name, environment and the tags on everything it creates.

    Rules: tag keys follow both the AWS tag rules and the instance-metadata tag rules
    (tags propagate to nodes, which read them through IMDS), and may not replace the
    stack's own tags (elixir-cluster:cluster, Environment, ManagedBy, Name).
    """

    name: ClusterName = setting(
        description="Prefixes every resource name and tags everything; with the environment it forms the "
        "qualified name (shop-prod) that node discovery filters on.",
        limit="2-21 characters: a-z 0-9 -, starting with a letter",
        pattern=CLUSTER_NAME_PATTERN,
        examples=["shop"],
    )
    environment: Environment = setting(
        from_defaults=FromDefaults(lambda defaults: defaults.environment),
        description="Which defaults apply (prod gets the safe ones) and the Environment tag.",
        default_text="the stack name when it is dev, staging or prod, else dev",
    )
    tags: dict[TagKey, TagValue] = setting(
        default_factory=dict,
        description="Extra tags on every resource, propagated to the nodes.",
        limit=f"at most {USER_TAGS_MAX} tags; key {TAG_KEY_LENGTH} and value 0..{TAG_VALUE_MAX_LENGTH} characters",
        max_length=USER_TAGS_MAX,
    )
