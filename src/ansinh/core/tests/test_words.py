"""The amount in words (core/words.py) as a Vietnamese receipt writes it, against the shared
case file that the JavaScript port (core/static/ansinh/words.js) answers in chromium too."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from ansinh.core.words import LIMIT, amount_in_words

CASES = json.loads((Path(__file__).with_name("words_cases.json")).read_text(encoding="utf-8"))
WORDS_JS = Path(__file__).parents[1] / "static" / "ansinh" / "words.js"

# Written by hand from the rules, not by the function: the case file was generated once and
# these hold it (and the function) to what a receipt says.
BY_HAND = {
    0: ("Không đồng", "Zero dong"),
    5: ("Năm đồng", "Five dong"),
    10: ("Mười đồng", "Ten dong"),
    11: ("Mười một đồng", "Eleven dong"),
    14: ("Mười bốn đồng", "Fourteen dong"),
    15: ("Mười lăm đồng", "Fifteen dong"),
    20: ("Hai mươi đồng", "Twenty dong"),
    21: ("Hai mươi mốt đồng", "Twenty-one dong"),
    24: ("Hai mươi tư đồng", "Twenty-four dong"),
    25: ("Hai mươi lăm đồng", "Twenty-five dong"),
    101: ("Một trăm linh một đồng", "One hundred one dong"),
    104: ("Một trăm linh bốn đồng", "One hundred four dong"),
    105: ("Một trăm linh năm đồng", "One hundred five dong"),
    115: ("Một trăm mười lăm đồng", "One hundred fifteen dong"),
    693_000: ("Sáu trăm chín mươi ba nghìn đồng", "Six hundred ninety-three thousand dong"),
    1_000_000: ("Một triệu đồng", "One million dong"),
    1_005_000: ("Một triệu không trăm linh năm nghìn đồng", "One million five thousand dong"),
    1_010_000: ("Một triệu không trăm mười nghìn đồng", "One million ten thousand dong"),
    1_500_000: ("Một triệu năm trăm nghìn đồng", "One million five hundred thousand dong"),
    2_024_000: ("Hai triệu không trăm hai mươi tư nghìn đồng",
                "Two million twenty-four thousand dong"),
    1_000_000_000: ("Một tỷ đồng", "One billion dong"),
    1_000_000_005: ("Một tỷ không trăm linh năm đồng", "One billion five dong"),
    1_000_000_000_000: ("Một nghìn tỷ đồng", "One trillion dong"),
    -693_000: ("Âm sáu trăm chín mươi ba nghìn đồng",
               "Minus six hundred ninety-three thousand dong"),
}


def test_the_amounts_written_by_hand() -> None:
    for amount, (vi, en) in BY_HAND.items():
        assert amount_in_words(amount, "vi") == vi
        assert amount_in_words(amount, "en") == en


def test_the_case_file_holds_the_hand_written_amounts_and_the_edges() -> None:
    by_amount = {case["amount"]: case for case in CASES}
    assert len(CASES) >= 300 and len(by_amount) == len(CASES)
    for amount, (vi, en) in BY_HAND.items():
        assert (by_amount[amount]["vi"], by_amount[amount]["en"]) == (vi, en)
    assert LIMIT - 1 in by_amount


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case["amount"]))
def test_every_case_in_python(case: dict[str, Any]) -> None:
    assert amount_in_words(case["amount"], "vi") == case["vi"]
    assert amount_in_words(case["amount"], "en") == case["en"]


def test_the_rules_hold_over_every_case() -> None:
    """mốt and tư only after mươi; lăm only after mười/mươi; linh only before a unit digit;
    no sentence starts with "không trăm"; a zero group is never read."""
    for case in CASES:
        words = case["vi"].lower().removesuffix(" đồng").split()
        for before, word in pairwise(words):
            if word in ("mốt", "tư"):
                assert before == "mươi", case
            if word == "lăm":
                assert before in ("mười", "mươi"), case
            if before == "linh":
                assert word in ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám",
                                "chín"), case
        assert not case["vi"].startswith("Không trăm"), case
        assert not re.search(r"không (nghìn|triệu|tỷ)", case["vi"]), case


def test_what_is_not_an_amount_is_refused() -> None:
    with pytest.raises(TypeError):
        amount_in_words(1.5, "vi")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        amount_in_words(True, "vi")
    with pytest.raises(ValueError, match="beyond"):
        amount_in_words(LIMIT, "vi")


@pytest.mark.browser
def test_the_javascript_port_gives_the_same_words_in_chromium(phone_page: Any) -> None:
    page = phone_page
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(WORDS_JS))
    answers = page.evaluate("""(cases) => cases.map(c => [
        window.AnsinhWords.amountInWords(c.amount, 'vi'),
        window.AnsinhWords.amountInWords(c.amount, 'en')])""", CASES)
    wrong = [(case["amount"], got) for case, got in zip(CASES, answers, strict=True)
             if got != [case["vi"], case["en"]]]
    assert not wrong, wrong[:5]
    refused = page.evaluate("""() => [1.5, '5', 1e15].map(v => {
        try { window.AnsinhWords.amountInWords(v, 'vi'); return 'accepted'; }
        catch (e) { return e.name; } })""")
    assert refused == ["TypeError", "TypeError", "RangeError"]
