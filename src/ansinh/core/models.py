from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Office(models.Model):
    """A local social-insurance office (BHXH cơ sở); one installation serves several."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    # The heading and the date line of the office's printed reports, as on its paper forms.
    parent_name = models.CharField(
        _("cơ quan chủ quản"), max_length=200, blank=True,
        help_text=_("In ở đầu báo cáo, trên tên cơ quan (ví dụ: Bảo hiểm xã hội thành phố Huế)"))
    place = models.CharField(
        _("địa danh"), max_length=100, blank=True,
        help_text=_("In ở dòng ngày tháng của báo cáo (ví dụ: A Lưới)"))
    # How long a sign-in lasts on the office's computers and phones (core.signin); a shared
    # computer's session also ends when the browser closes.
    session_hours = models.PositiveSmallIntegerField(
        _("thời hạn phiên đăng nhập (giờ)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text=_("Sau số giờ này kể từ khi đăng nhập, người dùng của cơ quan phải đăng nhập "
                    "lại (từ 1 đến 72 giờ)"))
    # The office's change sequence: the last number `core.changes.touch` gave a changed person.
    # The phones' downloads ask for "what changed after N" (docs/field-sync.md).
    change_seq = models.BigIntegerField(default=0, db_default=0, editable=False)
    # The province the office serves: the distribution key of every large table (docs/scale.md).
    # The database copies it onto each row the office writes (core.keys); a string reference,
    # since the register's models sit above core.
    province = models.ForeignKey(
        "registry.Province", verbose_name=_("tỉnh / thành phố"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="offices")

    class Meta:
        verbose_name = _("cơ quan BHXH cơ sở")
        verbose_name_plural = _("cơ quan BHXH cơ sở")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def office_province(office_id: int | None) -> int:
    """The province of an office, 0 when it has none (or there is no office)."""
    if not office_id:
        return 0
    found = Office.objects.filter(pk=office_id).values_list("province_id", flat=True).first()
    return found or 0


def province_key(*, verbose_name: str = "", **options: Any) -> Any:
    """The province column of a large table (docs/scale.md): filled by the database from the
    row's office or parent row (core.keys triggers), so no write site sets it. No constraint
    of its own (the office's foreign key already holds it to a real province) and nothing
    cascades from it: a province is never deleted, and the ORM's delete collector would
    otherwise visit a hundred million rows."""
    return models.ForeignKey(
        "registry.Province", null=True, editable=False, db_constraint=False, db_index=False,
        on_delete=models.DO_NOTHING, related_name="+", **options)


def office_key(**options: Any) -> Any:
    """The office column of a large table that had none (a child row: a status change, a paid
    month), copied by the database from the parent row (core.keys); unconstrained, as
    `province_key`, since the parent's own foreign key holds it."""
    return models.ForeignKey(
        "core.Office", null=True, editable=False, db_constraint=False, db_index=False,
        on_delete=models.DO_NOTHING, related_name="+", **options)


class Role(models.TextChoices):
    DIRECTOR = "director", _("Giám đốc")
    STAFF = "staff", _("Cán bộ")
    AGENT = "agent", _("Nhân viên thu")
    VIEWER = "viewer", _("Cán bộ xã / trưởng thôn (chỉ xem)")
    ADMIN = "admin", _("Quản trị")


class User(AbstractUser):
    """A person who signs in. Role and office decide what they may see (see network.scoping)."""

    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    office = models.ForeignKey(
        Office, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditEntry(models.Model):
    """Who changed what, when: one row per change to a person, household or money record.

    `changes` maps a field name to [old, new]; a creation has old = null.
    """

    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+")
    # The office's province (0: none), the partition key on PostgreSQL (core.keys). Set here,
    # not by a trigger: a partitioned table routes a row before any trigger could fill it.
    province_id = models.IntegerField(default=0, db_default=0, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("lúc"), db_index=True)
    action = models.CharField(_("thao tác"), max_length=40)
    model = models.CharField(_("đối tượng"), max_length=60)
    object_id = models.CharField(max_length=40)
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes = [
            # the history panel of one person or household
            models.Index(fields=["model", "object_id", "at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.province_id:
            self.province_id = office_province(self.office_id)
        super().save(*args, **kwargs)

    @property
    def change_list(self) -> list[tuple[str, Any, Any]]:
        return [(field, pair[0], pair[1]) for field, pair in sorted(self.changes.items())]


class AccessKind(models.TextChoices):
    """What was read: a page of one person's data, or a download carrying persons' data."""

    PERSON_PAGE = "person_page", _("Xem trang đối tượng")
    PARTICIPANT_PAGE = "participant_page", _("Xem trang người tham gia")
    COUNSELLING_PAGE = "counselling_page", _("Xem hồ sơ tư vấn")
    COUNSELLING_SHEET = "counselling_sheet", _("In phiếu tư vấn")
    DECLARATION = "declaration", _("In tờ khai TK1-TS")
    PERSON_DATA = "person_data", _("Xuất dữ liệu của một người")
    REGISTER_EXPORT = "register_export", _("Xuất sổ đối tượng")
    PARTICIPANTS_EXPORT = "participants_export", _("Xuất danh sách người tham gia")
    COLLECTIONS_EXPORT = "collections_export", _("Xuất danh sách thu")
    VILLAGE_LIST = "village_list", _("In danh sách thôn")
    REPORT_LIST = "report_list", _("Xuất danh sách của báo cáo")


class AccessEntry(models.Model):
    """Who read whose personal data, when (Decree 13/2023/NĐ-CP; docs/personal-data.md): one
    row per page of one person's data viewed and per download carrying persons' data.

    Written with one INSERT per read (`core.personal.log_access`), never updated; removed
    after the retention the installation sets (`prune_access_log`). `person_id` is the
    register's person (core sits below the register, so no foreign key)."""

    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+")
    # as AuditEntry.province_id: the partition key on PostgreSQL, set here from the office
    province_id = models.IntegerField(default=0, db_default=0, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("người xem"))
    at = models.DateTimeField(_("lúc"))
    kind = models.CharField(_("loại"), max_length=30, choices=AccessKind.choices)
    person_id = models.BigIntegerField(_("đối tượng"), null=True, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    rows = models.IntegerField(_("số dòng"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        indexes = [
            # the access log page: an office's entries, newest first
            models.Index(fields=["office", "at"], name="access_office_idx"),
            # the entries about one person (the page's filter, the person's own data)
            models.Index(fields=["person_id", "at"], name="access_person_idx"),
            # the retention: entries older than a date
            models.Index(fields=["at"], name="access_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.province_id:
            self.province_id = office_province(self.office_id)
        super().save(*args, **kwargs)
