"""The packages' facades: every name they export exists, and type checkers see the same names
as the code (a lazy facade lists its names twice: for the import and for type checkers)."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

PACKAGES = ["smpc_manager", "smpc_manager.builder", "smpc_manager.catalogs",
            "smpc_manager.markets", "smpc_manager.products", "smpc_manager.render",
            "smpc_manager.rules"]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_exists(name: str) -> None:
    package = importlib.import_module(name)
    for exported in package.__all__:
        assert getattr(package, exported) is not None, f"{name}.{exported}"


@pytest.mark.parametrize("name", PACKAGES)
def test_a_lazy_facade_lists_the_same_names_three_times(name: str) -> None:
    package = importlib.import_module(name)
    names = getattr(package, "EXPORTS", None)
    if names is None:
        pytest.skip("an eager facade")
    tree = ast.parse(inspect.getsource(package))
    checked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    module = (statement.module or "").removeprefix(f"{name}.")
                    for alias in statement.names:
                        checked.add(alias.asname or alias.name)
                        assert names[alias.asname or alias.name] == module, alias.name
    assert checked == set(names)
    assert set(package.__all__) - {"__version__"} == set(names)
    assert set(dir(package)) == set(names)
