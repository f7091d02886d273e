"""Values as they cross the mock runtime's wire, and as AWS's API wants them: defined once.

On the wire, inputs and state use camelCase names; numbers arrive as floats; tags are a
map; a secret is a dict marked with Pulumi's secret signature. AWS's API wants integers,
[{Key, Value}] tag lists and no empty optional parameters.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc

from .registry import Request

SECRET_MASK = "[secret]"
_SIG = rpc._special_sig_key
_SECRET = rpc._special_secret_sig


# --- numbers and booleans ------------------------------------------------------------


def to_int(value: Any) -> int | None:
    """A wire number (a float) as the integer AWS expects; None stays None."""
    return None if value is None else int(value)


def whole_numbers(value: Any) -> Any:
    """`value` with every whole wire number as an integer (64.0 -> 64), for printing: a number is a
    float on the wire whatever the schema says, and a reader expects `"length": 64`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def text_bool(value: Any) -> bool | None:
    """The provider passes some booleans as the strings "true"/"false"; "" means unset."""
    if value is None or value == "":
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


def without_none(data: dict[str, Any]) -> dict[str, Any]:
    """An API structure without its unset members (None, [] or {})."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


# --- tags ------------------------------------------------------------------------------


def aws_tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """Pulumi's `tags` map as AWS's [{Key, Value}] list."""
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def request_tags(req: Request) -> list[dict[str, str]] | None:
    """The resource's tags for a `Tags=` parameter: None when it has none."""
    return aws_tags(req.get("tags")) or None


def tag_specifications(resource_type: str, tags: dict[str, str] | None) -> list[dict[str, Any]]:
    """EC2's `TagSpecifications=` for one resource type."""
    if not tags:
        return []
    return [{"ResourceType": resource_type, "Tags": aws_tags(tags)}]


def tags_state(req: Request) -> dict[str, Any]:
    """The `tags` / `tagsAll` pair every taggable pulumi-aws resource reports."""
    tags = req.get("tags", {})
    return {"tags": tags, "tagsAll": dict(tags)}


def retagged(old: Any, req: Request) -> tuple[dict[str, str], list[str]]:
    """What an update does to tags, as the provider's updateTags: (tags to set, keys to remove)."""
    before, after = old.inputs.get("tags") or {}, req.get("tags", {})
    to_set = {k: v for k, v in after.items() if before.get(k) != v}
    return to_set, sorted(k for k in before if k not in after)


# --- secrets ---------------------------------------------------------------------------


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG) == _SECRET


def as_secret(value: Any) -> dict[str, Any]:
    return {_SIG: _SECRET, "value": value}


def unwrap_secrets(value: Any) -> Any:
    """The plain value a provider would see."""
    if is_secret(value):
        return unwrap_secrets(value.get("value"))
    if isinstance(value, dict):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def mask_secrets(value: Any) -> Any:
    """The value as a preview may print it."""
    if is_secret(value):
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value
