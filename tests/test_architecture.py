"""The layering of ``src/smpc_manager``, read from the source with ``ast``: imports point down
the layers and never round in a cycle (package ``__init__`` files included), each
third-party library is imported only in its home package, imports sit at module top, and no
module grows past 600 lines. ``docs/architecture.md`` describes the layers.

The graph has an edge for every ``import`` statement executed when a module is loaded, at
module top or inside a function (a function's import runs when it is called). For
``from smpc_manager.x import y`` the edges go to ``smpc_manager.x`` and, when ``y`` is a module
of its own, to ``smpc_manager.x.y``. A module imported from outside its package also loads
that package's ``__init__`` first, so that gets an edge too. Imports under
``if TYPE_CHECKING:`` never run: they are left out of the cycle and layer checks (annotations
may point up), but they still count for the homes of the third-party libraries. In a
package's ``__init__`` they do count: a package that imports its modules only when one of
its names is first used (:mod:`smpc_manager.exports`) lists its names there for the type
checkers, and those are the modules it depends on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

from .conftest import REPO

SOURCE = REPO / "src"
PACKAGE = "smpc_manager"
MAX_LINES = 600

#: The layers, bottom to top: a module may import from its own layer and those below. Each
#: name is a top-level module or package of smpc_manager (the package's own ``__init__``,
#: which only names the version and the public API, is left to the cycle check).
LAYERS = (
    ("errors", "clock", "locales", "inline", "resources", "files", "boundary", "model",
     "portfolio", "exports", "version", "reports"),
    ("products",),
    ("markets",),
    ("rules",),
    ("catalogs",),
    ("sources",),
    ("render",),
    ("audit", "tooldomain", "consistency"),
    ("builder", "impact"),
    ("cli", "__main__"),
)

#: Each third-party library that only its home packages may import: one each, but for lxml,
#: which the two readers of XML inputs use (the product files, the approved SmPCs).
HOMES = {
    "click": ("smpc_manager.cli",),
    "lxml": ("smpc_manager.products", "smpc_manager.sources"),
    "jinja2": ("smpc_manager.render",),
}


@dataclass(frozen=True)
class Import:
    """One import statement: the module it names (absolute), the names it takes from it,
    its line, and where it stands."""

    target: str
    names: tuple[str, ...]
    line: int
    in_function: bool
    type_checking: bool


@dataclass
class Module:
    name: str
    path: Path
    lines: int
    imports: list[Import] = field(default_factory=list)


def module_name(path: Path, root: Path) -> str:
    """``smpc_manager/render/__init__.py`` -> ``smpc_manager.render``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The absolute module a ``from`` import names, resolving ``from . import x`` and
    ``from ..y import x`` against the importing module."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if is_package else name.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(tree: ast.Module, name: str, is_package: bool) -> Iterator[Import]:
    """Every import statement in ``tree``, with whether it stands in a function body and
    whether only under ``if TYPE_CHECKING:``."""

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, (), node.lineno, in_function, type_checking)
        elif isinstance(node, ast.ImportFrom):
            yield Import(_absolute(node, name, is_package),
                         tuple(alias.name for alias in node.names), node.lineno,
                         in_function, type_checking)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, in_function, type_checking=True)
            for child in node.orelse:
                yield from visit(child, in_function, type_checking)
        else:
            inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for child in ast.iter_child_nodes(node):
                yield from visit(child, inner, type_checking)

    yield from visit(tree, in_function=False, type_checking=False)


def read_modules(root: Path, package: str = PACKAGE) -> dict[str, Module]:
    """Every module of ``root/package``, by its dotted name, with its imports."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = module_name(path, root)
        module = Module(name, path, len(text.splitlines()))
        tree = ast.parse(text, filename=str(path))
        module.imports.extend(_imports(tree, name, path.name == "__init__.py"))
        modules[name] = module
    return modules


def _packages_loaded(target: str, importer: str) -> Iterator[str]:
    """The packages whose ``__init__`` loading ``target`` runs first, as seen from
    ``importer``: those above ``target`` that do not already hold ``importer`` (a module's
    own package is loading already, and the top package holds every module)."""
    parts = target.split(".")
    for end in range(2, len(parts)):
        package = ".".join(parts[:end])
        if not (importer == package or importer.startswith(package + ".")):
            yield package


def import_graph(modules: dict[str, Module], *,
                 with_type_checking: bool = False) -> dict[str, dict[str, int]]:
    """The edges between our modules: importer -> {imported module: line of the import}."""
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for module in modules.values():
        edges = graph[module.name]
        facade = module.path.name == "__init__.py"
        for imp in module.imports:
            if imp.type_checking and not (with_type_checking or facade):
                continue
            modules_named = [f"{imp.target}.{n}" for n in imp.names
                             if f"{imp.target}.{n}" in modules]
            # ``from pkg import module`` from inside ``pkg`` takes the module alone: ``pkg``
            # is loading already, and what its ``__init__`` names is not asked for.
            takes_modules_only = bool(imp.names) and len(modules_named) == len(imp.names) \
                and _inside(module.name, imp.target)
            targets = [*([] if takes_modules_only else [imp.target]), *modules_named]
            for target in targets:
                if target not in modules:
                    continue
                for reached in [*_packages_loaded(target, module.name), target]:
                    if reached != module.name:
                        edges.setdefault(reached, imp.line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each
    sorted: every module in one can reach every other through imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def one_cycle(graph: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """A shortest path of imports from the component's first module back to itself, to
    show in a failure."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target == start:
                    return [*paths[node], start]
                if target in members and target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return component


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    found = read_modules(SOURCE)
    assert {"smpc_manager", "smpc_manager.errors", "smpc_manager.cli"} <= found.keys()
    return found


# ------------------------------------------------------------------ the source's layering


def test_no_import_cycle(modules: dict[str, Module]) -> None:
    graph = import_graph(modules)
    found = cycles(graph)
    messages = []
    for component in found:
        path = one_cycle(graph, component)
        steps = " -> ".join(f"{a} (line {graph[a][b]})" for a, b in pairwise(path))
        messages.append(f"{len(component)} modules import each other: {', '.join(component)}"
                        f"\n    for example {steps} -> {path[-1]}")
    if found:
        pytest.fail("import cycles:\n  " + "\n  ".join(messages), pytrace=False)


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of the room ``module`` is in; None for the top package."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    return next((i for i, rooms in enumerate(LAYERS) if parts[1] in rooms), -1)


def upward_imports(modules: dict[str, Module], root: Path = REPO) -> list[str]:
    """Each import of a module from a layer above its own, as ``path:line: ...``."""
    found = []
    for name, edges in sorted(import_graph(modules).items()):
        low = layer_of(name)
        for target, line in sorted(edges.items()):
            high = layer_of(target)
            if low is not None and high is not None and -1 < low < high:
                found.append(f"{modules[name].path.relative_to(root)}:{line}: {name} imports"
                             f" {target}, a layer above ({', '.join(LAYERS[high])})")
    return found


def test_imports_point_down(modules: dict[str, Module]) -> None:
    unplaced = sorted(m for m in modules if layer_of(m) == -1)
    upward = upward_imports(modules)
    if unplaced or upward:
        pytest.fail("".join([
            f"modules in no layer of LAYERS: {', '.join(unplaced)}\n" if unplaced else "",
            "imports pointing up:\n  " + "\n  ".join(upward) if upward else ""]),
            pytrace=False)


@pytest.mark.parametrize("library", sorted(HOMES))
def test_a_library_only_in_its_home(modules: dict[str, Module], library: str) -> None:
    homes = HOMES[library]
    outside = [f"{module.path.relative_to(REPO)}:{imp.line}: {module.name} imports {imp.target}"
               for module in modules.values()
               if not any(_inside(module.name, home) for home in homes)
               for imp in module.imports if _inside(imp.target, library)]
    if outside:
        pytest.fail(f"{library} is imported outside {', '.join(homes)}:\n  "
                    + "\n  ".join(outside), pytrace=False)


def test_imports_at_module_top(modules: dict[str, Module]) -> None:
    inside = [f"{module.path.relative_to(REPO)}:{imp.line}: {module.name} imports {imp.target}"
              for module in modules.values() for imp in module.imports
              if imp.in_function and not imp.type_checking]
    if inside:
        pytest.fail(f"{len(inside)} import(s) inside a function body:\n  " + "\n  ".join(inside),
                    pytrace=False)


def test_no_module_over_600_lines(modules: dict[str, Module]) -> None:
    long = [f"{module.path.relative_to(REPO)}: {module.name} has {module.lines} lines"
            for module in modules.values() if module.lines > MAX_LINES]
    if long:
        pytest.fail(f"modules over {MAX_LINES} lines:\n  " + "\n  ".join(long), pytrace=False)


# ------------------------------------------------- the checks are not blind: a made-up package


def _package(root: Path, files: dict[str, str]) -> dict[str, Module]:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return read_modules(root, "pkg")


def test_a_cycle_through_a_package_init_is_found(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "from pkg.high import thing\n",
        "high/__init__.py": "from .impl import thing\n",
        "high/impl.py": "from pkg import low\nthing = 1\n",
    })
    graph = import_graph(modules)
    assert cycles(graph) == [["pkg.high", "pkg.high.impl", "pkg.low"]]
    assert one_cycle(graph, ["pkg.high", "pkg.high.impl", "pkg.low"]) == [
        "pkg.high", "pkg.high.impl", "pkg.low", "pkg.high"]


def test_a_module_reached_from_outside_its_package_loads_the_package(tmp_path: Path) -> None:
    """``pkg.low`` imports only ``pkg.high.impl``; Python runs ``pkg/high/__init__.py`` first,
    and that imports ``pkg.low``."""
    modules = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "import pkg.high.impl\n",
        "high/__init__.py": "from pkg import low\n",
        "high/impl.py": "",
    })
    assert cycles(import_graph(modules)) == [["pkg.high", "pkg.low"]]


def test_siblings_in_a_package_and_type_checking_imports_make_no_cycle(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "from .a import A\nfrom .b import B\n",
        "a.py": "from .b import B\nA = B\n",
        "b.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                 "    from pkg.a import A\nB = 1\n"),
    })
    assert cycles(import_graph(modules)) == []
    assert cycles(import_graph(modules, with_type_checking=True)) == [["pkg.a", "pkg.b"]]


def test_an_import_from_a_layer_above_is_found(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "errors.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from pkg.cli import app\n",
        "model.py": "from pkg.errors import x\nfrom pkg.render import y\n",
        "render.py": "from pkg.model import z\n",
        "cli/__init__.py": "", "cli/app.py": "",
    })
    assert upward_imports(modules, tmp_path) == [
        "pkg/model.py:2: pkg.model imports pkg.render, a layer above (render)"]


def test_a_lazy_package_depends_on_the_modules_it_names_for_type_checkers(
        tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "from pkg.high import thing\n",
        "high/__init__.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                             "    from pkg.high.impl import thing\n"
                             "def __getattr__(name): ...\n"),
        "high/impl.py": "from pkg.low import other\nthing = 1\n",
    })
    assert cycles(import_graph(modules)) == [["pkg.high", "pkg.high.impl", "pkg.low"]]


def test_imports_in_functions_and_under_type_checking_are_told_apart(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "m.py": ("import typing\nif typing.TYPE_CHECKING:\n    import lxml.etree\n"
                 "else:\n    import json\n"
                 "def f():\n    import click\n"
                 "class C:\n    def g(self):\n        from . import m\n"),
    })
    found = {(imp.target, imp.in_function, imp.type_checking)
             for imp in modules["pkg.m"].imports}
    assert found == {("typing", False, False), ("lxml.etree", False, True),
                     ("json", False, False), ("click", True, False), ("pkg", True, False)}


def test_a_module_taken_from_a_lazy_top_package_does_not_import_what_it_names(
        tmp_path: Path) -> None:
    """``from pkg import low`` inside ``pkg`` takes the module: the lazy ``pkg/__init__.py``,
    which names ``pkg.high`` for type checkers, is not asked for anything."""
    modules = _package(tmp_path, {
        "__init__.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from pkg.high import thing\n"
                        "def __getattr__(name): ...\n"),
        "low.py": "x = 1\n",
        "high.py": "from pkg import low\nthing = low.x\n",
    })
    assert cycles(import_graph(modules)) == []
    # A name the facade exports, not a module, is asked of it: then the cycle is real.
    modules = _package(tmp_path, {"high.py": "from pkg import thing\n"})
    assert cycles(import_graph(modules)) != []
