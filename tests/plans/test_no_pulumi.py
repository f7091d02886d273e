"""The plans load no Pulumi (the read-only tools: tests/test_import_rules.py).

The plans are imported in a fresh interpreter: in this one the components (and with them
pulumi) are usually loaded already.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import PULUMI, loaded_by_each

PROJECT_DIR = Path(__file__).resolve().parents[2]
PLANS_DIR = PROJECT_DIR / "components" / "plans"
PLANS = sorted(
    {p.stem for p in PLANS_DIR.glob("*.py") if p.stem != "__init__"}
    | {p.parent.name for p in PLANS_DIR.glob("*/__init__.py")}  # plans that are packages
)


def test_every_plan_module_is_found():
    assert {"security", "load_balancer", "node_group", "scaling", "names", "iam"} <= set(PLANS)


def test_the_plans_import_no_pulumi():
    loaded = loaded_by_each(tuple(f"components.plans.{plan}" for plan in PLANS), PULUMI)
    assert {plan: modules for plan, modules in loaded.items() if modules} == {}
