"""Retention: cases of participants who may leave, and the counselling sessions held with them.

A case opens when a participant says they want the lump sum, when a participation lapses (late
or paused), or after a lump-sum payout (to re-approach the person later). Each counselling
session keeps the comparison it showed (money paid, lump sum now, pension, monthly allowance) as
figures, so a later change of the law never rewrites what the person was told.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core import personal, scoping
from ansinh.core.models import Office
from ansinh.participation.models import Participation
from ansinh.registry import merging
from ansinh.registry.models import Person, Village


class Reason(models.TextChoices):
    WANTS_LUMP_SUM = "wants_lump_sum", _("Muốn rút BHXH một lần")
    LAPSED = "lapsed", _("Chậm đóng, tạm dừng đóng")
    AFTER_PAYOUT = "after_payout", _("Đã rút một lần, vận động tham gia lại")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Đang tư vấn")
    CLOSED = "closed", _("Đã kết thúc")


class Outcome(models.TextChoices):
    RETAINED = "retained", _("Tiếp tục đóng")
    CHANGED = "changed", _("Đổi mức thu nhập hoặc phương thức đóng")
    WITHDREW = "withdrew", _("Rút / dừng tham gia")
    UNDECIDED = "undecided", _("Chưa quyết định")


# Outcomes that end a case; an undecided session keeps it open for the next step.
CLOSING_OUTCOMES = (Outcome.RETAINED, Outcome.CHANGED, Outcome.WITHDREW)
SUCCESS_OUTCOMES = (Outcome.RETAINED, Outcome.CHANGED)


class RetentionCase(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="retention_cases")
    participation = models.ForeignKey(Participation, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="retention_cases")
    reason = models.CharField(_("lý do"), max_length=16, choices=Reason.choices)
    opened_on = models.DateField(_("ngày mở"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("người tư vấn"))
    status = models.CharField(_("trạng thái"), max_length=8, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    next_step = models.CharField(_("việc tiếp theo"), max_length=200, blank=True)
    next_step_on = models.DateField(_("ngày thực hiện"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ tư vấn giữ chân")
        verbose_name_plural = _("hồ sơ tư vấn giữ chân")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # one open case per person: a second reason is a session in the same case
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"),
                                    name="retention_one_open_case"),
        ]
        indexes = [
            # the case list: an office's cases by status and village
            models.Index(fields=["office", "status", "village"], name="retention_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_reason_display()}"


class Session(models.Model):
    """Buổi tư vấn: what was shown, what the person decided, what happens next."""

    case = models.ForeignKey(RetentionCase, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField(_("ngày"))
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("người tư vấn"))
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    next_step = models.CharField(_("việc tiếp theo"), max_length=200, blank=True)
    next_step_on = models.DateField(_("ngày thực hiện"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    figures = models.JSONField(default=dict, help_text="the comparison shown, as computed")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buổi tư vấn")
        verbose_name_plural = _("buổi tư vấn")
        ordering = ["case", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y} · {self.get_outcome_display()}"


class PeriodKind(models.TextChoices):
    COMPULSORY = "compulsory", _("BHXH bắt buộc")
    VOLUNTARY = "voluntary", _("BHXH tự nguyện")


class PeriodSource(models.TextChoices):
    HAND = "hand", _("Nhập từng giai đoạn")
    PASTE = "paste", _("Dán bảng")
    UPLOAD = "upload", _("Tải tệp")


class DeclaredPeriod(models.Model):
    """A period of the person's SI history as they showed it (VssID, "quá trình tham gia"):
    declared by the person, not verified by the office, and kept apart from the office's own
    receipts. The counselling comparison uses it; where it overlaps a month paid here, the
    office's month wins (`retention.history`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="declared_periods",
                               verbose_name=_("người"))
    kind = models.CharField(_("loại"), max_length=10, choices=PeriodKind.choices)
    start_month = models.DateField(_("từ tháng"))
    end_month = models.DateField(_("đến tháng"))
    # the monthly salary (compulsory) or the declared income (voluntary), VND
    income = models.BigIntegerField(_("tiền lương / thu nhập tháng"))
    category = models.CharField(_("nhóm hỗ trợ"), max_length=16, default="other")
    employer = models.CharField(_("đơn vị công tác"), max_length=200, blank=True)
    source = models.CharField(_("cách nhập"), max_length=8, choices=PeriodSource.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giai đoạn tham gia do người dân khai")
        verbose_name_plural = _("giai đoạn tham gia do người dân khai")
        ordering = ["person", "start_month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_month__gte=models.F("start_month")),
                                   name="declared_period_end_after_start"),
            models.CheckConstraint(condition=Q(income__gt=0), name="declared_period_income"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_month:%m/%Y}–{self.end_month:%m/%Y}"

    @property
    def months(self) -> int:
        return ((self.end_month.year - self.start_month.year) * 12
                + self.end_month.month - self.start_month.month + 1)


scoping.register(RetentionCase, "office", "village",
                 agent_user_path="participation__agent__user")
personal.register_section("retention_cases",
                          lambda person: RetentionCase.objects.filter(person=person))
scoping.register(DeclaredPeriod, "person__office", "person__village")
personal.register_section("declared_si_history",
                          lambda person: DeclaredPeriod.objects.filter(person=person))
personal.register_section("counselling_sessions",
                          lambda person: Session.objects.filter(case__person=person))

merging.link(RetentionCase, within=Q(status="open"),
             reason=(
                 ("Cả hai hồ sơ có hồ sơ duy trì đang mở: đóng một hồ sơ trước khi gộp"),
                 ("Both records have an open retention case: close one before merging")))
merging.link(DeclaredPeriod)
