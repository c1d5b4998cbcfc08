"""Checks on the 12-digit personal identification number and the 10-digit legacy SI number."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .reference import CENTURY_BASE, ID_PROVINCE_CODES


@dataclass(frozen=True)
class IdFacts:
    province_code: str
    sex: str  # "M" or "F"
    birth_year: int


def normalize_national_id(raw: object) -> str:
    """Text as stored. Spreadsheets often hold IDs as numbers and drop the leading zeros."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().replace(" ", "").replace(".", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and 9 <= len(text) < 12:
        text = text.zfill(12)
    return text


def parse_national_id(value: str) -> IdFacts:
    """The facts a valid ID encodes, or ValueError with a bilingual reason."""
    if len(value) != 12 or not value.isdigit():
        raise ValueError(_("Số định danh phải gồm đúng 12 chữ số / The ID must be 12 digits"))
    province = value[:3]
    if province not in ID_PROVINCE_CODES:
        raise ValueError(
            _("Mã tỉnh %(code)s trong số định danh không có trong danh mục 63 tỉnh / "
              "Province code %(code)s is not one of the 63 official codes") % {"code": province}
        )
    digit = int(value[3])
    century = CENTURY_BASE[digit - digit % 2]
    sex = "M" if digit % 2 == 0 else "F"
    return IdFacts(province_code=province, sex=sex, birth_year=century + int(value[4:6]))


def check_national_id(value: str, *, sex: str | None, birth_year: int | None) -> list[str]:
    """Reasons the ID does not fit the person; empty when it does."""
    try:
        facts = parse_national_id(value)
    except ValueError as exc:
        return [str(exc)]
    problems = []
    if birth_year is not None and facts.birth_year != birth_year:
        problems.append(
            _("Số định danh ghi năm sinh %(id_year)s, khác năm sinh %(year)s / "
              "The ID encodes birth year %(id_year)s, not %(year)s")
            % {"id_year": facts.birth_year, "year": birth_year}
        )
    if sex is not None and facts.sex != sex:
        problems.append(
            _("Giới tính không khớp với số định danh / Sex does not match the ID")
        )
    return problems


def check_si_number(value: str) -> list[str]:
    if len(value) != 10 or not value.isdigit():
        return [_("Mã số BHXH phải gồm đúng 10 chữ số / The SI number must be 10 digits")]
    return []
