"""EC2 Auto Scaling instance refreshes, which moto 5.2 lacks: StartInstanceRefresh,
DescribeInstanceRefreshes, CancelInstanceRefresh and RollbackInstanceRefresh, on moto's own
groups, in-process and in this project's moto server alike (`install()` adds them to moto's
Auto Scaling responses).

As AWS's API reference has them (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/
API_StartInstanceRefresh.html, API_DescribeInstanceRefreshes.html, API_CancelInstanceRefresh.html,
API_RollbackInstanceRefresh.html):

- a group has one active refresh at most (Pending, InProgress, Cancelling, Baking,
  RollbackInProgress): starting another fails with InstanceRefreshInProgress, cancelling
  without one fails with ActiveInstanceRefreshNotFound, a group that does not exist with
  ValidationError;
- the preferences are reported as given, with AWS's defaults for the rest (MinHealthyPercentage
  90, SkipMatching and AutoRollback false, ScaleInProtectedInstances and StandbyInstances
  Ignore, as the API's DescribeInstanceRefreshes example shows them), and refused where AWS
  refuses them (RefreshPreferences: the percentages' ranges, MaxHealthyPercentage without
  MinHealthyPercentage or more than 100 above it, a checkpoint delay without percentages,
  percentages that do not rise);
- refreshes are described newest first, `MaxRecords` at a time (50 unless asked, at most 100);
- a rollback takes an active refresh (Pending, InProgress or Baking; else
  ActiveInstanceRefreshNotFound) that has a desired configuration, on a group whose launch
  template is referred to by a version number and names an AMI, not a `resolve:ssm:` parameter
  (else IrreversibleInstanceRefresh: "A rollback is not supported in the following situations");
  the refresh is then RollbackInProgress, with RollbackDetails (the manual reason, its start, and
  the nodes replaced so far to put back).

What it does not do: replace instances. A started refresh stays Pending until something moves
it on (`move_to`, for a driver such as the node lab's: InProgress, Successful, Failed, and after
a rollback RollbackSuccessful or RollbackFailed); a cancel, with no replacement in flight,
completes at once (Cancelled).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.models import AutoScalingBackend
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult

ACTIVE = frozenset({"Pending", "InProgress", "Cancelling", "Baking", "RollbackInProgress"})
"""The statuses that block another refresh (and that a cancel stops)."""
ROLLS_BACK = frozenset({"Pending", "InProgress", "Baking"})
"""The statuses a rollback takes a refresh from."""
ROLLBACK_IN_PROGRESS = "RollbackInProgress"
MANUAL_ROLLBACK_REASON = "Rollback requested by user"
MOVING_VERSIONS = frozenset({"$latest", "$default"})
RESOLVE_SSM = "resolve:ssm:"
FINISHED = frozenset({"Successful", "Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"})

STRATEGIES = frozenset({"Rolling", "ReplaceRootVolume"})
DEFAULT_STRATEGY = "Rolling"

DEFAULT_PREFERENCES: dict[str, Any] = {
    "MinHealthyPercentage": 90,
    "SkipMatching": False,
    "AutoRollback": False,
    "ScaleInProtectedInstances": "Ignore",
    "StandbyInstances": "Ignore",
}
"""What AWS reports for a preference the request left out."""

MIN_HEALTHY_RANGE = range(0, 101)
MAX_HEALTHY_RANGE = range(100, 201)
HEALTHY_SPREAD_MAX = 100

MAX_RECORDS_DEFAULT = 50
MAX_RECORDS_MAX = 100

_STORE = "elixir_cluster_instance_refreshes"
"""Where a backend keeps its refreshes: group name -> refreshes, oldest first."""


class InstanceRefreshInProgress(AutoscalingClientError):
    code = "InstanceRefreshInProgress"
    message = "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh."


class InvalidNextToken(AutoscalingClientError):
    code = "InvalidNextToken"
    message = "The token passed as NextToken is not valid."


class IrreversibleInstanceRefresh(AutoscalingClientError):
    code = "IrreversibleInstanceRefresh"
    message = (
        "The request failed because a desired configuration was not found or an incompatible launch template "
        "(uses a Systems Manager parameter instead of an AMI ID) or launch template version ($Latest or $Default) "
        "is present on the Auto Scaling group."
    )


class ActiveInstanceRefreshNotFound(AutoscalingClientError):
    code = "ActiveInstanceRefreshNotFound"

    def __init__(self, group_name: str):
        super().__init__(f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}")


@dataclass
class InstanceRefresh:
    """One refresh, as DescribeInstanceRefreshes reports it."""

    group_name: str
    strategy: str
    preferences: dict[str, Any]
    instances_to_update: int
    desired_configuration: dict[str, Any] | None = None
    status: str = "Pending"
    status_reason: str | None = None
    percentage_complete: int = 0
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    start_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    end_time: datetime | None = None
    rollback_details: dict[str, Any] | None = None

    def move_to(self, status: str, reason: str | None = None) -> None:
        """A driver's step (InProgress, Successful, Failed...): a finished refresh gets its end time."""
        self.status, self.status_reason = status, reason
        if status in FINISHED:
            self.end_time = datetime.now(UTC)
        if status == "Successful":
            self.percentage_complete, self.instances_to_update = 100, 0

    def described(self) -> dict[str, Any]:
        described = {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StatusReason": self.status_reason,
            "StartTime": self.start_time,
            "EndTime": self.end_time,
            "PercentageComplete": self.percentage_complete,
            "InstancesToUpdate": self.instances_to_update,
            "Preferences": self.preferences,
            "DesiredConfiguration": self.desired_configuration,
            "Strategy": self.strategy,
            "RollbackDetails": self.rollback_details,
        }
        return {key: value for key, value in described.items() if value is not None}

    def roll_back(self, reason: str) -> None:
        """RollbackInProgress: the nodes replaced so far are to be put back."""
        replaced = round(self.instances_to_update * self.percentage_complete / 100)
        self.rollback_details = {
            "RollbackReason": reason,
            "RollbackStartTime": datetime.now(UTC),
            "PercentageCompleteOnRollback": 0,
            "InstancesToUpdateOnRollback": replaced,
        }
        self.status, self.status_reason = ROLLBACK_IN_PROGRESS, None


def refreshes(backend: AutoScalingBackend, group_name: str) -> list[InstanceRefresh]:
    """The group's refreshes, oldest first (ValidationError when there is no such group)."""
    if group_name not in backend.autoscaling_groups:
        raise ValidationError(f"AutoScalingGroup name not found - {group_name}")
    return backend.__dict__.setdefault(_STORE, {}).setdefault(group_name, [])


def active(backend: AutoScalingBackend, group_name: str) -> InstanceRefresh | None:
    return next((r for r in refreshes(backend, group_name) if r.status in ACTIVE), None)


def start(
    backend: AutoScalingBackend,
    group_name: str,
    strategy: str | None,
    preferences: dict[str, Any] | None,
    desired_configuration: dict[str, Any] | None,
) -> InstanceRefresh:
    if active(backend, group_name) is not None:
        raise InstanceRefreshInProgress()
    strategy = strategy or DEFAULT_STRATEGY
    if strategy not in STRATEGIES:
        raise ValidationError(f"Strategy {strategy} is not one of {', '.join(sorted(STRATEGIES))}")
    given = preferences or {}
    _check(given)
    group = backend.autoscaling_groups[group_name]
    refresh = InstanceRefresh(
        group_name=group_name,
        strategy=strategy,
        preferences={**DEFAULT_PREFERENCES, **given},
        instances_to_update=len(group.instance_states),
        desired_configuration=desired_configuration or None,
    )
    refreshes(backend, group_name).append(refresh)
    return refresh


def cancel(backend: AutoScalingBackend, group_name: str) -> InstanceRefresh:
    refresh = active(backend, group_name)
    if refresh is None or refresh.status == "Cancelling":
        raise ActiveInstanceRefreshNotFound(group_name)
    refresh.move_to("Cancelled")  # nothing is being replaced: the cancel completes at once
    return refresh


def rollback(backend: AutoScalingBackend, group_name: str) -> InstanceRefresh:
    refresh = active(backend, group_name)
    if refresh is None or refresh.status not in ROLLS_BACK:
        raise ActiveInstanceRefreshNotFound(group_name)
    if not refresh.desired_configuration or _irreversible(backend.autoscaling_groups[group_name]):
        raise IrreversibleInstanceRefresh()
    refresh.roll_back(MANUAL_ROLLBACK_REASON)
    return refresh


def _irreversible(group: Any) -> bool:
    """The group's configuration cannot be restored: its template is referred to by $Latest or
    $Default, or names its image by an SSM parameter (resolved at launch: AWS cannot tell the old one)."""
    template = getattr(group, "ec2_launch_template", None)
    version = str(getattr(group, "launch_template_version", "") or "")
    if template is None or version.lower() in MOVING_VERSIONS:
        return True
    return template.get_version(version).image_id.startswith(RESOLVE_SSM)


def _check(preferences: dict[str, Any]) -> None:
    """What AWS refuses in RefreshPreferences."""
    low, high = preferences.get("MinHealthyPercentage"), preferences.get("MaxHealthyPercentage")
    if low is not None and low not in MIN_HEALTHY_RANGE:
        raise ValidationError(f"MinHealthyPercentage must be between 0 and 100, got {low}")
    if high is not None:
        if high not in MAX_HEALTHY_RANGE:
            raise ValidationError(f"MaxHealthyPercentage must be between 100 and 200, got {high}")
        if low is None:
            raise ValidationError("MinHealthyPercentage must be specified when MaxHealthyPercentage is")
        if high - low > HEALTHY_SPREAD_MAX:
            raise ValidationError(
                f"The difference between MaxHealthyPercentage ({high}) and MinHealthyPercentage ({low}) "
                f"cannot be greater than {HEALTHY_SPREAD_MAX}"
            )
    checkpoints = preferences.get("CheckpointPercentages")
    if preferences.get("CheckpointDelay") is not None and not checkpoints:
        raise ValidationError("CheckpointDelay requires CheckpointPercentages")
    if checkpoints and any(later <= earlier for earlier, later in zip(checkpoints, checkpoints[1:], strict=False)):
        raise ValidationError(f"CheckpointPercentages must be unique and ascending, got {checkpoints}")


# --- the API, as methods of moto's AutoScalingResponse --------------------------------------


def start_instance_refresh(self: AutoScalingResponse) -> ActionResult:
    refresh = start(
        self.autoscaling_backend,
        self._get_param("AutoScalingGroupName"),
        self._get_param("Strategy"),
        self._get_param("Preferences"),
        self._get_param("DesiredConfiguration"),
    )
    return ActionResult({"InstanceRefreshId": refresh.id})


def describe_instance_refreshes(self: AutoScalingResponse) -> ActionResult:
    found = list(reversed(refreshes(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))))
    wanted = self._get_param("InstanceRefreshIds") or []
    if wanted:
        found = [r for r in found if r.id in wanted]
    token = self._get_param("NextToken") or "0"
    if not token.isdigit():
        raise InvalidNextToken()
    start_at = int(token)
    size = min(self._get_int_param("MaxRecords") or MAX_RECORDS_DEFAULT, MAX_RECORDS_MAX)
    page = found[start_at : start_at + size]
    result: dict[str, Any] = {"InstanceRefreshes": [r.described() for r in page]}
    if start_at + size < len(found):
        result["NextToken"] = str(start_at + size)
    return ActionResult(result)


def cancel_instance_refresh(self: AutoScalingResponse) -> ActionResult:
    refresh = cancel(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
    return ActionResult({"InstanceRefreshId": refresh.id})


def rollback_instance_refresh(self: AutoScalingResponse) -> ActionResult:
    refresh = rollback(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
    return ActionResult({"InstanceRefreshId": refresh.id})


def install() -> None:
    """Add the four operations to moto's Auto Scaling responses (idempotent)."""
    for operation in (
        start_instance_refresh,
        describe_instance_refreshes,
        cancel_instance_refresh,
        rollback_instance_refresh,
    ):
        setattr(AutoScalingResponse, operation.__name__, operation)
