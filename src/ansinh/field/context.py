"""The offline queue's messages, translated on the server for the script to show."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _


def offline_texts(request: HttpRequest) -> dict[str, dict[str, str]]:
    return {"offline_texts": {
        "offline": _("Không có mạng"),
        "waiting": _("Đang chờ gửi: %s"),
        "queued": _("Đã lưu trên máy; sẽ tự gửi khi có mạng."),
        "discard": _("Bỏ"),
    }}
