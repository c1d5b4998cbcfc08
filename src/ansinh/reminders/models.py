"""Reminders: editable message templates and the outbox the senders deliver from.

A lapse run (`ansinh lapses`, or the daily worker job) queues messages into the outbox; a send
run (`ansinh send-reminders`) hands them to the sender configured for their channel. Each
message carries a dedupe key, unique in the database, so a rerun never queues a message twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ansinh.core import personal, scoping
from ansinh.core.models import Office
from ansinh.participation.models import Participation
from ansinh.registry import merging
from ansinh.registry.models import Person, Village


class TemplateCode(models.TextChoices):
    DUE_SOON = "due_soon", _("Sắp đến hạn đóng")
    LATE = "late", _("Chậm đóng")
    PAUSED = "paused", _("Tạm dừng đóng")
    AGENT_DIGEST = "agent_digest", _("Tin tổng hợp cho nhân viên thu")


class Channel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    CONSOLE = "console", _("Ghi ra tệp (không gửi)")


# The placeholders each template may use (the page lists them; saving checks them).
PLACEHOLDERS: dict[str, StrOrPromise] = {
    "ho_ten": _("họ tên người tham gia / nhân viên thu"),
    "so_tien": _("số tiền phải đóng"),
    "han_dong": _("hạn đóng"),
    "nhan_vien": _("tên nhân viên thu"),
    "so_dien_thoai": _("điện thoại của nhân viên thu"),
    "co_quan": _("tên cơ quan BHXH"),
    "ngay": _("ngày gửi"),
    "so_den_han": _("số người sắp đến hạn (tin tổng hợp)"),
    "so_cham": _("số người chậm đóng (tin tổng hợp)"),
    "danh_sach": _("danh sách theo thôn (tin tổng hợp)"),
}


class ReminderTemplate(models.Model):
    """One message text. ``office`` empty: the shared default (created by a data migration);
    an office's own row of the same code, language and channel replaces it for that office.
    ``channel`` empty: any channel."""

    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("cơ quan"))
    code = models.CharField(_("loại tin"), max_length=20, choices=TemplateCode.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices, blank=True,
                               help_text=_("Để trống: dùng cho mọi kênh"))
    body = models.TextField(_("nội dung"))
    active = models.BooleanField(_("đang dùng"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu tin nhắc")
        verbose_name_plural = _("mẫu tin nhắc")
        ordering = ["code", "language", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code", "language", "channel"],
                                    condition=Q(office__isnull=False),
                                    name="remindertemplate_one_per_office"),
            models.UniqueConstraint(fields=["code", "language", "channel"],
                                    condition=Q(office__isnull=True),
                                    name="remindertemplate_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} · {self.language} · {self.channel or '*'}"


class RecipientKind(models.TextChoices):
    PARTICIPANT = "participant", _("Người tham gia")
    AGENT = "agent", _("Nhân viên thu")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class OutboxMessage(models.Model):
    """One message to send. Only the send run changes it (attempts, status, sent_at, error)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+",
                                help_text=_("Thôn của người tham gia (tin cho người tham gia)"))
    recipient_kind = models.CharField(_("người nhận"), max_length=12,
                                      choices=RecipientKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    participation = models.ForeignKey(Participation, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    template_code = models.CharField(_("loại tin"), max_length=20, choices=TemplateCode.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    phone = models.CharField(_("số điện thoại"), max_length=20)
    body = models.TextField(_("nội dung"))
    dedupe_key = models.CharField(max_length=120, unique=True)
    as_of = models.DateField(_("ngày chạy"))
    status = models.CharField(_("trạng thái"), max_length=8, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tin nhắn chờ gửi")
        verbose_name_plural = _("tin nhắn chờ gửi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_kind="participant", person__isnull=False)
                | Q(recipient_kind="agent", user__isnull=False),
                name="outbox_has_recipient",
            ),
        ]
        indexes = [
            # the send run: queued messages in order
            models.Index(fields=["status", "id"], name="outbox_status_idx"),
            # the outbox page: an office's messages, newest first
            models.Index(fields=["office", "created_at"], name="outbox_office_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_code_display()} → {self.phone} ({self.status})"


scoping.register(OutboxMessage, "office", "village")
personal.register_section("messages", lambda person: OutboxMessage.objects.filter(person=person))

merging.link(OutboxMessage)
