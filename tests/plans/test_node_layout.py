"""Where things live on a node: every path follows the release name, as the scripts expect."""

from __future__ import annotations

from components.plans.node_layout import NodeLayout


def test_a_release_lives_under_its_own_name_everywhere() -> None:
    layout = NodeLayout("shop")
    assert {name: getattr(layout, name) for name in dir(layout) if not name.startswith("_") and name != "release"} == {
        "root": "/opt/shop",
        "config_dir": "/etc/shop",
        "env_file": "/etc/shop/release.env",
        "cloudwatch_config": "/etc/shop/cloudwatch-agent.json",
        "state_dir": "/var/lib/shop",
        "runtime_dir": "/run/shop",
        "secrets_env_file": "/run/shop/secrets.env",
        "libexec": "/usr/local/libexec/shop",
        "stack_env": "/usr/local/libexec/shop/stack.env",
        "common_script": "/usr/local/libexec/shop/common.sh",
        "bootstrap_script": "/usr/local/libexec/shop/bootstrap",
        "secrets_script": "/usr/local/libexec/shop/fetch-secrets",
        "env_assignment_script": "/usr/local/libexec/shop/env-assignment",
        "secret_references": "/usr/local/libexec/shop/secrets.sh",
        "launch_hook_script": "/usr/local/libexec/shop/launch-hook",
        "drain_script": "/usr/local/libexec/shop/drain-agent",
        "unit_dir": "/etc/systemd/system",
        "release_unit": "shop.service",
        "drain_unit": "shop-drain.service",
        "release_unit_file": "/etc/systemd/system/shop.service",
        "drain_unit_file": "/etc/systemd/system/shop-drain.service",
    }


def test_the_secrets_file_is_under_the_release_units_runtime_directory() -> None:
    # systemd creates RuntimeDirectory= (/run/<release>) 0700 for the unit and removes it on stop.
    layout = NodeLayout("shop_api")
    assert layout.secrets_env_file == "/run/shop_api/secrets.env"
    assert layout.secrets_env_file.startswith(layout.runtime_dir + "/")
