"""The plans load no Pulumi (the read-only tools: tests/test_import_rules.py).

Each import runs in a fresh interpreter: in this one the components (and with them
pulumi) are usually loaded already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PLANS_DIR = PROJECT_DIR / "components" / "plans"
PLANS = sorted(
    {p.stem for p in PLANS_DIR.glob("*.py") if p.stem != "__init__"}
    | {p.parent.name for p in PLANS_DIR.glob("*/__init__.py")}  # plans that are packages
)


def _pulumi_modules_after(imports: str) -> list[str]:
    loaded = "sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi'))"
    script = f"import json, sys\n{imports}\nprint(json.dumps({loaded}))"
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_every_plan_module_is_found():
    assert {"security", "load_balancer", "node_group", "scaling", "names", "iam"} <= set(PLANS)


def test_the_plans_import_no_pulumi():
    assert _pulumi_modules_after("\n".join(f"import components.plans.{plan}" for plan in PLANS)) == []
