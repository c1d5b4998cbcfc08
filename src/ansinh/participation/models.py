"""Participations: a person's enrolment in voluntary social insurance, its terms and its states.

A participation carries its office and village (copied from the person at enrolment) so that
scoping and reports never join the register. Its terms (declared income and payment mode) are
dated rows: a change takes effect from a month, never by editing the row in force. Its states
(active, late, paused, stopped) change only through `actions.py`, which writes a
`StatusChange` row and the audit entry in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ansinh.core import personal, scoping
from ansinh.core.models import Office, office_key, province_key
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.registry import merging
from ansinh.registry.models import Person, Village


class PaymentMode(models.TextChoices):
    """Phương thức đóng (Law 41/2024 Art. 36(2)); the values are the policy engine's MODES."""

    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("3 tháng một lần")
    HALF_YEARLY = "half_yearly", _("6 tháng một lần")
    YEARLY = "yearly", _("12 tháng một lần")
    ADVANCE = "advance", _("Đóng trước nhiều năm")


class Status(models.TextChoices):
    # enrolled, nothing paid yet: not covered, so not counted as active (docs/payment-state.md)
    AWAITING = "awaiting", _("Chờ đóng lần đầu")
    ACTIVE = "active", _("Đang đóng")
    LATE = "late", _("Chậm đóng")
    PAUSED = "paused", _("Tạm dừng đóng")
    STOPPED = "stopped", _("Dừng tham gia")


# The states in which a receipt may be taken (a paused participation resumes first).
COLLECTABLE = (Status.AWAITING, Status.ACTIVE, Status.LATE)


class StopReason(models.TextChoices):
    COMPULSORY = "compulsory", _("Chuyển sang BHXH bắt buộc")
    LUMP_SUM = "lump_sum", _("Hưởng BHXH một lần")
    RETIRED = "retired", _("Hưởng lương hưu")
    DECEASED = "deceased", _("Đã mất")
    MOVED = "moved", _("Chuyển đi nơi khác")


class Participation(models.Model):
    """Người tham gia BHXH tự nguyện: one enrolment of one person, from a start month."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    # the distribution key, filled by the database (core.keys; docs/scale.md)
    province = province_key()
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    start_month = models.DateField(_("tháng bắt đầu"), help_text=_("Ngày đầu tháng"))
    enrolled_on = models.DateField(_("ngày đăng ký"))
    income = models.PositiveBigIntegerField(_("thu nhập làm căn cứ đóng (đồng)"))
    mode = models.CharField(_("phương thức đóng"), max_length=12, choices=PaymentMode.choices)
    advance_years = models.PositiveSmallIntegerField(_("số năm đóng trước"), null=True, blank=True)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="participations",
        verbose_name=_("nhân viên thu phụ trách"),
    )
    organisation = models.ForeignKey(
        CollectionOrganisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="participations", verbose_name=_("tổ chức dịch vụ thu"),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    first_time = models.BooleanField(
        _("tham gia lần đầu"), default=True,
        help_text=_("Chưa từng tham gia BHXH tự nguyện trước lần này (nhóm thù lao D233)"),
    )
    prior_months = models.PositiveIntegerField(
        _("số tháng đã đóng trước đây"), default=0,
        help_text=_("Tháng đóng BHXH tự nguyện trước khi có ansinh (theo sổ BHXH)"),
    )
    prior_supported_months = models.PositiveIntegerField(
        _("số tháng đã được hỗ trợ trước đây"), default=0,
        help_text=_("Tính vào giới hạn 120 tháng hỗ trợ (D159 Điều 5)"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.AWAITING
    )
    status_since = models.DateField(_("từ ngày"))
    stop_reason = models.CharField(
        _("lý do dừng"), max_length=12, choices=StopReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")
        constraints = [
            # A person has at most one participation that is not stopped.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="stopped"),
                name="participation_one_open_per_person",
            ),
        ]
        indexes = [
            # scoped lists and reports: the office's participations by village and status
            models.Index(fields=["office", "village", "status"], name="participation_scope_idx"),
            # a province's participants by status: the summary tables' rebuild of one province
            models.Index(fields=["province", "status"], name="participation_province_idx"),
            # lapse detection and worklists: participations of an agent by status
            models.Index(fields=["agent", "status"], name="participation_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.start_month:%m/%Y})"


class Terms(models.Model):
    """Declared income and payment mode in force from a month (D159 Art. 4).

    ``paused`` terms mean nothing falls due from that month until the next terms row (a
    participation paused and later resumed). The latest row on or before a month is in force.
    """

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE,
                                      related_name="terms")
    from_month = models.DateField(_("từ tháng"))
    income = models.PositiveBigIntegerField(_("thu nhập làm căn cứ đóng (đồng)"))
    mode = models.CharField(_("phương thức đóng"), max_length=12, choices=PaymentMode.choices)
    advance_years = models.PositiveSmallIntegerField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("điều kiện đóng")
        verbose_name_plural = _("điều kiện đóng")
        ordering = ["participation", "from_month"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "from_month"],
                                    name="terms_one_per_month"),
        ]

    def __str__(self) -> str:
        state = " (tạm dừng)" if self.paused else ""
        return f"{self.from_month:%m/%Y}: {self.income:,} · {self.mode}{state}"


class StatusChange(models.Model):
    """One state change of a participation: the lifecycle history shown on its page."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE,
                                      related_name="status_changes")
    # the distribution keys, copied by the database from the parent row (core.keys)
    office = office_key()
    province = province_key()
    on = models.DateField(_("ngày"))
    old_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi trạng thái")
        verbose_name_plural = _("thay đổi trạng thái")
        ordering = ["participation", "on", "id"]
        indexes = [
            # persistence and "re-joined" reports: changes to a status within a date range
            models.Index(fields=["new_status", "on"], name="statuschange_status_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.on}: {self.old_status or '—'} → {self.new_status}"

    @property
    def reason_display(self) -> str:
        """The reason as the page says it: the codes the actions and the lapse run store
        ("enrol", "deadline 2026-02-28", a stop reason) in words; what a person typed, as typed."""
        return status_reason_text(self.reason)


# The reasons the actions write on a status change, as codes (the lapse run adds a date).
STATUS_REASONS = {
    "enrol": pgettext_lazy("lý do đổi trạng thái", "Đăng ký tham gia"),
    "paid": pgettext_lazy("lý do đổi trạng thái", "Đã đóng tiền"),
    "resume": pgettext_lazy("lý do đổi trạng thái", "Đóng tiếp"),
    "pause": pgettext_lazy("lý do đổi trạng thái", "Tạm dừng đóng"),
}
DATED_STATUS_REASONS = {
    "deadline": _("Quá hạn đóng ngày %(date)s"),
    "late since": _("Chậm đóng từ hạn ngày %(date)s"),
}


def status_reason_text(reason: str) -> str:
    if reason in STATUS_REASONS:
        return str(STATUS_REASONS[reason])
    if reason in StopReason.values:
        return str(StopReason(reason).label)
    for code, wording in DATED_STATUS_REASONS.items():
        prefix, _space, day = reason.rpartition(" ")
        if prefix == code:
            try:
                on = date.fromisoformat(day)
            except ValueError:
                break
            return str(wording) % {"date": f"{on:%d/%m/%Y}"}
    return reason


class LapseSettings(models.Model):
    """The office's own thresholds for following up lapses: operational choices, not law."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="lapse_settings")
    pause_after_months = models.PositiveSmallIntegerField(
        _("coi là tạm dừng sau (tháng quá hạn)"), default=3,
        help_text=_("Người chậm đóng quá số tháng này sau hạn được coi là tạm dừng đóng"),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("nhắc trước hạn (ngày)"), default=7,
    )

    class Meta:
        verbose_name = _("ngưỡng theo dõi chậm đóng")
        verbose_name_plural = _("ngưỡng theo dõi chậm đóng")

    def __str__(self) -> str:
        return str(self.office)


scoping.register(Participation, "office", "village", agent_user_path="agent__user")
personal.register_section("participations",
                          lambda person: Participation.objects.filter(person=person))
personal.register_section("participation_terms",
                          lambda person: Terms.objects.filter(participation__person=person))
personal.register_section("participation_status_changes", lambda person: (
    StatusChange.objects.filter(participation__person=person)))

# a merge of duplicate records moves the participations, never combines two (registry.merging)
merging.link(Participation, within=~Q(status="stopped"), flag="two_participations",
             reason=(
                 ("Cả hai hồ sơ đang có quá trình tham gia chưa dừng: dừng một quá trình trước "
                  "khi gộp"),
                 ("Both records have an open participation: stop one before merging")))
