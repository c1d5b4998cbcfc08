"""Turning engine breakdowns into what a page shows: labelled amounts each marked provisional
when it depends on a value that is not confirmed, the provisional values, the references used.

No legal numbers here: which parameters an amount depends on is a reading of the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ansinh.core.templatetags.money import format_vnd
from ansinh.core.text import in_english
from ansinh.policy import ParamValue, PolicyError, Reason

# The subsidy categories as people call them (the engine's category codes).
CATEGORY_CHOICES = [
    ("other", _("Người dân bình thường")),
    ("ethnic_minority", _("Người dân tộc thiểu số")),
    ("near_poor", _("Hộ cận nghèo")),
    ("poor", _("Hộ nghèo")),
    ("island", _("Sống ở xã đảo, đặc khu")),
]

# Plain names of the parameters a citizen may see in the references.
PARAMETER_LABELS: dict[str, Promise] = {
    "benefits.half_year_odd_months": _("Cách tính tháng lẻ"),
    "benefits.monthly_allowance": _("Trợ cấp hằng tháng"),
    "benefits.social_pension": _("Trợ cấp hưu trí xã hội"),
    "benefits.social_pension_age": _("Tuổi hưởng trợ cấp hưu trí xã hội"),
    "contribution.advance_support_mode": _("Cách trừ hỗ trợ khi đóng trước"),
    "contribution.advance_years": _("Đóng trước nhiều năm"),
    "contribution.fund_yield": _("Lãi suất chiết khấu (lợi nhuận quỹ)"),
    "contribution.income_ceiling_multiplier": _("Mức thu nhập cao nhất"),
    "contribution.income_step": _("Bước thu nhập"),
    "contribution.payment_deadline_months": _("Hạn đóng"),
    "contribution.payment_modes": _("Phương thức đóng"),
    "contribution.rate": _("Tỷ lệ đóng"),
    "contribution.rural_poverty_line": _("Chuẩn nghèo nông thôn (mức thu nhập thấp nhất)"),
    "general.reference_level": _("Mức tham chiếu (lương cơ sở)"),
    "health_insurance.household_ladder": _("BHYT hộ gia đình: mức giảm theo người"),
    "health_insurance.household_rate": _("BHYT hộ gia đình: tỷ lệ đóng"),
    "lump_sum.factor": _("Mức hưởng BHXH một lần"),
    "lump_sum.grounds": _("Điều kiện hưởng BHXH một lần"),
    "lump_sum.new_law_first_joined": _("Người tham gia lần đầu theo luật mới"),
    "lump_sum.split_date": _("Mốc chia giai đoạn của BHXH một lần"),
    "lump_sum.support_deduction": _("Trừ số tiền Nhà nước đã hỗ trợ"),
    "pension.min_years": _("Số năm đóng tối thiểu"),
    "pension.one_time_allowance": _("Trợ cấp một lần khi nghỉ hưu"),
    "pension.rate_base": _("Tỷ lệ hưởng lương hưu"),
    "pension.rate_base_years": _("Số năm ứng với tỷ lệ hưởng cơ bản"),
    "pension.rate_max": _("Tỷ lệ hưởng tối đa"),
    "pension.rate_step": _("Tỷ lệ cộng thêm mỗi năm"),
    "pension.revaluation": _("Hệ số điều chỉnh thu nhập"),
    "pension.revaluation_default": _("Hệ số điều chỉnh cho năm chưa công bố"),
    "pension.short_service": _("Tỷ lệ hưởng của nam chưa đủ số năm cơ bản"),
    "retirement.age": _("Tuổi nghỉ hưu"),
    "retirement.pre2021_joiner": _("Tuổi hưởng chuyển tiếp"),
    "retirement.pre2021_joiner_cutoff": _("Tuổi hưởng chuyển tiếp"),
    "subsidy.count_pre_2025_months": _("Tính các tháng đã được hỗ trợ theo quy định cũ"),
    "subsidy.local_top_up_amount": _("Địa phương hỗ trợ thêm"),
    "subsidy.local_top_up_rate": _("Địa phương hỗ trợ thêm"),
    "subsidy.max_supported_months": _("Số tháng được Nhà nước hỗ trợ tối đa"),
    "subsidy.support_rate": _("Tỷ lệ Nhà nước hỗ trợ"),
}

ALL: tuple[str, ...] = ()  # an amount that depends on every value the calculation used

SUPPORT = ("contribution.rate", "contribution.rural_poverty_line", "subsidy.")
HISTORY_AVERAGE = ("pension.revaluation",)
RATE = ("pension.rate", "pension.short_service", "pension.min_years",
        "benefits.half_year_odd_months")


def depends_on_provisional(parameters: tuple[ParamValue, ...], prefixes: tuple[str, ...]) -> bool:
    """True when a value used whose name starts with one of ``prefixes`` (all, if empty) is not
    confirmed."""
    return any(
        p.provisional and (not prefixes or p.name.startswith(prefixes)) for p in parameters
    )


@dataclass(frozen=True)
class Amount:
    key: str
    label: Any
    value: int
    provisional: bool
    strong: bool = False


def amount(result: Any, key: str, label: Any, prefixes: tuple[str, ...] = ALL,
           *, value: int | None = None, strong: bool = False) -> Amount:
    return Amount(
        key, label, getattr(result, key) if value is None else value,
        depends_on_provisional(result.parameters, prefixes), strong,
    )


@dataclass(frozen=True)
class Ref:
    label: Any
    name: str
    start: Any
    document: str
    article: str
    link: str
    confidence: str
    provisional: bool


def references(*results: Any) -> list[Ref]:
    """Every parameter value used by ``results``, once, sorted by name and date; the document
    and article worded in the active language."""
    seen: dict[tuple[str, Any], ParamValue] = {}
    for result in results:
        if result is None:
            continue
        for p in result.parameters:
            seen[(p.name, p.start)] = p
    language = get_language() or "vi"
    found = []
    for _key, p in sorted(seen.items(), key=lambda item: (item[0][0], item[0][1])):
        document, article = p.reference.in_language(language)
        found.append(Ref(PARAMETER_LABELS.get(p.name, p.name), p.name, p.start, document,
                         article, p.reference.link, p.confidence, p.provisional))
    return found


def refs(*results: Any) -> dict[str, list[Ref]]:
    """Template context: ``refs`` (every value used) and ``prov_refs`` (those not confirmed)."""
    used = references(*results)
    return {"refs": used, "prov_refs": [r for r in used if r.provisional]}


def age_text(years: int, months: int) -> str:
    """A retirement age as people say it: "60 tuổi", "60 tuổi 9 tháng"."""
    if months:
        return gettext("%(years)d tuổi %(months)d tháng") % {"years": years, "months": months}
    return gettext("%(years)d tuổi") % {"years": years}


# ---------------------------------------------------------------------------------------------
# Durations and comparisons as a villager reads them


def duration_text(months: int) -> str:
    """A number of months as people say it: "23 năm 2 tháng", "20 năm", "5 tháng"."""
    years, rest = divmod(max(months, 0), 12)
    parts = []
    if years:
        parts.append(ngettext("%(years)d năm", "%(years)d năm", years) % {"years": years})
    if rest or not years:
        parts.append(ngettext("%(months)d tháng", "%(months)d tháng", rest) % {"months": rest})
    return " ".join(parts)


def months_text(months: int) -> str:
    """A count of contribution months with its years: "278 tháng (23 năm 2 tháng)"."""
    if months < 12:
        return duration_text(months)
    return gettext("%(n)d tháng (%(duration)s)") % {"n": months,
                                                    "duration": duration_text(months)}


def lump_sum_in_pensions(lump_sum: int, monthly_pension: int) -> str:
    """What the lump sum is worth in months of pension, said exactly: never rounded up (5,06
    months is "hơn 5 tháng", not "khoảng 6"); "" when there is nothing to compare."""
    if lump_sum <= 0 or monthly_pension <= 0:
        return ""
    whole, rest = divmod(lump_sum, monthly_pension)
    if whole == 0:
        return gettext("Số tiền rút một lần chưa bằng 1 tháng lương hưu.")
    if rest == 0:
        return ngettext("Số tiền rút một lần bằng đúng %(n)d tháng lương hưu.",
                        "Số tiền rút một lần bằng đúng %(n)d tháng lương hưu.", whole) % {
            "n": whole}
    if 2 * rest >= monthly_pension:
        return ngettext("Số tiền rút một lần chỉ bằng gần %(n)d tháng lương hưu.",
                        "Số tiền rút một lần chỉ bằng gần %(n)d tháng lương hưu.", whole + 1) % {
            "n": whole + 1}
    return ngettext("Số tiền rút một lần chỉ bằng hơn %(n)d tháng lương hưu.",
                    "Số tiền rút một lần chỉ bằng hơn %(n)d tháng lương hưu.", whole) % {
        "n": whole}


@dataclass(frozen=True)
class SpreadTopUp:
    """A sum to pay at a later claim, spread over the months until then."""

    total: int
    monthly: int  # rounded up to the next 1,000 đồng, so the months cover the total
    months: int

    @property
    def duration(self) -> str:
        return duration_text(self.months)


def spread(total: int, months: int) -> SpreadTopUp | None:
    """``total`` spread over ``months`` months (None when there is nothing or no time)."""
    if total <= 0 or months <= 0:
        return None
    per_month = -(-total // months)
    return SpreadTopUp(total, -(-per_month // 1000) * 1000, months)


def top_up_text(top_up: SpreadTopUp | None, *, social_pension_month: Any) -> str:
    """The sum that stretches the monthly allowance to social-pension age, said per month over
    the years until the allowance can start (a 25-year-old reads "259.000.000 ₫" as a debt)."""
    if top_up is None:
        return ""
    values = {"monthly": format_vnd(top_up.monthly), "duration": top_up.duration,
              "total": format_vnd(top_up.total), "month": f"{social_pension_month:%m/%Y}"}
    if top_up.months <= 1:
        return gettext("Muốn nhận trợ cấp đến tuổi hưởng trợ cấp hưu trí xã hội (tháng "
                       "%(month)s): nộp thêm một lần %(total)s khi nhận trợ cấp.") % values
    return gettext("Muốn nhận trợ cấp đến tuổi hưởng trợ cấp hưu trí xã hội (tháng %(month)s): "
                   "để dành %(monthly)s mỗi tháng trong %(duration)s, từ nay đến tuổi nghỉ hưu, "
                   "để nộp thêm một lần %(total)s khi nhận trợ cấp.") % values


# The engine's reasons (policy.Reason codes), worded for pages; the engine's own wording is
# bilingual, for the CLI.
REASONS: dict[str, Promise] = {
    "allowed": _("Đủ điều kiện"),
    "age_not_reached": _("Chưa đủ tuổi nghỉ hưu"),
    "has_pension_years": _("Đã đủ %(years)d năm để hưởng lương hưu"),
    "age_without_years": _("Đủ tuổi nghỉ hưu, chưa đủ số năm"),
    "new_law_joiner": _("Người tham gia từ 01/7/2025 không được rút vì nghỉ 12 tháng"),
    "too_many_years": _("Đã đóng từ %(years)d năm trở lên"),
    "gap_too_short": _("Chưa đủ %(months)d tháng không đóng"),
    "pension_instead": _("Đủ điều kiện lương hưu"),
    "too_few_months": _("Đóng dưới %(months)d tháng"),
    "social_pension_age": _("Đã đến tuổi hưởng trợ cấp hưu trí xã hội"),
    "has_required_years": _("Đã đủ số năm đóng"),
    "too_many_missing": _("Thiếu %(missing)d tháng, quá %(max)d tháng"),
    "too_early": _("Chưa đến tháng %(month)s"),
    "may_pay_missing": _("Được đóng một lần cho số tháng còn thiếu"),
    "eligible_pension": _("Đủ điều kiện hưởng lương hưu"),
    "too_few_years": _("Chưa đủ %(years)d năm đóng (%(months)d tháng)"),
}


def reason_text(reason: Reason | str) -> str:
    """The engine's reason in the active language (a code unknown here: the engine's own
    wording in that language)."""
    if not isinstance(reason, Reason):
        return str(reason)
    wording = REASONS.get(reason.code)
    if wording is None:
        return reason.en if in_english() else reason.vi
    return str(wording) % reason.arguments if reason.args else str(wording)


def policy_message(exc: PolicyError) -> str:
    """The engine's refusal in the active language (pages show one language; the CLI both)."""
    return exc.en if in_english() else exc.vi
