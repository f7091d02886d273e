"""docs/design.md's "Who may import whom", and the tests' own rule, checked on every Python file.

The files are parsed, not imported: a rule is broken by the import statement itself, whether
or not the line runs. The read-only tools are also imported in a fresh interpreter to show
that nothing they load pulls Pulumi in indirectly.
"""

from __future__ import annotations

import ast

import pytest

from tests.support.imports import PULUMI, ROOT, imports_of, loaded_by_each, python_files

READ_ONLY_TOOLS = [
    *("tools/verifier", "tools/simulator", "tools/tuner", "tools/trace_export"),
    *("tools/verify.py", "tools/simulate.py", "tools/tune.py", "tools/trace.py"),
]


def imports_under(*paths: str):
    return [found for path in python_files(*(p for p in paths if (ROOT / p).exists())) for found in imports_of(path)]


def test_the_program_entry_point_imports_the_components_only():
    ours = {"components", "tools", "policies", "tests"}
    wrong = [i for i in imports_under("__main__.py") if i.top in ours - {"components"}]
    wrong += [i for i in imports_under("__main__.py") if i.top.startswith("pulumi") and i.top != "pulumi"]
    assert not wrong, "\n".join(map(str, wrong))


def test_components_never_import_tools_policies_or_tests():
    wrong = [i for i in imports_under("components") if i.is_of("tools", "policies", "tests")]
    assert not wrong, "\n".join(map(str, wrong))


def test_settings_and_plans_are_plain_python_without_pulumi():
    paths = ["components/settings", "components/settings.py", "components/plans"]
    wrong = [i for i in imports_under(*paths) if i.is_of(*PULUMI)]
    assert not wrong, "\n".join(map(str, wrong))


def test_plans_read_the_settings_and_nothing_else_of_ours():
    wrong = [i for i in imports_under("components/plans") if i.top in {"components", "tools", "policies", "tests"}]
    wrong = [i for i in wrong if not i.is_of("components.settings", "components.plans")]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_emulator_applies_any_program_and_never_imports_the_components():
    wrong = [i for i in imports_under("tools/emulator") if i.is_of("components")]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_emulators_core_knows_no_service():
    wrong = [i for i in imports_under("tools/emulator/core") if i.is_of("tools.emulator.services")]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_read_only_tools_import_no_pulumi():
    wrong = [i for i in imports_under(*READ_ONLY_TOOLS) if i.is_of(*PULUMI)]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_read_only_tools_read_settings_and_plans_and_no_component():
    found = imports_under(*READ_ONLY_TOOLS)
    wrong = [i for i in found if i.is_of("components") and not i.is_of("components.settings", "components.plans")]
    assert not wrong, "\n".join(map(str, wrong))


def test_policies_judge_resources_and_import_neither_components_nor_tools():
    wrong = [i for i in imports_under("policies") if i.is_of("components", "tools")]
    assert not wrong, "\n".join(map(str, wrong))


READ_ONLY_ENTRY_POINTS = tuple(
    m
    for m in ("tools.verify", "tools.simulate", "tools.tune", "tools.trace")
    if (ROOT / f"{m.replace('.', '/')}.py").exists()
)


@pytest.mark.xdist_group("read-only-tools-imported")  # one worker, one interpreter
@pytest.mark.parametrize("module", READ_ONLY_ENTRY_POINTS)
def test_a_read_only_tool_loads_no_pulumi_even_indirectly(module):
    assert loaded_by_each(READ_ONLY_ENTRY_POINTS, PULUMI)[module] == []


def test_the_emulator_loads_no_component_even_through_the_stack_files_module_it_reads_with():
    # an interpreter of its own: the read-only tools load the settings and the plans
    assert loaded_by_each(("tools.emulator",), ("components",))["tools.emulator"] == []


# --- the tests' own rule -----------------------------------------------------------------------


def test_no_test_module_or_conftest_imports_another_test_module():
    """Shared helpers live in tests/support; a test module imports no other test module."""
    modules = [p for p in python_files("tests") if p.name.startswith("test_") or p.name == "conftest.py"]
    wrong = [
        i
        for path in modules
        for i in imports_of(path)
        if i.top == "tests" and not i.is_of("tests.support") and i.module != "tests"
    ]
    assert not wrong, "\n".join(map(str, wrong))


def test_conftest_files_hold_fixtures_and_hooks_only():
    for path in python_files("tests"):
        if path.name != "conftest.py":
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                is_fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
                is_hook = node.name.startswith("pytest_")
                assert is_fixture or is_hook or node.name.startswith("_"), f"{path}: {node.name} is a helper"
            assert not isinstance(node, ast.ClassDef), f"{path}: class {node.name} belongs in tests/support"
