"""What README.md tells a user, checked against the code: its claims, and its walkthroughs
run as pasted (or in-process with the same arguments)."""

from __future__ import annotations

from pathlib import Path

from components.plans import names
from components.plans.discovery import discovery_namespace_name
from components.plans.flow_logs import log_group_name
from components.settings import StackSettings
from tests.support.stacks import write_variant
from tools.stack_files import load_stack_settings


def _names_aws_holds_once(settings: StackSettings) -> set[str]:
    """Every name prod sets itself that AWS allows once per account and region (the dashboard's:
    per account)."""
    return {
        *names.health_alarm_names(settings),
        *names.step_alarm_names(settings),
        names.alarm_topic_name(settings),
        names.dashboard_name(settings),
        names.web_acl_name(settings),
        names.waf_log_group_name(settings),
        log_group_name(settings),
        discovery_namespace_name(settings),
        settings.release.cookie_parameter,
        "=".join(settings.discovery_tag),  # not a name, but nodes under one value join each other
    }


def test_copying_a_stack_file_collides_unless_the_keys_readme_lists_change(tmp_path: Path):
    """README, "Copy a stack file": the file's name names nothing in AWS; the cluster's name and
    environment, and prod's explicit cookie parameter, do."""
    prod = load_stack_settings(write_variant(tmp_path, "prod", "prod", {}))
    renamed_only = load_stack_settings(write_variant(tmp_path, "prod", "prod-copy", {}))
    assert _names_aws_holds_once(renamed_only) == _names_aws_holds_once(prod), "a copy under another stack name"
    moved = load_stack_settings(
        write_variant(
            tmp_path,
            "prod",
            "payments",
            {"elixir-cluster:cluster": {"name": "payments"}, "elixir-cluster:release": {"cookieParameter": None}},
        )
    )
    assert _names_aws_holds_once(moved).isdisjoint(_names_aws_holds_once(prod))
    assert moved.release.cookie_parameter == "/payments/prod/release-cookie"
    kept_cookie = load_stack_settings(
        write_variant(tmp_path, "prod", "payments-kept", {"elixir-cluster:cluster": {"name": "payments"}})
    )
    assert kept_cookie.release.cookie_parameter == prod.release.cookie_parameter, "an explicit one stays: change it"
