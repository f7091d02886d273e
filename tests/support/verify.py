"""Running `tools.verify` in-process against an applied stack, and reading its JSON report."""

from __future__ import annotations

import io
import json
from typing import Any

from tests.support.stacks import Applied
from tools import verify


def run_verify(
    env: Applied | None, *argv: str, stdout: io.StringIO | None = None
) -> tuple[int, dict[str, Any] | str, str]:
    """(exit code, the JSON document (or the table), stderr) of verify.main, in-process, run with
    the credentials of `env`'s account (None: whatever the environment says)."""
    out, err = stdout or io.StringIO(), io.StringIO()
    if env is None:
        code = verify.main([*argv], stdout=out, stderr=err)
    else:
        with env.as_the_callers_account():
            code = verify.main([*argv], stdout=out, stderr=err)
    text = out.getvalue()
    return code, (json.loads(text) if "--format" in argv and "json" in argv and text else text), err.getvalue()


def verdicts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each check's finding, by check."""
    return {check["check"]: check for check in document["checks"]}


def failing(document: dict[str, Any]) -> dict[str, str]:
    """The failing checks' details, by check."""
    return {c["check"]: c["detail"] for c in document["checks"] if c["status"] == "fail"}
