"""The phones that work offline: each signs in to the API with its own token.

A token is shown once, when the phone is registered; the database keeps only its SHA-256, so a
copy of the database signs nobody in. The user lists their devices and revokes one they lost
(`/thiet-bi/`); a revoked token answers 401 at once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core import personal, scoping
from ansinh.core.text import in_english
from ansinh.registry import merging

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Device(models.Model):
    """Một thiết bị: a phone (or another system) that calls the API with its own token."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="devices", verbose_name=_("người dùng"))
    name = models.CharField(_("tên thiết bị"), max_length=80)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("đầu mã"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = _("thiết bị")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SyncStatus(models.TextChoices):
    RECORDED = "recorded", _("đã ghi")
    REFUSED = "refused", _("bị từ chối")
    CONFLICT = "conflict", _("xung đột")


class SyncKind(models.TextChoices):
    PERSON = "person", _("người mới")
    CONTACT = "contact", _("tiếp xúc")
    FOLLOW_UP = "follow_up", _("hẹn gặp lại")
    ENROL = "enrol", _("đăng ký tham gia")
    RECEIPT = "receipt", _("biên lai")


class SyncItem(models.Model):
    """Một mục đồng bộ: one item of a phone's outbox, as the server answered it.

    The client UUID makes a retried item answer the same as the first time: the same content
    (its hash) gets the stored answer, other content under the same UUID is refused. A conflict
    stays here until staff resolve it (`/thuc-dia/xung-dot/`)."""

    client_uuid = models.UUIDField(_("mã giao dịch"), unique=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("thiết bị"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("người gửi"))
    office = models.ForeignKey("core.Office", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    village = models.ForeignKey("registry.Village", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("thôn"))
    person = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("người"))
    kind = models.CharField(_("loại"), max_length=10, choices=SyncKind.choices)
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField(_("nội dung"))
    status = models.CharField(_("kết quả"), max_length=10, choices=SyncStatus.choices)
    reason_vi = models.CharField(max_length=300, blank=True)
    reason_en = models.CharField(max_length=300, blank=True)
    number = models.CharField(_("số biên lai"), max_length=30, blank=True)
    base_version = models.BigIntegerField(null=True, blank=True)
    # the person's version just before and just after this item was applied: a device's own
    # writes do not make its later items stale (api.outbox.effective_base)
    prior_version = models.BigIntegerField(null=True, blank=True)
    version = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("người xử lý"))
    resolution_note = models.CharField(_("ghi chú xử lý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mục đồng bộ")
        verbose_name_plural = _("mục đồng bộ")
        ordering = ["created_at", "id"]
        indexes = [
            # the conflicts page: open conflicts of an office, oldest first
            models.Index(fields=["office", "status", "resolved_at"], name="syncitem_open_idx"),
            # a device's own earlier writes to a person (effective_base)
            models.Index(fields=["person", "user", "status"], name="syncitem_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_uuid} {self.status}"

    @property
    def reason(self) -> str:
        return self.reason_en if in_english() else self.reason_vi


class ReservedNumber(models.Model):
    """Số biên lai giữ trước: a number of an agent's receipt book held for one phone.

    The book's next number moves past it when it is reserved, so a receipt recorded online
    never takes it; the phone prints it on a receipt made offline. An unused number released by
    the phone keeps its row with no device: the agent's next reservation takes it first."""

    book = models.ForeignKey("collection.ReceiptBook", on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("quyển biên lai"))
    number = models.PositiveIntegerField(_("số"))
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="reserved_numbers", verbose_name=_("thiết bị"))
    reserved_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("số biên lai giữ trước")
        verbose_name_plural = _("số biên lai giữ trước")
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="reserved_number_once"),
        ]
        indexes = [
            # a device's unused numbers (claim, release); the book's returned ones (reserve)
            models.Index(fields=["device", "used_at"], name="reserved_device_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.book_id}:{self.number}"


scoping.register(SyncItem, "office", "village")
personal.register_section("phone_entries", lambda person: SyncItem.objects.filter(person=person))

merging.link(SyncItem)
