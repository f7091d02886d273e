"""What the area checks share: how to report a resource that discovery did not find."""

from __future__ import annotations

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed


def not_found(env: Environment, check: str, kind: str) -> Finding:
    """The resource the check needs is not there (or is there more than once)."""
    ambiguous = [a for a in env.ambiguities if kind in a]
    if ambiguous:
        return failed(check, ambiguous[0], "delete or untag the copies so that one remains")
    return failed(check, f"no {kind} tagged {env.tag} in {env.aws.where()}", f"check --stack and the region; {UP_FIX}")
