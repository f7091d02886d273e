"""The stack's region: where it is read from, and whether AWS has it.

As the AWS provider reads it at `pulumi up`: `aws:region` in the stack file, else the
environment's AWS_REGION, else AWS_DEFAULT_REGION (limits.REGION_VARIABLES). The provider would
also take a region from the shared AWS config file's profile; this program does not read that
file, so such a stack names its region (`pulumi config set aws:region ...`). There is no default:
a stack that names none anywhere is refused, naming `aws:region`, as the provider refuses it.

A region is one of botocore's endpoint data (limits.AVAILABILITY_ZONES_BY_REGION). A region AWS
opened after that list was written is refused too, saying how to proceed: `aws:skipRegionValidation:
true`, the provider's own switch for its own check of the same kind, lets it through (its zone
count then goes unchecked until the network asks the account's zones at `pulumi up`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .limits import AVAILABILITY_ZONES_BY_REGION, REGION_PATTERN, REGION_VARIABLES
from .problems import did_you_mean, show

REGION_KEY = "aws:region"
SKIP_VALIDATION_KEY = "aws:skipRegionValidation"
EXAMPLE_REGION = "eu-west-1"


@dataclass(frozen=True)
class StackRegion:
    """The region a stack is deployed to, and where it was read from."""

    name: str | None
    """None when neither the stack file nor the environment names one."""
    source: str
    """`aws:region`, or the environment variable it came from."""

    @property
    def from_environment(self) -> bool:
        return self.name is not None and self.source != REGION_KEY


def stack_region(given: str | None, environ: Mapping[str, str] | None = None) -> StackRegion:
    """The region of a stack whose file gives `given` (None: no `aws:region`), as the provider reads it."""
    if given:
        return StackRegion(given, REGION_KEY)
    environ = os.environ if environ is None else environ
    for variable in REGION_VARIABLES:
        if environ.get(variable):
            return StackRegion(environ[variable], variable)
    return StackRegion(None, REGION_KEY)


def region_problems(region: StackRegion, *, skip_validation: bool = False) -> list[str]:
    """One line per problem with the region, each starting with `aws:region`."""
    name = region.name
    if name is None:
        return [
            f"{REGION_KEY}: required: the stack file names no region and neither "
            f"{' nor '.join(REGION_VARIABLES)} is set (`pulumi config set {REGION_KEY} {EXAMPLE_REGION}`)"
        ]
    got = f"got {show(name)}" + (f" (from {region.source})" if region.from_environment else "")
    if not re.match(REGION_PATTERN, name):
        return [f"{REGION_KEY}: must be an AWS region such as {EXAMPLE_REGION}, {got}"]
    if name in AVAILABILITY_ZONES_BY_REGION or skip_validation:
        return []
    suggestion = did_you_mean(name, sorted(AVAILABILITY_ZONES_BY_REGION))
    hint = f"did you mean {suggestion}? " if suggestion else ""
    return [
        f"{REGION_KEY}: {hint}no such AWS region in botocore's endpoint data; a region AWS opened since "
        f"takes `{SKIP_VALIDATION_KEY}: true` (as the AWS provider's own check does), {got}"
    ]


def published_zones(region: str) -> int | None:
    """The Availability Zones AWS publishes for `region`; None for a region not in the list."""
    return AVAILABILITY_ZONES_BY_REGION.get(region)
