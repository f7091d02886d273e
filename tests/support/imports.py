"""The project's Python files and what each imports, read with `ast` (nothing is executed); and what
importing a module loads, run in a fresh interpreter."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PULUMI = ("pulumi", "pulumi_aws", "pulumi_random")
"""Pulumi's packages, which the settings, the plans and the read-only tools never load."""
NOT_OURS = {".venv", ".git", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Import:
    """One imported module, absolute, as written at `line` of `path` (relative to the project)."""

    path: str
    line: int
    module: str

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def is_of(self, *packages: str) -> bool:
        """Whether it imports one of `packages` (dotted) or something inside it."""
        return any(self.module == p or self.module.startswith(f"{p}.") for p in packages)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module}"


def python_files(*under: str) -> list[Path]:
    """The project's .py files (under these folders or files, relative to the root; all by default)."""
    roots = [ROOT / u for u in under] if under else [ROOT]
    found = []
    for root in roots:
        candidates = [root] if root.is_file() else root.rglob("*.py")
        found += [p for p in candidates if not NOT_OURS & set(p.relative_to(ROOT).parts)]
    return sorted(found)


def imports_of(path: Path) -> list[Import]:
    """Every module `path` imports, relative imports made absolute; `from a import b` counts as
    `a.b` too when b may be a module (the rules name packages, so either form is caught)."""
    relative = path.relative_to(ROOT)
    package = list(relative.parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(str(relative), node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append(Import(str(relative), node.lineno, module))
            found += [Import(str(relative), node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


# --- what importing a module loads, in a fresh interpreter ---------------------------------------

LOADED_BY_EACH = """\
import importlib, json, sys
modules, packages = json.loads(sys.argv[1]), tuple(sys.argv[2:])
ours = lambda: {m for m in sys.modules if m.split(".")[0] in packages}
loaded = {}
for module in modules:
    before = ours()
    importlib.import_module(module)
    loaded[module] = sorted(ours() - before)
print(json.dumps(loaded))
"""


@functools.cache
def loaded_by_each(modules: tuple[str, ...], packages: tuple[str, ...]) -> dict[str, list[str]]:
    """The modules of `packages` each of `modules` loads, imported in turn in one fresh interpreter:
    what the first loads, then what the next adds, and so on. Where none loads any, each would load
    none alone either; one interpreter costs a few tenths of a second, so a test process starts it
    once per question."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY_EACH, json.dumps(modules), *packages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
