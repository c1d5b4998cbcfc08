"""What pages show of the engine is in the page's language only (issue 11): the legal
references, the reasons a benefit is (not) open, the engine's refusals."""

from __future__ import annotations

from datetime import date

from django.template import Context, Template
from django.utils import translation

from ansinh.policy import IncomeOutOfRange, contribution_quote, load_default_tree
from ansinh.policy.results import AGE_NOT_REACHED, Reason
from ansinh.rules import presenting


def _references(language: str) -> list[str]:
    quote = contribution_quote(date(2026, 3, 1), 2_000_000, ("other",),
                               tree=load_default_tree())
    with translation.override(language):
        return [f"{ref.document}, {ref.article}" for ref in presenting.references(quote)]


def test_legal_references_are_vietnamese_on_vietnamese_pages() -> None:
    worded = _references("vi")
    assert "Luật Bảo hiểm xã hội số 41/2024/QH15, Điều 31 khoản 2" in worded
    assert not [ref for ref in worded if "Law" in ref or "Decree" in ref or "Art." in ref]


def test_legal_references_are_english_on_english_pages() -> None:
    worded = _references("en")
    assert "Law on Social Insurance 41/2024/QH15, Art. 31(2)" in worded
    assert not [ref for ref in worded if "Luật" in ref or "Nghị định" in ref or "Điều" in ref]


def test_a_reason_is_worded_in_the_page_language_and_the_cli_keeps_both() -> None:
    too_few = Reason("too_few_months", "Đóng dưới 60 tháng", "fewer than 60 months",
                     (("months", 60),))
    assert str(AGE_NOT_REACHED) == "Chưa đủ tuổi nghỉ hưu / retirement age not reached"
    page = Template("{% load policy_text %}{{ r|reason }} · {{ t|reason }}")
    with translation.override("vi"):
        assert page.render(Context({"r": AGE_NOT_REACHED, "t": too_few})) == (
            "Chưa đủ tuổi nghỉ hưu · Đóng dưới 60 tháng")
    with translation.override("en"):
        assert page.render(Context({"r": AGE_NOT_REACHED, "t": too_few})) == (
            "Retirement age not reached · Fewer than 60 months of contributions")


def test_every_reason_code_of_the_engine_has_its_words() -> None:
    import ast
    import inspect

    import ansinh.policy as policy

    codes = set()
    for module in ("benefits", "contribution", "lump_sum", "pension", "results"):
        tree = ast.parse(inspect.getsource(getattr(policy, module)))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Reason"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    assert codes and codes <= set(presenting.REASONS), codes - set(presenting.REASONS)


def test_a_refusal_of_the_engine_is_in_the_page_language() -> None:
    refusal = IncomeOutOfRange(200, 1_500_000, 46_800_000)
    with translation.override("vi"):
        assert presenting.policy_message(refusal).startswith("Thu nhập 200 đ nằm ngoài")
    with translation.override("en"):
        assert presenting.policy_message(refusal).startswith("income 200 VND is outside")
