"""The package's layers stay apart: read from the source (ast), not from what happens to load.

The checks judge what the generators made without importing them (both import the shared
vocabulary in `conformance.expected`); the emulator takes the credentials it accepts from
`conformance.credentials`, not from the client that sends them; defects and variants bend the
emulator through a narrow interface (`conformance.emulator.bends.Bendable`), and the emulator
applies them without importing either package; and the defect registry holds every defect its
area modules declare, because the registry loads the package, which imports each area.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "conformance"
DEFECTS = PACKAGE / "emulator" / "defects"

# (importer, imported): no module under the first may import a module under the second.
FORBIDDEN = [
    ("conformance.checks", "conformance.strategies"),
    ("conformance.emulator", "conformance.client"),
    # No cycle in the emulator: defects and variants bend `Bendable`, not the app's Emulator,
    # and the app applies them through `conformance.emulator.bends` without importing them.
    ("conformance.emulator.defects", "conformance.emulator.app"),
    ("conformance.emulator.variants", "conformance.emulator.app"),
    ("conformance.emulator.bends", "conformance.emulator.app"),
    ("conformance.emulator.app", "conformance.emulator.defects"),
    ("conformance.emulator.app", "conformance.emulator.variants"),
    # The layers: the reports and the engine are pure of pytest's plugin (nothing imports the
    # command line: test_nothing_imports_the_command_line).
    ("conformance.report", "conformance.pytest_plugin"),
    ("conformance.engine", "conformance.pytest_plugin"),
    ("conformance.config", "conformance.engine"),
    ("conformance.config", "conformance.pytest_plugin"),
]
MOST_MODULES = 12  # per folder: more, and a newcomer cannot tell from the tree where a change goes


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module the file names in an import, wherever the import stands (functions,
    `if TYPE_CHECKING:` blocks too); `from a import b` counts as `a` and as `a.b`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_import_reader_sees_the_shared_modules_from_both_sides() -> None:
    # Were the reader blind, the layer test below would pass on anything.
    graph = _graph()
    assert "conformance.expected" in graph["conformance.checks.generated"]
    assert "conformance.expected" in graph["conformance.strategies.model"]
    assert "conformance.credentials" in graph["conformance.emulator.app"]
    assert "conformance.credentials" in graph["conformance.client.client"]
    assert "conformance.emulator.bends" in graph["conformance.emulator.defects"]
    assert "conformance.emulator.bends" in graph["conformance.emulator.app"]


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN, ids=[f"{a}-{b}" for a, b in FORBIDDEN])
def test_no_layer_imports_across(importer: str, imported: str) -> None:
    leaks = sorted(
        f"{module} imports {name}"
        for module, names in _graph().items()
        if _under(module, importer)
        for name in names
        if _under(name, imported)
    )
    assert not leaks, leaks


def test_nothing_imports_the_command_line() -> None:
    # The top layer: a module of the package that imports it would run (or drag in) a command.
    leaks = sorted(
        f"{module} imports {name}"
        for module, names in _graph().items()
        if not _under(module, "conformance.cli")
        for name in names
        if _under(name, "conformance.cli")
    )
    assert not leaks, leaks


def test_no_folder_of_the_package_holds_more_than_a_dozen_modules() -> None:
    crowded = {
        folder.relative_to(ROOT).as_posix(): n
        for folder in [PACKAGE, *(p.parent for p in PACKAGE.rglob("__init__.py"))]
        if (n := len(list(folder.glob("*.py")))) > MOST_MODULES
    }
    assert crowded == {}


def test_every_subpackage_says_its_job_in_one_line() -> None:
    unsaid = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        first = docstring.split("\n\n", 1)[0]
        if not first or "\n" in first.strip():
            unsaid.append(init.parent.relative_to(ROOT).as_posix())
    assert unsaid == []


# What a bend may assign to: the behaviours' switches and hooks, nothing else of the emulator.
BENDABLE = ("emulator.behaviour", "emulator.services.behaviour")


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes (subscripts read through), else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return _dotted(node.value)
    return None


def monkeypatches(package: Path) -> list[str]:
    """Assignments, in the bends of `package`'s area modules, to an attribute of the emulator's
    objects other than its behaviours' (the store's token maker, the app, a method)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            for target in targets:
                if not isinstance(target, ast.Attribute):
                    continue
                owner = _dotted(target.value)
                if owner is None or not (owner == "emulator" or owner.startswith("emulator.")):
                    continue
                if owner in BENDABLE or owner.startswith(tuple(f"{b}." for b in BENDABLE)):
                    continue
                where = f"{path.relative_to(package.parent)}:{target.lineno}"
                found.append(f"{where}: {owner}.{target.attr} = ...")
    return found


def test_no_defect_or_variant_monkeypatches_the_emulator() -> None:
    # A defect installs a named hook the emulator calls (Behaviour.token_factory, app_layers,
    # request and response hooks), never a replacement of one of its objects' attributes.
    emulator = PACKAGE / "emulator"
    assert monkeypatches(emulator / "defects") + monkeypatches(emulator / "variants") == []


def test_the_monkeypatch_reader_sees_what_it_forbids(tmp_path: Path) -> None:
    area = tmp_path / "defects" / "lifetime.py"
    area.parent.mkdir()
    area.write_text(
        "def _short(emulator):\n"
        "    emulator.store.new_token = lambda: 'x'\n"
        "    emulator.app = None\n"
        "    emulator.behaviour.token_factory = lambda: 'x'\n"
        "    emulator.services.behaviour.metadata['issuer'] = 'x'\n"
        "    emulator.behaviour.client_checks['password'].required = False\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in monkeypatches(tmp_path / "defects")] == [
        "emulator.store.new_token = ...",
        "emulator.app = ...",
    ]


def _declared_per_area(package: Path = DEFECTS, decorator_name: str = "defect") -> Counter[str]:
    """`@defect(...)` (or `@variant(...)`) decorators in each area module of a package, from source."""
    counts: Counter[str] = Counter()
    for path in sorted(package.glob("*.py")):
        if path.stem in ("__init__", "registry"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    call = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(call, ast.Name) and call.id == decorator_name:
                        counts[path.stem] += 1
    return counts


def test_importing_the_defects_package_registers_every_area() -> None:
    # A fresh interpreter: in this one another test may have imported an area module itself.
    script = (
        "import collections, json, conformance.emulator.defects as d; "
        "print(json.dumps(collections.Counter(x.area for x in d.catalogue().values())))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    registered = Counter(json.loads(completed.stdout))
    declared = _declared_per_area()
    # response, lifetime, client, errors, refresh, resource; revocation, introspection, metadata, jwt;
    # client_credentials
    assert len(declared) == 11, declared
    assert registered == declared


def test_importing_the_variants_package_registers_every_area() -> None:
    script = (
        "import collections, json, conformance.emulator.variants as v; "
        "print(json.dumps(collections.Counter(x.apply.__module__.rsplit('.', 1)[-1] "
        "for x in v.variants().values())))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    declared = _declared_per_area(ROOT / "conformance" / "emulator" / "variants", "variant")
    # token_response, token_errors, resource, timing, services, client_credentials
    assert len(declared) == 6, declared
    assert Counter(json.loads(completed.stdout)) == declared
