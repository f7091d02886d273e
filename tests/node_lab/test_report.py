"""The node lab's report (offline): its secrets report, whatever order the tests add lines in."""

from __future__ import annotations

import pytest

from tools.conformance.node_lab.report import NodeLabReport


def test_the_secrets_report_groups_its_lines_by_kind_in_a_fixed_order():
    report = NodeLabReport("prod", "ec2Tags", "versions")
    report.secret("missing", "node4 failed naming DATABASE_URL")
    report.secret("probe", "another parameter: denied")
    report.secret("from", "SECRET_KEY_BASE: SSM")
    report.secret("leak check", "user data: clean")
    report.secret("role", "ReadReleaseSecrets: secretsmanager:GetSecretValue on arn:...")
    report.secret("from", "DATABASE_URL: Secrets Manager")
    assert report.render().splitlines()[-7:] == [
        "  secrets report:",
        "    from: SECRET_KEY_BASE: SSM",
        "    from: DATABASE_URL: Secrets Manager",
        "    role: ReadReleaseSecrets: secretsmanager:GetSecretValue on arn:...",
        "    leak check: user data: clean",
        "    probe: another parameter: denied",
        "    missing: node4 failed naming DATABASE_URL",
    ]


def test_a_line_of_no_known_kind_is_refused_naming_the_kinds():
    with pytest.raises(ValueError, match="not 'leaks'") as refused:
        NodeLabReport("dev", "dns").secret("leaks", "x")
    assert "'leak check'" in str(refused.value)


def test_without_secret_lines_the_report_has_no_secrets_section():
    assert "secrets report" not in NodeLabReport("dev", "dns").render()
