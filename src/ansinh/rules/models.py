"""Office overrides of the policy parameters: dated values entered without a code change.

An override is never edited or deleted: to correct one, deactivate it and add a new one (both
audited, see ``actions.py``). ``rules.current_tree()`` layers the active ones on the file values.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import Office
from ansinh.policy import Override, PolicyError, Reference, load_default_tree


def parameter_choices() -> list[tuple[str, str]]:
    """Every parameter of the shipped tree (a callable, so new files need no migration)."""
    return [(name, name) for name in load_default_tree().names()]


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Đã xác nhận")
    SECONDARY = "secondary", _("Nguồn thứ cấp")
    ASSUMED = "assumed", _("Giả định")


_GROUPED = re.compile(r"^-?\d{1,3}([.,\s_]\d{3})+$")


def parse_value(unit: str, text: str) -> Any:
    """The administrator's text as the engine expects it for ``unit``.

    Tables are JSON (numbers kept exact: never floats). A scalar may be written the Vietnamese
    way: ``2.530.000`` for VND, ``0,31%`` or ``0.31%`` for a rate.
    """
    raw = text.strip()
    if raw.startswith(("{", "[")) or raw in ("true", "false", "null"):
        try:
            return json.loads(raw, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ValueError(f"JSON không hợp lệ / invalid JSON: {exc.msg}") from None
    if unit in ("currency-VND", "month", "year"):
        if _GROUPED.match(raw):  # 2.530.000 / 2,530,000 / 2 530 000
            return re.sub(r"[.,\s_]", "", raw)
        return raw
    if unit == "/1":
        number = raw.replace(",", ".").replace(" ", "")
        if number.endswith("%"):
            try:
                return Decimal(number[:-1]) / 100
            except InvalidOperation:
                return raw
        return number
    return raw


class ParameterOverride(models.Model):
    """An office administrator's dated value for one policy parameter."""

    name = models.CharField(_("tham số"), max_length=100, choices=parameter_choices)
    start = models.DateField(_("áp dụng từ ngày"))
    value = models.TextField(
        _("giá trị"),
        help_text=_("Số (2530000, 0.0035 hoặc 0,35%), true/false, hoặc bảng JSON."),
    )
    reference_document = models.CharField(_("văn bản"), max_length=200)
    reference_article = models.CharField(_("điều, khoản"), max_length=200)
    reference_link = models.URLField(_("đường dẫn"), max_length=500, blank=True)
    confidence = models.CharField(
        _("độ tin cậy"), max_length=10, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    office = models.ForeignKey(
        Office, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Để trống: áp dụng cho mọi cơ quan."),
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("lúc nhập"), auto_now_add=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ngừng"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    deactivated_at = models.DateTimeField(_("lúc ngừng"), null=True, blank=True)

    class Meta:
        verbose_name = _("giá trị tham số của cơ quan")
        verbose_name_plural = _("giá trị tham số của cơ quan")
        ordering = ["name", "start", "id"]
        indexes = [
            # rules.current_tree(): the active overrides, and its cache key
            models.Index(fields=["active", "office"], name="calc_override_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.start:%Y-%m-%d} = {self.value}"

    def to_engine(self) -> Override:
        """The engine's ``Override`` (the value parsed to the parameter's unit)."""
        unit = load_default_tree().parameter(self.name).unit
        return Override(
            name=self.name,
            start=self.start,
            value=parse_value(unit, self.value),
            reference=Reference(
                self.reference_document.strip(), self.reference_article.strip(),
                self.reference_link.strip(),
            ),
            confidence=self.confidence,
        )

    def clean(self) -> None:
        """Refuse a value the engine would refuse, with the engine's bilingual message."""
        if not self.name or not isinstance(self.start, date) or self.value is None:
            return  # the field errors already say what is missing
        try:
            override = self.to_engine()
            load_default_tree().with_overrides([override])
        except (PolicyError, ValueError) as exc:
            raise ValidationError({"value": " ".join(str(exc).split())}) from None
        clash = ParameterOverride.objects.filter(
            active=True, name=self.name, start=self.start, office=self.office
        ).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(
                _("Đã có giá trị đang áp dụng cho tham số này từ ngày này: hãy ngừng nó trước.")
            )
