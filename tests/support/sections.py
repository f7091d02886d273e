"""Stack-file sections for the settings tests: the minimal file plus a change, loaded as the
program loads it, or the lines it is refused with."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import SettingsError, StackSettings, load_settings
from tests.support.fragments import MINIMAL, merged

REGION = "eu-west-1"


def load(stack: str = "dev", region: str = REGION, **sections: Any) -> StackSettings:
    """The minimal stack file with `sections` merged in, validated as `stack` in `region`."""
    return load_settings(merged(MINIMAL, sections), stack=stack, region=region)


def problems(stack: str = "dev", region: str = REGION, **sections: Any) -> list[str]:
    """The lines the minimal file with `sections` merged in is refused with (it must be refused)."""
    with pytest.raises(SettingsError) as refused:
        load(stack, region, **sections)
    return refused.value.problems


def refusals(stack: str = "dev", region: str = REGION, **sections: Any) -> list[str]:
    """The lines the file is refused with, or [] when it loads: for a rule's two sides."""
    try:
        load(stack, region, **sections)
    except SettingsError as refused:
        return refused.problems
    return []
