"""The shape of the code (docs/architecture.md, ADR 8): small modules, no private imports across
modules, no import cycle, and import contracts that fail when a layer is crossed."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("cipnet", "config")
MAX_LINES = 600


def project_modules(*, with_tests: bool = False) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module outside migrations (and tests, unless asked)."""
    for package in (*PACKAGES, "tests", "bench") if with_tests else PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or ("tests" in parts and not with_tests):
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def production_modules() -> Iterator[tuple[str, Path]]:
    return project_modules()


def test_no_module_is_over_600_lines() -> None:
    too_long = {
        name: count
        for name, path in production_modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules by use case (at most {MAX_LINES} lines each)"


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


MODULES = {name for name, _path in project_modules(with_tests=True)}
IMPORTABLE = ("cipnet", "config", "tests", "bench")


def private_imports(module: str, path: Path) -> Iterator[str]:
    """Private names this module takes from another project module, as "line: what" (a private
    attribute of a class, like `Model._meta`, is not an import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    aliases: dict[str, str] = {}  # local name -> project module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] not in IMPORTABLE or base == module:
                continue
            for alias in node.names:
                if is_private(alias.name):
                    yield f"{node.lineno}: from {base} import {alias.name}"
                elif f"{base}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and is_private(node.attr)
        ):
            yield f"{node.lineno}: {aliases[node.value.id]}.{node.attr}"


def test_no_private_name_is_imported_across_modules() -> None:
    # Tests too: a test that needs a helper uses its public name, as the code does.
    found = {
        name: hits for name, path in project_modules(with_tests=True) if (hits := list(private_imports(name, path)))
    }
    assert found == {}, "a name shared between modules is public: drop its underscore"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_strongly_connected_finds_a_cycle_and_only_cycles() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    production = {name for name in graph.modules if ".tests" not in name and ".migrations" not in name}
    edges = {
        name: {
            imported
            for imported in graph.find_modules_directly_imported_by(name)
            if imported in production and not name.startswith(f"{imported}.")  # a package's own __init__
        }
        for name in production
    }
    assert strongly_connected(edges) == []


# --- The import contracts ------------------------------------------------------------------------


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(  # noqa: S603  (our own tool, fixed arguments)
        [str(executable), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def python_only(folder: str, names: list[str]) -> list[str]:
    """For `shutil.copytree`: leave out everything but Python files and folders."""
    return [n for n in names if n == "__pycache__" or (not n.endswith(".py") and not (Path(folder) / n).is_dir())]


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's Python sources and contracts, copied so a test can break them safely."""
    root = tmp_path_factory.mktemp("contracts")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=python_only)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_import_contracts_are_kept(source_copy: Path) -> None:
    result = lint_imports(source_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_across_a_layer_breaks_a_contract_and_is_named(source_copy: Path) -> None:
    probe = source_copy / "cipnet" / "core" / "contract_probe.py"
    probe.write_text("from cipnet.appeals import models  # core may not import a domain app\n", encoding="utf-8")
    try:
        result = lint_imports(source_copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "cipnet.core.contract_probe -> cipnet.appeals.models" in result.stdout


def test_a_service_importing_a_view_breaks_a_contract(source_copy: Path) -> None:
    probe = source_copy / "cipnet" / "eservices" / "services.py"
    original = probe.read_text(encoding="utf-8")
    probe.write_text(original + "\nfrom cipnet.eservices import views  # noqa\n", encoding="utf-8")
    try:
        result = lint_imports(source_copy)
    finally:
        probe.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "cipnet.eservices.services -> cipnet.eservices.views" in result.stdout


def test_one_domain_app_importing_another_breaks_a_contract(source_copy: Path) -> None:
    probe = source_copy / "cipnet" / "appeals" / "contract_probe.py"
    probe.write_text("from cipnet.equeue import models  # domain apps are independent\n", encoding="utf-8")
    try:
        result = lint_imports(source_copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "cipnet.appeals.contract_probe -> cipnet.equeue.models" in result.stdout
