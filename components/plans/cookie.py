"""The release cookie: the Erlang distribution cookie every node reads at start.

Generated (pulumi-random), stored as an SSM SecureString under `release.cookieParameter`,
encrypted with a KMS key of its own that rotates. The ReleaseCookie component declares it;
`tools.verify` checks the parameter's type (never its value) against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import StackSettings

COOKIE_LENGTH = 64
"""Characters of the Erlang cookie (an atom: at most 255); letters and digits only, so it
needs no quoting anywhere it travels."""

SECURE_STRING = "SecureString"
"""The parameter type whose value is encrypted with a KMS key and read only with kms:Decrypt."""


@dataclass(frozen=True)
class CookiePlan:
    parameter_name: str
    parameter_description: str
    key_description: str
    parameter_type: str = SECURE_STRING
    length: int = COOKIE_LENGTH
    special_characters: bool = False
    key_rotation: bool = True


def cookie_plan(settings: StackSettings) -> CookiePlan:
    parameter = settings.release.cookie_parameter
    return CookiePlan(
        parameter_name=parameter,
        parameter_description=f"Erlang distribution cookie of {settings.qualified_name}; read by nodes at start",
        key_description=f"Encrypts the release cookie {parameter}",
    )
