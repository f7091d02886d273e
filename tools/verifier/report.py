"""Rendering findings (a table or one JSON object) and the progress display while checks run."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from components.settings import StackSettings

from .findings import Finding, Status, worst

SYMBOLS = {Status.PASS: "ok", Status.WARN: "WARN", Status.FAIL: "FAIL"}
SPINNER_FRAMES = "|/-\\"
SPINNER_INTERVAL_SECONDS = 0.1


def document(settings: StackSettings, where: str, findings: list[Finding]) -> dict[str, Any]:
    """The `--format json` object."""
    counts = {status.value: sum(f.status == status for f in findings) for status in Status}
    return {
        "stack": settings.stack,
        "environment": settings.qualified_name,
        "where": where,
        "verdict": worst(findings).value,
        "counts": counts,
        "checks": [f.to_json() for f in findings],
    }


def render_json(settings: StackSettings, where: str, findings: list[Finding]) -> str:
    return json.dumps(document(settings, where, findings), indent=2) + "\n"


def render_table(settings: StackSettings, where: str, findings: list[Finding]) -> str:
    width = max((len(f.check) for f in findings), default=0)
    lines = [f"Stack {settings.stack}: environment {settings.qualified_name} in {where}", ""]
    for finding in findings:
        lines.append(f"{SYMBOLS[finding.status]:<4}  {finding.check:<{width}}  {finding.detail}")
        if finding.fix:
            lines.append(f"{'':<4}  {'':<{width}}  fix: {finding.fix}")
    counts = document(settings, where, findings)["counts"]
    warnings = f"{counts['warn']} warning" + ("" if counts["warn"] == 1 else "s")
    lines += ["", f"{counts['pass']} passed, {warnings}, {counts['fail']} failed"]
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json}


class Progress:
    """A spinner naming the running check on a terminal; a plain line per finished area otherwise."""

    def __init__(self, stream: TextIO, *, live: bool):
        self._stream = stream
        self._live = live

    @contextmanager
    def step(self, name: str) -> Iterator[list[Finding]]:
        """Wrap one area; the caller appends its findings to the yielded list."""
        findings: list[Finding] = []
        if not self._live:
            yield findings
            self._stream.write(f"verify: {name}: {worst(findings).value if findings else 'done'}\n")
            self._stream.flush()
            return
        stop = threading.Event()
        spinner = threading.Thread(target=self._spin, args=(name, stop), daemon=True)
        spinner.start()
        try:
            yield findings
        finally:
            stop.set()
            spinner.join()
            self._stream.write("\r\033[K")  # clear the spinner's line: the report follows on stdout
            self._stream.flush()

    def _spin(self, name: str, stop: threading.Event) -> None:
        for frame in itertools.cycle(SPINNER_FRAMES):
            self._stream.write(f"\r\033[K{frame} checking {name}...")
            self._stream.flush()
            if stop.wait(SPINNER_INTERVAL_SECONDS):
                return
