"""Imports point down: the wiring (ops) above the services (desk, actions, addons),
which sit above the domain package (payhelp), which imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from payhelp.settings import PROJECT_ROOT

# package -> top-level packages of ours it must never import
FORBIDDEN = {
    "payhelp": {"desk", "actions", "addons", "ops"},
    "desk": {"actions", "addons", "ops"},
    "actions": {"desk", "addons", "ops"},
    "addons": {"desk", "actions", "ops"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    wrong = {
        str(path.relative_to(PROJECT_ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (PROJECT_ROOT / package).rglob("*.py")
    }
    assert {name: pkgs for name, pkgs in wrong.items() if pkgs} == {}


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from desk.app import create_app\nimport ops.launch\n")
    assert imported_packages(module) == {"desk", "ops"}
