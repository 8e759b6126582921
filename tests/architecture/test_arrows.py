"""The arrows of the design run one way: each box imports only the boxes below it.

Every ``import`` in ``src/metalstat`` is read with ``ast`` (module-level and function-level
alike: a lazy import is still an arrow), mapped to its box, and checked against ALLOWED. The
checker itself is tested on made-up graphs, so a broken checker cannot pass silently.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import metalstat

SRC = Path(metalstat.__file__).parent

# box -> the boxes it may import (itself always). Django is allowed from core upwards.
ALLOWED: dict[str, set[str]] = {
    "catalog": set(),
    "engine": {"catalog"},
    "core": {"catalog", "engine"},
    "registry": {"core", "catalog", "engine"},
    "survey": {"registry", "core", "catalog", "engine"},
    "releases": {"survey", "registry", "core", "catalog", "engine"},
    "report": {"releases", "survey", "registry", "core", "catalog", "engine"},
    "spreadsheets": {"survey", "registry", "core", "catalog", "engine"},
    "subscriptions": {"releases", "core", "catalog", "engine"},
    # api.respondents (the respondents' channel) alone reads survey: see NARROW below
    "api": {"survey", "subscriptions", "releases", "core", "catalog", "engine"},
    "delivery": {"api", "subscriptions", "releases", "core", "catalog", "engine"},
    # workspace.preview alone drafts through the report (the commentary's preview): see NARROW
    "workspace": {"report", "releases", "survey", "registry", "core", "catalog", "engine"},
    "demo": {
        "delivery",
        "subscriptions",
        "spreadsheets",
        "report",
        "releases",
        "survey",
        "registry",
        "core",
        "catalog",
        "engine",
    },
    "portal": {"delivery", "api", "subscriptions", "report", "releases", "core", "catalog", "engine"},
    "project": {"core", "registry", "survey", "releases", "api", "portal", "delivery", "workspace"},
    "cli": {"core", "catalog", "engine"},  # subcommands are named as strings, imported lazily
}
PURE = {"catalog", "engine"}  # no Django, no app
# Arrows allowed to one module of a box only: (importer box, imported box) -> the importers.
NARROW: dict[tuple[str, str], set[str]] = {
    ("api", "survey"): {"metalstat.api.respondents"},
    ("workspace", "report"): {"metalstat.workspace.preview"},
}


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from metalstat.survey import actions" imports the module survey.actions
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the metalstat modules and top-level third-party packages it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        graph[module_name(path)] = imports_of(path)
    return graph


def box_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "metalstat" or len(parts) < 2:
        return None
    return parts[1]


def wrong_arrows(graph: Mapping[str, set[str]]) -> list[str]:
    """Every import that breaks the layering, as 'importer -> imported: why'."""
    known = set(graph)
    problems = []
    for module, imported in sorted(graph.items()):
        box = box_of(module)
        if module == "metalstat":
            continue  # the package itself
        if box is None or box not in ALLOWED:
            problems.append(f"{module}: not in a known box (add it to ALLOWED)")
            continue
        for target in sorted(imported):
            if target.split(".")[0] == "django" and box in PURE:
                problems.append(f"{module} -> {target}: {box} stays pure (no Django)")
                continue
            to = box_of(target)
            if to is None:
                continue
            if target not in known and not any(k.startswith(target + ".") for k in known):
                continue  # "from metalstat.x import name": the module part is listed too
            if to == "cli" and box != "cli":
                problems.append(f"{module} -> {target}: nothing imports the command line")
            elif to != box and to not in ALLOWED[box]:
                problems.append(f"{module} -> {target}: {box} may not import {to}")
            elif (box, to) in NARROW and module not in NARROW[box, to]:
                only = ", ".join(sorted(NARROW[box, to]))
                problems.append(f"{module} -> {target}: only {only} of {box} imports {to}")
    return problems


def mutual_imports(graph: Mapping[str, set[str]]) -> list[str]:
    """Pairs of modules that import each other."""
    pairs = []
    for a, imported in graph.items():
        for b in imported:
            if b != a and b in graph and a in graph[b] and a < b:
                pairs.append(f"{a} <-> {b}")
    return sorted(pairs)


def test_every_arrow_runs_one_way() -> None:
    assert wrong_arrows(import_graph()) == []


def test_no_two_modules_import_each_other() -> None:
    assert mutual_imports(import_graph()) == []


def test_the_graph_is_read_from_the_sources() -> None:
    graph = import_graph()
    assert "metalstat.engine.cycle" in graph and "metalstat.core.tabular.runner" in graph
    # lazy imports inside functions count as arrows too
    assert "metalstat.core.startup" in graph["metalstat.report.commands"]


# The checker on made-up graphs: each rule catches the arrow it is about.


def test_checker_catches_an_arrow_the_wrong_way() -> None:
    graph = {
        "metalstat.registry.actions": {"metalstat.releases.queries"},
        "metalstat.releases.queries": set(),
    }
    assert wrong_arrows(graph) == [
        "metalstat.registry.actions -> metalstat.releases.queries: registry may not import releases"
    ]


def test_checker_catches_django_in_the_engine_and_core_importing_an_app() -> None:
    graph = {
        "metalstat.engine.cycle": {"django.db"},
        "metalstat.core.changelog": {"metalstat.registry.models"},
        "metalstat.registry.models": set(),
    }
    assert len(wrong_arrows(graph)) == 2


def test_checker_catches_an_app_importing_the_command_line() -> None:
    graph = {"metalstat.survey.frames": {"metalstat.cli"}, "metalstat.cli": set()}
    assert wrong_arrows(graph) == ["metalstat.survey.frames -> metalstat.cli: nothing imports the command line"]


def test_checker_catches_two_modules_importing_each_other() -> None:
    graph = {"metalstat.core.a": {"metalstat.core.b"}, "metalstat.core.b": {"metalstat.core.a"}}
    assert mutual_imports(graph) == ["metalstat.core.a <-> metalstat.core.b"]


def test_checker_catches_a_narrow_arrow_taken_by_another_module() -> None:
    graph = {
        "metalstat.api.data": {"metalstat.survey.models"},
        "metalstat.api.respondents": {"metalstat.survey.respondents"},
        "metalstat.survey.models": set(),
        "metalstat.survey.respondents": set(),
    }
    assert wrong_arrows(graph) == [
        "metalstat.api.data -> metalstat.survey.models: only metalstat.api.respondents of api imports survey"
    ]
