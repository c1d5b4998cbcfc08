"""Senders: deliver one outbox message on one channel, or raise.

The channel → class mapping is the setting ``ANSINH_REMINDER_SENDERS`` (dotted paths), read with
``getattr`` so a deployment can plug in its SMS provider without touching this code:

    ANSINH_REMINDER_SENDERS = {"sms": "myoffice.senders.ViettelSms", ...}

Interface: ``Sender(settings) ; sender.send(message) -> None``, raising `SendError` when the
message was not delivered (the send run records the error and retries), `NotConfigured` from the
constructor when the sender lacks its settings (the send run leaves those messages queued).
Nothing here pretends to send: the default channel, ``console``, writes the message to a log
file under ``VAR_DIR/outbox/`` and says so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxMessage

DEFAULT_SENDERS: dict[str, str] = {
    "console": "ansinh.reminders.senders.FileSender",
    "sms": "ansinh.reminders.senders.HttpSmsSender",
    "zalo": "ansinh.reminders.senders.ZaloZnsSender",
}


class SendError(Exception):
    """The message was not delivered; the text says why (kept on the message)."""


class NotConfigured(Exception):
    """The sender lacks its settings; no message is attempted."""


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def sender_paths() -> dict[str, str]:
    return dict(getattr(settings, "ANSINH_REMINDER_SENDERS", DEFAULT_SENDERS))


def sender_for(channel: str) -> Sender:
    """The configured sender of `channel` (raises NotConfigured)."""
    path = sender_paths().get(channel)
    if not path:
        raise NotConfigured(f"no sender configured for channel {channel!r} "
                            "(setting ANSINH_REMINDER_SENDERS)")
    cls = import_string(path)
    sender: Sender = cls()
    return sender


class FileSender:
    """The default: append the message to ``VAR_DIR/outbox/<date>.log`` (no SMS is sent)."""

    def __init__(self) -> None:
        base = getattr(settings, "ANSINH_OUTBOX_DIR", None) or Path(settings.VAR_DIR) / "outbox"
        self.folder = Path(base)

    def send(self, message: OutboxMessage) -> None:
        now = timezone.localtime()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{now:%Y-%m-%d}.log"
            with path.open("a", encoding="utf-8") as handle:
                handle.write(
                    f"{now:%Y-%m-%d %H:%M:%S} #{message.pk} {message.channel} → {message.phone} "
                    f"[{message.template_code}]\n{message.body}\n---\n")
        except OSError as exc:
            raise SendError(f"cannot write the outbox log: {exc}") from exc


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "")


def international(phone: str) -> str:
    """0912345678 → 84912345678 (the gateways want the country code, no plus)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str],
               timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}: {exc.read()[:200]!r}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendError(f"cannot reach {url}: {exc}") from exc


class HttpSmsSender:
    """An SMS gateway reached by HTTP POST of JSON ``{"to", "text", "ref"}`` with a bearer token.

    Settings: ``ANSINH_SMS_URL``, ``ANSINH_SMS_TOKEN`` (optional ``ANSINH_SMS_SENDER`` brand
    name, ``ANSINH_SMS_TIMEOUT`` seconds). A provider with another request shape gets its own
    class in ``ANSINH_REMINDER_SENDERS``; any 2xx answer counts as accepted.
    """

    def __init__(self) -> None:
        self.url = _setting("ANSINH_SMS_URL")
        self.token = _setting("ANSINH_SMS_TOKEN")
        missing = [name for name, value in (("ANSINH_SMS_URL", self.url),
                                            ("ANSINH_SMS_TOKEN", self.token)) if not value]
        if missing:
            raise NotConfigured("SMS sender not configured: set " + ", ".join(missing))
        self.brand = _setting("ANSINH_SMS_SENDER")
        self.timeout = float(getattr(settings, "ANSINH_SMS_TIMEOUT", 15))

    def send(self, message: OutboxMessage) -> None:
        payload: dict[str, Any] = {"to": international(message.phone), "text": message.body,
                                   "ref": message.dedupe_key}
        if self.brand:
            payload["sender"] = self.brand
        status, _body = _post_json(self.url, payload,
                                   {"Authorization": f"Bearer {self.token}"}, self.timeout)
        if not 200 <= status < 300:
            raise SendError(f"SMS gateway answered HTTP {status}")


class ZaloZnsSender:
    """Zalo Notification Service: a pre-approved template whose parameter carries the text.

    Settings: ``ANSINH_ZALO_URL`` (the ZNS endpoint), ``ANSINH_ZALO_TOKEN`` (the OA access
    token, sent as the ``access_token`` header), ``ANSINH_ZALO_TEMPLATE_ID`` and
    ``ANSINH_ZALO_PARAM`` (the template parameter that receives the text, default
    ``noi_dung``). Zalo answers JSON with ``error`` 0 on success.
    """

    def __init__(self) -> None:
        self.url = _setting("ANSINH_ZALO_URL")
        self.token = _setting("ANSINH_ZALO_TOKEN")
        self.template_id = _setting("ANSINH_ZALO_TEMPLATE_ID")
        missing = [name for name, value in (("ANSINH_ZALO_URL", self.url),
                                            ("ANSINH_ZALO_TOKEN", self.token),
                                            ("ANSINH_ZALO_TEMPLATE_ID", self.template_id))
                   if not value]
        if missing:
            raise NotConfigured("Zalo sender not configured: set " + ", ".join(missing))
        self.param = _setting("ANSINH_ZALO_PARAM") or "noi_dung"
        self.timeout = float(getattr(settings, "ANSINH_ZALO_TIMEOUT", 15))

    def send(self, message: OutboxMessage) -> None:
        payload = {"phone": international(message.phone), "template_id": self.template_id,
                   "template_data": {self.param: message.body},
                   "tracking_id": message.dedupe_key}
        status, body = _post_json(self.url, payload, {"access_token": self.token}, self.timeout)
        try:
            answer = json.loads(body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise SendError(f"Zalo answered HTTP {status} with no JSON") from exc
        if not isinstance(answer, dict) or answer.get("error", -1) != 0:
            raise SendError(f"Zalo refused: {str(answer)[:200]}")
