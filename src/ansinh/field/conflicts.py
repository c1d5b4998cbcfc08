"""A phone's item in words, for the staff who resolve conflicts: who, what, when, why."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ansinh.core.errors import vnd_text

from .models import SyncItem, SyncKind


def _day(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)[:10]), "d/m/Y")
    except ValueError:
        return str(value)


def _month(value: str) -> str:
    return f"{value[5:7]}/{value[:4]}"


def describe(item: SyncItem) -> str:
    """What the item asked for, in the active language."""
    data = item.payload
    who = item.person.full_name if item.person is not None else ""
    if item.kind == SyncKind.PERSON:
        return _("Thêm người mới %(name)s, sinh %(born)s") % {
            "name": data.get("full_name", ""), "born": _day(data.get("birth_date", ""))}
    if item.kind == SyncKind.CONTACT:
        return _("Tiếp xúc %(name)s ngày %(on)s") % {"name": who, "on": _day(data.get("on"))}
    if item.kind == SyncKind.FOLLOW_UP:
        if data.get("done"):
            return _("Đánh dấu đã gặp lại %(name)s") % {"name": who}
        return _("Dời hẹn gặp lại %(name)s sang %(on)s") % {
            "name": who, "on": _day(data.get("next_on"))}
    if item.kind == SyncKind.ENROL:
        return _("Đăng ký tham gia cho %(name)s từ tháng %(month)s, thu nhập %(income)s, "
                 "ngày đăng ký %(on)s") % {
            "name": who, "month": _month(str(data.get("start_month", ""))),
            "income": vnd_text(int(data.get("income", 0))), "on": _day(data.get("enrolled_on"))}
    months = ", ".join(_month(str(m)) for m in data.get("months", []))
    text = _("Biên lai của %(name)s: %(amount)s cho tháng %(months)s, nộp ngày %(on)s") % {
        "name": who, "amount": vnd_text(int(data.get("amount", 0))), "months": months,
        "on": _day(data.get("paid_on"))}
    if data.get("number"):
        text += " · " + _("số %(number)s") % {"number": data["number"]}
    return text
