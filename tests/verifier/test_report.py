"""tools/verifier/report.py: the findings as a table or one JSON object, and the progress display."""

from __future__ import annotations

import io

from tools.stack_files import load_stack, stack_file
from tools.verifier.findings import failed, passed, warned
from tools.verifier.report import Progress, document, render_table

FINDINGS = [
    passed("security.nodes", "sg-1: as declared"),
    warned("monitoring.alarms", "shop-dev-p99-latency in ALARM", "look at the latency"),
    failed("cookie.parameter", "no SSM parameter /shop/dev/release-cookie", "pulumi up"),
]


def test_the_table_gives_each_check_its_fix_and_counts_them() -> None:
    table = render_table(load_stack(stack_file("dev")).settings, "AWS region eu-west-1", FINDINGS)
    assert table.splitlines() == [
        "Stack dev: environment shop-dev in AWS region eu-west-1",
        "",
        "ok    security.nodes     sg-1: as declared",
        "WARN  monitoring.alarms  shop-dev-p99-latency in ALARM",
        "                         fix: look at the latency",
        "FAIL  cookie.parameter   no SSM parameter /shop/dev/release-cookie",
        "                         fix: pulumi up",
        "",
        "1 passed, 1 warning, 1 failed",
    ]


def test_the_document_takes_the_worst_finding_as_its_verdict() -> None:
    settings = load_stack(stack_file("dev")).settings
    found = document(settings, "AWS region eu-west-1", FINDINGS)
    assert (found["verdict"], found["counts"]) == ("fail", {"pass": 1, "warn": 1, "fail": 1})
    assert document(settings, "here", FINDINGS[:2])["verdict"] == "warn"
    assert document(settings, "here", FINDINGS[:1])["verdict"] == "pass"


def test_progress_names_the_failing_area() -> None:
    stream = io.StringIO()
    with Progress(stream, live=False).step("cookie") as found:
        found.append(failed("cookie.parameter", "gone", "pulumi up"))
    assert stream.getvalue() == "verify: cookie: fail\n"
