"""Loading, validation, the lookup rule and office overrides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ansinh.policy import (
    Override,
    ParameterFileError,
    ParameterNotFound,
    ParameterTree,
    Reference,
    contribution_quote,
    load_default_tree,
    load_tree,
)
from ansinh.policy.parameters import CONFIDENCES, UNITS

GOOD = """\
description: test value
unit: currency-VND
values:
  2020-01-01:
    value: 100
    reference: {document: "Decree 1", article: "Art. 1", link: "",
                document_vi: "Nghị định 1", article_vi: "Điều 1"}
    confidence: confirmed
  2021-01-01:
    value: 200
    reference: {document: "Decree 2", article: "Art. 2", link: "https://example.org/2",
                document_vi: "Nghị định 2", article_vi: "Điều 2"}
    confidence: secondary
  2022-01-01:
    value: null
    reference: {document: "Decree 3", article: "Art. 3", link: "",
                document_vi: "Nghị định 3", article_vi: "Điều 3"}
    confidence: confirmed
"""


def write(tmp_path: Path, text: str, name: str = "group/value.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path


def test_default_tree_loads_and_is_cached() -> None:
    tree = load_default_tree()
    assert tree is load_default_tree()
    assert "contribution.rate" in tree.names()
    for name in tree.names():
        param = tree.parameter(name)
        assert param.unit in UNITS
        for entry in param.entries:
            assert entry.confidence in CONFIDENCES
            assert entry.reference.document
            assert entry.reference.article


def test_lookup_latest_start_on_or_before_and_null_ends(tmp_path: Path) -> None:
    tree = load_tree(write(tmp_path, GOOD))
    assert tree.find("group.value", date(2019, 12, 31)) is None
    assert tree.get("group.value", date(2020, 1, 1)).value == 100
    assert tree.get("group.value", date(2020, 12, 31)).value == 100
    assert tree.get("group.value", date(2021, 1, 1)).value == 200
    assert tree.find("group.value", date(2022, 1, 1)) is None
    with pytest.raises(ParameterNotFound, match=r"group\.value"):
        tree.get("group.value", date(2023, 5, 1))


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (GOOD.replace("unit: currency-VND", "unit: dollars"), "unit"),
        (GOOD.replace("value: 100", "value: 100.5"), "float"),
        (GOOD.replace("value: 100", 'value: "abc"'), "number"),
        (
            GOOD.replace(
                '    reference: {document: "Decree 1", article: "Art. 1", link: "",\n'
                '                document_vi: "Nghị định 1", article_vi: "Điều 1"}\n', ""
            ),
            "reference",
        ),
        # the Vietnamese wording is required, and each wording is in its own language
        (GOOD.replace(', article_vi: "Điều 1"', ""), "article_vi"),
        (GOOD.replace('document_vi: "Nghị định 2"', 'document_vi: "Decree 2"'), "document_vi"),
        (GOOD.replace('article: "Art. 3"', 'article: "Điều 3"'), "english"),
        (GOOD.replace('document: "Decree 1"', 'document: ""'), "document"),
        (GOOD.replace('link: "https://example.org/2"', 'link: "example.org"'), "link"),
        (GOOD.replace("confidence: secondary", "confidence: sure"), "confidence"),
        (GOOD.replace("2021-01-01:", "2020-01-01:"), "duplicate"),
        (GOOD.replace("2021-01-01:", '"2020-01-01":'), "duplicate"),
        (GOOD.replace("2021-01-01:", "2021-13-01:"), "month"),
        (GOOD.replace("description: test value\n", ""), "description"),
        (GOOD + "extra: 1\n", "unknown"),
        ("just a string\n", "mapping"),
        ("description: x\nunit: /1\nvalues: {}\n", "values"),
        ("description: [unclosed\n", "expected"),
    ],
)
def test_broken_files_fail_loudly_with_the_file_name(
    tmp_path: Path, broken: str, problem: str
) -> None:
    write(tmp_path, GOOD, "ok.yaml")
    write(tmp_path, broken, "law/broken.yaml")
    with pytest.raises(ParameterFileError) as info:
        load_tree(tmp_path)
    message = str(info.value)
    assert "broken.yaml" in message
    assert problem in message.lower()


def test_empty_directory_fails(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError):
        load_tree(tmp_path)


REF = Reference("Official Letter 999/BHXH-ĐTQ", "whole letter", "")


def test_fund_yield_override_changes_advance_total_only_from_its_date(tree: ParameterTree) -> None:
    overridden = tree.with_overrides(
        [Override("contribution.fund_yield", date(2026, 9, 1), Decimal("0.004"), REF, "confirmed")]
    )

    def advance(on: date, t: ParameterTree) -> int:
        return contribution_quote(on, 2_000_000, mode="advance", years=5, tree=t).total

    before, from_date = date(2026, 8, 31), date(2026, 9, 1)
    assert advance(before, overridden) == advance(before, tree)
    assert advance(from_date, overridden) < advance(from_date, tree)
    # The monthly quote does not use the yield at all.
    assert (
        contribution_quote(from_date, 2_000_000, tree=overridden).total
        == contribution_quote(from_date, 2_000_000, tree=tree).total
    )
    quote = contribution_quote(from_date, 2_000_000, mode="advance", years=5, tree=overridden)
    assert quote.fund_yield == Decimal("0.004")
    used = {p.name: p for p in quote.parameters}
    assert used["contribution.fund_yield"].reference == REF
    # The shipped tree is untouched.
    assert load_default_tree().get("contribution.fund_yield", from_date).value == Decimal("0.0031")


def test_override_same_start_replaces_and_is_validated(tree: ParameterTree) -> None:
    t = tree.with_overrides(
        [Override("general.reference_level", date(2026, 7, 1), 2_600_000, REF, "confirmed")]
    )
    assert t.get("general.reference_level", date(2026, 7, 1)).value == 2_600_000
    assert t.get("general.reference_level", date(2026, 6, 30)).value == 2_340_000
    assert contribution_quote(date(2026, 8, 1), 1_500_000, tree=t).ceiling == 52_000_000
    with pytest.raises(ParameterFileError, match="unknown parameter"):
        tree.with_overrides([Override("no.such", date(2026, 1, 1), 1, REF)])
    with pytest.raises(ParameterFileError, match="float"):
        tree.with_overrides([Override("contribution.fund_yield", date(2026, 1, 1), 0.004, REF)])
    with pytest.raises(ParameterFileError, match="confidence"):
        tree.with_overrides(
            [Override("contribution.fund_yield", date(2026, 1, 1), Decimal("0.004"), REF, "maybe")]
        )


def test_huế_top_up_override_reaches_the_quote(tree: ParameterTree) -> None:
    t = tree.with_overrides(
        [
            Override(
                "subsidy.local_top_up_amount",
                date(2026, 1, 1),
                {"hue": {"ethnic_minority": 30000}},
                REF,
                "confirmed",
            )
        ]
    )
    q = contribution_quote(date(2026, 2, 1), 1_500_000, ("ethnic_minority",), tree=t)
    assert (q.support_monthly, q.local_support_monthly, q.net_monthly) == (99_000, 30_000, 201_000)
    q0 = contribution_quote(date(2025, 12, 31), 1_500_000, ("ethnic_minority",), tree=t)
    assert q0.local_support_monthly == 0


def test_docs_list_every_provisional_value(tree: ParameterTree) -> None:
    docs = Path(__file__).resolve().parents[4] / "docs" / "policy.md"
    text = docs.read_text(encoding="utf-8")
    for name in tree.names():
        for entry in tree.parameter(name).entries:
            if entry.provisional:
                assert f"| `{name}` | {entry.start.isoformat()} |" in text, (name, entry.start)


def test_every_reference_is_worded_in_both_languages() -> None:
    """Vietnamese pages word a reference in Vietnamese, English ones in English (issue 11)."""
    tree = load_default_tree()
    for name in tree.names():
        for entry in tree.parameter(name).entries:
            ref = entry.reference
            assert ref.in_language("vi") == (ref.document_vi, ref.article_vi), name
            assert "Art." not in ref.article_vi and "Law" not in ref.document_vi, name
            assert ref.in_language("en") == (ref.document, ref.article), name
