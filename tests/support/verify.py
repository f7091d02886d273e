"""Running `tools.verify` in-process on an applied stack, and walking a list of tampers over one
deployment: each must fail the check that owns it, naming what changed, and no other check.

A tamper is a change an operator makes by hand, through the call the console or the aws CLI
makes, named for what they did.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
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


def verify_json(env: Applied, *argv: str) -> tuple[int, dict[str, Any]]:
    """(exit code, the JSON document) of verify.main, in-process, with the credentials of `env`'s account."""
    code, document, stderr = run_verify(env, *argv, "--format", "json")
    assert document, stderr
    return code, document


@dataclass(frozen=True)
class Tamper:
    change: Callable[[Applied], None]
    check: str
    """The check that must fail, and no other."""
    named: str
    """What its detail must say."""


def walk(env: Applied, argv: tuple[str, ...], tampers: list[Tamper], *, cumulative: bool = True) -> None:
    """Make each tamper in turn, verify after each: it must fail its check, with a detail that names
    it and did not before, and change no other check's failure.

    `cumulative`: the tampers add up, so each is compared with the state the previous one left.
    Otherwise each undoes the previous one's effect on verify (a new launch template version
    made default leaves the earlier one unchecked), and is compared with the state before the walk.
    """
    _, document = verify_json(env, *argv)
    start = before = failing(document)
    for tamper in tampers:
        name = tamper.change.__name__
        tamper.change(env)
        code, document = verify_json(env, *argv)
        after = failing(document)
        assert code == verify.EXIT_DRIFTED, name
        assert tamper.named in after.get(tamper.check, ""), (name, after)
        assert tamper.named not in before.get(tamper.check, ""), (name, "already named before it")
        reference = before if cumulative else start
        others = {key: detail for key, detail in after.items() if key != tamper.check}
        assert others == {key: detail for key, detail in reference.items() if key != tamper.check}, (name, others)
        assert verdicts(document)[tamper.check]["fix"], "every failure says what to do"
        before = after
