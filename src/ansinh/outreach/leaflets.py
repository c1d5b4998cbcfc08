"""Leaflets that are never out of date: the office's text, the policy engine's numbers.

A leaflet template is plain text. A blank line starts a paragraph, a line starting with "# " is
a heading, lines starting with "- " are a list. A line holding only a block placeholder is
replaced by a table or list computed for the day of printing:

    {bang_muc_dong}     the lowest monthly payment for each category after the state subsidy
    {phuong_thuc_dong}  the payment modes and what one payment costs at the lowest income
    {luong_huu}         what a pension and its health-insurance card bring
    {rut_mot_lan}       why the lump sum costs more than it gives (a worked example)

and anywhere in the text: {nhan_vien} (the agent's name), {dien_thoai} (the agent's phone),
{ngay} (the day of printing), {thu_nhap_thap_nhat} (the lowest declared income).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ansinh.core.errors import Refused
from ansinh.core.templatetags.money import format_vnd
from ansinh.policy import (
    ContributionPeriod,
    ParameterTree,
    contribution_quote,
    household_hi,
    income_bounds,
    lump_sum,
    pension_rate,
)
from ansinh.policy.money import add_months, vnd

from .models import LeafletLanguage, LeafletTemplate

BLOCKS = ("bang_muc_dong", "phuong_thuc_dong", "luong_huu", "rut_mot_lan")
INLINE = ("nhan_vien", "dien_thoai", "ngay", "thu_nhap_thap_nhat")
EXAMPLE_YEARS = 10  # the worked lump-sum example: ten years paid at the lowest income

DEFAULT_TITLE = "Tham gia BHXH tự nguyện — để tuổi già có lương hưu"
DEFAULT_BODY = """\
Bảo hiểm xã hội tự nguyện là chính sách của Nhà nước cho người làm nông, buôn bán nhỏ, làm tự do. \
Bạn đóng tiền hằng tháng hoặc theo mùa vụ; Nhà nước hỗ trợ một phần tiền đóng. \
Khi đến tuổi nghỉ hưu, bạn có lương hưu hằng tháng và thẻ bảo hiểm y tế.

# Mỗi tháng đóng ít nhất bao nhiêu?
Tính theo mức thu nhập thấp nhất ({thu_nhap_thap_nhat} một tháng), sau khi Nhà nước hỗ trợ:
{bang_muc_dong}

# Đóng thế nào cho tiện?
{phuong_thuc_dong}

# Lương hưu và thẻ bảo hiểm y tế
{luong_huu}

# Vì sao không nên rút bảo hiểm xã hội một lần?
{rut_mot_lan}

# Hỏi thêm ở đâu?
Nhân viên thu: {nhan_vien} — điện thoại {dien_thoai}.
Hoặc đến cơ quan bảo hiểm xã hội gần nhất. Các con số tính theo quy định ngày {ngay}.
"""


@dataclass(frozen=True)
class Facts:
    on: date
    floor: int
    payments: list[tuple[str, int, int, Decimal]]  # (category label, net, support, rate)
    modes: list[tuple[str, int, int | None]]  # (label, months, amount per payment)
    rates: dict[str, Decimal]
    hi_card_year: int
    example: dict[str, int]


CATEGORY_LABELS = {
    "poor": "Người thuộc hộ nghèo",
    "near_poor": "Người thuộc hộ cận nghèo",
    "ethnic_minority": "Người dân tộc thiểu số",
    "other": "Người khác",
}
MODE_LABELS = {
    "monthly": "Hằng tháng", "quarterly": "3 tháng một lần", "half_yearly": "6 tháng một lần",
    "yearly": "12 tháng một lần", "advance": "Đóng trước nhiều năm một lần",
}


def facts(on: date, tree: ParameterTree) -> Facts:
    floor = income_bounds(on, tree).floor
    payments = []
    for category in CATEGORY_LABELS:
        quote = contribution_quote(on, floor, (category,), "monthly", tree=tree)
        payments.append((_(CATEGORY_LABELS[category]), quote.net_monthly,
                         quote.support_monthly + quote.local_support_monthly, quote.support_rate))
    lengths_pv = tree.find("contribution.payment_modes", on)
    lengths: dict[str, Any] = (dict(lengths_pv.value) if lengths_pv is not None
                               and isinstance(lengths_pv.value, dict) else {})
    modes: list[tuple[str, int, int | None]] = []
    for mode, months in lengths.items():
        quote = contribution_quote(on, floor, ("ethnic_minority",), mode, tree=tree)
        modes.append((_(MODE_LABELS.get(mode, mode)), int(months), quote.total))
    if tree.find("contribution.advance_years", on) is not None:
        modes.append((_(MODE_LABELS["advance"]), 0, None))
    rates = {"F15": pension_rate("F", Decimal(15), on, tree),
             "M15": pension_rate("M", Decimal(15), on, tree),
             "M20": pension_rate("M", Decimal(20), on, tree),
             "max": pension_rate("F", Decimal(40), on, tree)}
    card = household_hi(on, 1, 12, tree).total
    last = add_months(on.replace(day=1), -1)
    history = (ContributionPeriod(add_months(last, -12 * EXAMPLE_YEARS + 1), last, floor,
                                  "ethnic_minority"),)
    cash = lump_sum(history, on, "retirement_age", tree)
    pension_15 = vnd(rates["F15"] * floor)
    example = {"years": EXAMPLE_YEARS, "paid": cash.contributions_paid, "support":
               cash.support_deducted, "amount": cash.amount, "pension_min": pension_15,
               "months_equal": -(-cash.amount // pension_15) if pension_15 else 0}
    return Facts(on, floor, payments, modes, rates, card, example)


def latest_templates(office_id: int | None) -> dict[str, LeafletTemplate]:
    """The latest version of each language the office has written."""
    if office_id is None:
        return {}
    found: dict[str, LeafletTemplate] = {}
    for template in LeafletTemplate.objects.filter(office_id=office_id).order_by(
        "language", "-version"
    ):
        found.setdefault(template.language, template)
    return found


@dataclass(frozen=True)
class LanguageOption:
    code: str
    label: str
    available: bool  # Vietnamese always (the built-in text); another only with the office's text


def languages(office_id: int | None) -> list[LanguageOption]:
    """Every leaflet language, and whether a leaflet can be printed in it. A minority language
    is offered only once the office has written its text: the app never pretends to translate."""
    written = latest_templates(office_id)
    return [LanguageOption(code, str(label), code == LeafletLanguage.VI or code in written)
            for code, label in LeafletLanguage.choices]


# The leaflet's `lang` attribute (ISO 639-3 for the Katuic languages of A Lưới), so that a
# screen reader or a hyphenation engine does not read Tà Ôi as Vietnamese.
HTML_LANG: dict[str, str] = {LeafletLanguage.VI: "vi", LeafletLanguage.TA_OI: "tth",
             LeafletLanguage.PA_KO: "pac", LeafletLanguage.CO_TU: "ktv"}


class NoTranslation(Refused):
    """A leaflet asked for in a language the office has not written (or no language at all)."""

    def __init__(self, language: str) -> None:
        label = dict(LeafletLanguage.choices).get(language)
        if label is None:
            super().__init__(f"Không có ngôn ngữ tờ rơi «{language}».",
                             f"There is no leaflet language \"{language}\".")
            return
        with translation.override("vi"):
            vi = str(label)
        with translation.override("en"):
            en = str(label)
        vi = vi[:1].lower() + vi[1:]
        super().__init__(
            f"Chưa có bản dịch tờ rơi sang {vi}: cơ quan cần nhập nội dung bằng {vi} trước.",
            f"There is no leaflet translation into {en} yet: the office must enter its text "
            f"in {en} first.")


def template_for(office_id: int | None, language: str) -> tuple[str, str, int]:
    """(title, body, version) of the leaflet in ``language`` (version 0: the built-in
    Vietnamese text). Refused (`NoTranslation`) for a language the office has not written."""
    template = latest_templates(office_id).get(language)
    if template is not None:
        return template.title, template.body, template.version
    if language != LeafletLanguage.VI:
        raise NoTranslation(language)
    return DEFAULT_TITLE, DEFAULT_BODY, 0


def render_body(body: str, facts_: Facts, agent_name: str, agent_phone: str) -> SafeString:
    """The template text as HTML: paragraphs, headings, lists, computed blocks."""
    blocks = {name: render_to_string(f"outreach/leaflet/_{name}.html", {"f": facts_})
              for name in BLOCKS}
    inline = {"nhan_vien": agent_name or "……………………", "dien_thoai": agent_phone or "……………",
              "ngay": f"{facts_.on:%d/%m/%Y}", "thu_nhap_thap_nhat": format_vnd(facts_.floor)}
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append("<p>" + " ".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    def fill(text: str) -> str:
        text = escape(text)
        for name, value in inline.items():
            text = text.replace("{" + name + "}", escape(value))
        return text

    for raw in body.splitlines():
        line = raw.strip()
        token = line[1:-1] if line.startswith("{") and line.endswith("}") else ""
        if not line:
            flush()
        elif token in blocks:
            flush()
            html.append(blocks[token])
        elif line.startswith("# "):
            flush()
            html.append(f"<h2>{fill(line[2:])}</h2>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(fill(line[2:]))
        else:
            if items:
                flush()
            paragraph.append(fill(line))
    flush()
    return mark_safe("\n".join(html))
