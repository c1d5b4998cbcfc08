"""The collection network: organisations, agents, and who answers for which territory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import Office
from ansinh.registry.models import Commune, Village


class OrganisationKind(models.TextChoices):
    POST_OFFICE = "post_office", _("Bưu điện")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã")
    WOMENS_UNION = "womens_union", _("Hội Liên hiệp Phụ nữ")
    FARMERS_UNION = "farmers_union", _("Hội Nông dân")
    OTHER = "other", _("Khác")


class CollectionOrganisation(models.Model):
    """Tổ chức dịch vụ thu: contracted by the office to collect through its agents."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="organisations")
    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=OrganisationKind.choices)
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Để trống nếu tổ chức phục vụ toàn bộ cơ quan"),
    )

    class Meta:
        verbose_name = _("tổ chức dịch vụ thu")
        verbose_name_plural = _("tổ chức dịch vụ thu")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """Nhân viên thu: the field worker of a collection organisation; signs in as a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent"
    )
    organisation = models.ForeignKey(
        CollectionOrganisation, on_delete=models.PROTECT, related_name="agents"
    )
    code = models.CharField(_("mã nhân viên thu"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("nhân viên thu")
        verbose_name_plural = _("nhân viên thu")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.user.display_name}"


class Assignment(models.Model):
    """A user answers for a commune or a single village over a date range (địa bàn phụ trách)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="substitute_for", verbose_name=_("người thay thế"),
        help_text=_("Nhận địa bàn, người tham gia, quyển biên lai và việc hẹn khi bàn giao"),
    )

    class Meta:
        verbose_name = _("phân công địa bàn")
        verbose_name_plural = _("phân công địa bàn")
        constraints = [
            models.CheckConstraint(
                condition=Q(commune__isnull=False) ^ Q(village__isnull=False),
                name="assignment_commune_or_village",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_dates_ordered",
            ),
        ]
        indexes = [
            # the scoping helper: a user's assignments in force on a date
            models.Index(fields=["user", "starts_on"], name="assignment_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.commune or self.village}"


# ---------------------------------------------------------------------------------------------
# Targets (chỉ tiêu) and rewards (khen thưởng)


class Metric(models.TextChoices):
    """What a target counts; the definitions live in ansinh.reports.metrics."""

    ACTIVE = "active", _("Người đang tham gia")
    NEW = "new", _("Người tham gia mới")
    REJOINED = "rejoined", _("Người tham gia lại")
    RETAINED = "retained", _("Duy trì đóng (trong số đến hạn)")
    MONEY = "money", _("Số tiền thu")
    HI_MEMBERS = "hi_members", _("Người tham gia BHYT hộ gia đình")


class UnitKind(models.TextChoices):
    OFFICE = "office", _("Cơ quan")
    COMMUNE = "commune", _("Xã")
    VILLAGE = "village", _("Thôn")
    ORGANISATION = "organisation", _("Tổ chức dịch vụ thu")
    STAFF = "staff", _("Cán bộ")
    AGENT = "agent", _("Nhân viên thu")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Năm")
    QUARTER = "quarter", _("Quý")
    MONTH = "month", _("Tháng")


# The foreign key that names the unit of each kind (the office's own target names none).
UNIT_FIELDS: dict[str, str | None] = {
    UnitKind.OFFICE: None,
    UnitKind.COMMUNE: "commune",
    UnitKind.VILLAGE: "village",
    UnitKind.ORGANISATION: "organisation",
    UnitKind.STAFF: "staff",
    UnitKind.AGENT: "agent",
}


def unit_key(kind: str, unit_id: int | None) -> str:
    """`office` or `commune:12`: one text that names a unit, for uniqueness and URLs."""
    return kind if kind == UnitKind.OFFICE else f"{kind}:{unit_id}"


class Target(models.Model):
    """One target slot: an office's period, metric and unit. Its value lives in versions.

    The slot is never edited; setting or reallocating a target appends a `TargetVersion`, so
    the history of a mid-year reallocation stays readable.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="targets")
    period_kind = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("đầu kỳ"))
    metric = models.CharField(_("chỉ tiêu"), max_length=12, choices=Metric.choices)
    unit_kind = models.CharField(_("đơn vị"), max_length=12, choices=UnitKind.choices)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    organisation = models.ForeignKey(CollectionOrganisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    unit_key = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["period_start", "metric", "unit_kind", "unit_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "period_kind", "period_start", "metric", "unit_key"],
                name="target_one_per_unit",
            ),
            models.CheckConstraint(
                condition=(
                    Q(unit_kind="office", commune__isnull=True, village__isnull=True,
                      organisation__isnull=True, staff__isnull=True, agent__isnull=True)
                    | Q(unit_kind="commune", commune__isnull=False, village__isnull=True,
                        organisation__isnull=True, staff__isnull=True, agent__isnull=True)
                    | Q(unit_kind="village", commune__isnull=True, village__isnull=False,
                        organisation__isnull=True, staff__isnull=True, agent__isnull=True)
                    | Q(unit_kind="organisation", commune__isnull=True, village__isnull=True,
                        organisation__isnull=False, staff__isnull=True, agent__isnull=True)
                    | Q(unit_kind="staff", commune__isnull=True, village__isnull=True,
                        organisation__isnull=True, staff__isnull=False, agent__isnull=True)
                    | Q(unit_kind="agent", commune__isnull=True, village__isnull=True,
                        organisation__isnull=True, staff__isnull=True, agent__isnull=False)
                ),
                name="target_unit_matches_kind",
            ),
        ]
        # the uniqueness index (office, period, metric, unit) serves every read: all targets
        # of an office's period are loaded at once (a few hundred rows)

    def __str__(self) -> str:
        return f"{self.get_metric_display()} · {self.unit_key} · {self.period_start:%Y-%m}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.unit_key = unit_key(self.unit_kind, self.unit_id)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def unit_id(self) -> int | None:
        field = UNIT_FIELDS[self.unit_kind]
        return None if field is None else getattr(self, f"{field}_id")


class TargetVersion(models.Model):
    """A value of a target from a date on; rows are only ever added (append-only)."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="versions")
    value = models.BigIntegerField(_("giá trị"))
    effective_on = models.DateField(_("áp dụng từ"))
    reason = models.CharField(_("lý do"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        ordering = ["target", "effective_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="targetversion_not_negative"),
        ]
        indexes = [
            # the value in force: a target's versions by date
            models.Index(fields=["target", "effective_on"], name="targetversion_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.value:,} từ {self.effective_on:%d/%m/%Y}".replace(",", ".")


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    ORGANISATION = "organisation", _("Tổ chức dịch vụ thu")
    PERSON = "person", _("Cá nhân")


class Reward(models.Model):
    """Khen thưởng: a commendation, the decision that grants it and the figures it rests on."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="rewards")
    recipient_kind = models.CharField(_("đối tượng khen"), max_length=12,
                                      choices=RecipientKind.choices)
    recipient_name = models.CharField(_("tên tập thể / cá nhân"), max_length=200)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("xã"))
    organisation = models.ForeignKey(CollectionOrganisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="rewards",
                                     verbose_name=_("tổ chức dịch vụ thu"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="rewards",
                               verbose_name=_("cá nhân"))
    title = models.CharField(_("hình thức khen thưởng"), max_length=120,
                             help_text=_("Ví dụ: Giấy khen của Giám đốc BHXH cơ sở"))
    reason = models.CharField(_("thành tích"), max_length=300)
    period_kind = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodKind.choices,
                                   blank=True)
    period_start = models.DateField(_("đầu kỳ"), null=True, blank=True)
    figures = models.JSONField(_("số liệu làm căn cứ"), default=dict, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["-decision_date", "-id"]
        indexes = [
            # the register page: an office's rewards, newest decision first
            models.Index(fields=["office", "decision_date"], name="reward_office_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} · {self.recipient_name}"
