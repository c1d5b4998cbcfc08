"""A translatable string formatted at import time is fixed in the language of the import
(Vietnamese) for every page: "2 năm" on English pages (issue 11). Format inside a function, or
lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import ansinh

ROOT = Path(ansinh.__file__).parent
TRANSLATORS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext",
               "ngettext_lazy", "npgettext_lazy"}


def _formatted_translations(tree: ast.AST) -> list[int]:
    """Lines where `_("…") % …` or `_("…").format(…)` runs outside any function."""
    lines: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # runs when called, in the caller's language
        call = None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            call = node.left
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "format"):
            call = node.func.value
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id in TRANSLATORS):
            lines.append(call.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return lines


def test_no_translation_is_formatted_at_import_time() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for line in _formatted_translations(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "translated and formatted at import time: " + ", ".join(found)


def test_the_advance_years_choices_follow_the_page_language() -> None:
    from django.utils import translation

    from ansinh.participation.forms import YEAR_CHOICES

    with translation.override("en"):
        assert str(YEAR_CHOICES[1][1]) == "2 years"
    with translation.override("vi"):
        assert str(YEAR_CHOICES[1][1]) == "2 năm"
