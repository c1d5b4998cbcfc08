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
