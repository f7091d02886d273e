"""The `alerts` section: who hears about trouble, and what counts as trouble."""

from __future__ import annotations

from collections.abc import Iterator

from .limits import ALERT_WINDOW_MINUTES
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem
from .value_types import Email


class AlertsSettings(SettingsModel):
    """Who hears about trouble, and what counts as trouble."""

    emails: list[Email] = setting(
        default_factory=list,
        description="Addresses subscribed to the alarm topic (each confirms by e-mail).",
        limit="e-mail addresses, each once",
    )
    latency_p99_ms: float = setting(
        1000, description="p99 target response time that raises an alarm.", unit="milliseconds", limit="> 0", gt=0
    )
    error5xx_percent: float = setting(
        5,
        description="Share of requests answered 5xx that raises an alarm.",
        unit="percent",
        limit="(0, 100)",
        gt=0,
        lt=100,
        alias="error5xxPercent",
    )
    at_max_size_minutes: int = setting(
        15,
        description="Minutes at maxSize before an alarm says the scaling ceiling is reached.",
        unit="minutes",
        limit=ALERT_WINDOW_MINUTES,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, email in enumerate(self.emails):
            if email.lower() in seen:
                yield Problem(self._path(at, "emails", index), "listed twice", email)
            seen.add(email.lower())
