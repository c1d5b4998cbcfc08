"""The apps form layers: each imports only the apps below it, at module level.

Parses every module of the project (tests and migrations aside) and fails on an import of an
app above (or beside) the importing one, on a cross-app import inside a function (which hides a
dependency until it runs), and on a template that includes or extends another app's template
from above. `docs/architecture.md` must show the same layers and the same edges.

An import inside `AppConfig.ready()` counts as a module-level one: Django loads `apps.py` before
the models, so the registrations the lower apps offer (hand-over steps, lapse follow-ups, the
territory) can only be made there.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # src/ansinh
DOCS = PACKAGE.parents[1] / "docs" / "architecture.md"

# Bottom first. An app may import the apps before it in this list, never those after it.
LAYERS = (
    "policy", "core", "rules", "registry", "network", "participation", "collection",
    "outreach", "retention", "reminders", "reports", "field", "calculator", "api", "demo",
)
# The project's own modules (settings, URLs, the console script, `make bench`) sit on top; the
# bench's workers import the apps inside functions, after `django.setup()`.
PROJECT = "(project)"

# (importing module, imported app): why this edge is allowed. Keep it short.
ALLOWED: dict[tuple[str, str], str] = {}


def _app_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else PROJECT


def _modules() -> list[Path]:
    return [
        path for path in PACKAGE.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(PACKAGE).parts)
    ]


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported app, line, inside a function other than AppConfig.ready) of `path`."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                nested = in_function or not (path.name == "apps.py" and child.name == "ready")
            names: list[str] = []
            if isinstance(child, ast.ImportFrom) and not child.level and child.module:
                names = [child.module]
            elif isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "ansinh" and len(parts) > 1 and parts[1] in LAYERS:
                    assert isinstance(child, ast.stmt)
                    found.append((parts[1], child.lineno, nested))
            visit(child, nested)

    visit(ast.parse(path.read_text()), False)
    return found


def _rank(app: str) -> int:
    return len(LAYERS) if app == PROJECT else LAYERS.index(app)


def edges() -> dict[str, set[str]]:
    """{app: the apps its modules import}."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _modules():
        app = _app_of(path)
        for used, _line, _nested in _imports(path):
            if used != app:
                graph[app].add(used)
    return graph


def test_every_app_has_a_layer() -> None:
    apps = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert apps == set(LAYERS), "add the new app to LAYERS (and to docs/architecture.md)"


def test_imports_point_down_and_sit_at_module_level() -> None:
    problems = []
    for path in _modules():
        app = _app_of(path)
        name = str(path.relative_to(PACKAGE))
        for used, line, nested in _imports(path):
            if used == app or (name, used) in ALLOWED:
                continue
            if _rank(used) >= _rank(app):
                problems.append(f"{name}:{line} imports {used}, which is not below {app}")
            elif nested and app != PROJECT:
                problems.append(f"{name}:{line} imports {used} inside a function")
    assert not problems, "\n".join(problems)


def test_the_apps_form_no_cycle() -> None:
    graph = edges()
    seen: dict[str, int] = {}  # 1: on the path, 2: done
    cycles: list[str] = []

    def walk(app: str, path: list[str]) -> None:
        seen[app] = 1
        for used in sorted(graph.get(app, ())):
            if seen.get(used) == 1:
                cycles.append(" → ".join([*path[path.index(used):], used]))
            elif used not in seen:
                walk(used, [*path, used])
        seen[app] = 2

    for app in sorted(graph):
        if app not in seen:
            walk(app, [app])
    assert not cycles, "\n".join(cycles)


TEMPLATE_TAG = re.compile(r"""{%\s*(?:include|extends)\s+["']([\w/.-]+)["']""")


def test_templates_use_only_templates_from_below() -> None:
    owner = {str(path.relative_to(path.parents[len(path.relative_to(PACKAGE).parts) - 3])):
             path.relative_to(PACKAGE).parts[0]
             for path in PACKAGE.glob("*/templates/**/*.html")}
    problems = []
    for template in PACKAGE.glob("*/templates/**/*.html"):
        app = _app_of(template)
        for match in TEMPLATE_TAG.finditer(template.read_text()):
            used = owner.get(match.group(1))
            if used is not None and used != app and _rank(used) >= _rank(app):
                problems.append(f"{template.relative_to(PACKAGE)} uses {match.group(1)}, "
                                f"which {used} owns and is not below {app}")
    assert not problems, "\n".join(problems)


def documented_table() -> str:
    graph = edges()
    rows = [f"| {app} | {', '.join(sorted(graph.get(app, ()), key=_rank)) or '—'} |"
            for app in (*LAYERS, PROJECT)]
    return "\n".join(["| layer (bottom first) | imports |", "|---|---|", *rows])


def test_the_architecture_document_shows_the_same_graph() -> None:
    expected = documented_table()
    text = DOCS.read_text() if DOCS.exists() else ""
    assert expected in text, (
        f"docs/architecture.md must hold this table (the imports as they are):\n\n{expected}")
