"""Senders and the send run: the file sender writes, an unconfigured SMS sender refuses,
failures are retried then marked failed, an HTTP gateway gets the message."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.management import CommandError, call_command

from ansinh.reminders.models import MessageStatus, OutboxMessage
from ansinh.reminders.outbox import send_outbox
from ansinh.reminders.senders import HttpSmsSender, NotConfigured, SendError, ZaloZnsSender


def _message(office: Any, person: Any, channel: str = "console", key: str = "k1") -> Any:
    return OutboxMessage.objects.create(
        office=office, village=person.village, recipient_kind="participant", person=person,
        template_code="due_soon", channel=channel, phone="0912345678",
        body=f"Kính gửi {person.full_name}: hạn đóng 31/01/2026", dedupe_key=key,
        as_of=date(2026, 1, 25))


@pytest.fixture
def person(world: Any) -> Any:
    from ansinh.registry.models import Person

    return Person.objects.filter(office=world["office"]).order_by("id").first()


def test_the_file_sender_writes_the_message(world: Any, person: Any, settings: Any,
                                            tmp_path: Path) -> None:
    settings.ANSINH_OUTBOX_DIR = tmp_path / "outbox"
    message = _message(world["office"], person)
    result = send_outbox()
    assert result["sent"] == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at and message.attempts == 1
    [log] = (tmp_path / "outbox").glob("*.log")
    text = log.read_text(encoding="utf-8")
    assert person.full_name in text and "0912345678" in text
    assert send_outbox()["sent"] == 0  # nothing is sent twice


def test_an_unconfigured_sms_sender_refuses(world: Any, person: Any, settings: Any) -> None:
    settings.ANSINH_SMS_URL = ""
    with pytest.raises(NotConfigured, match="ANSINH_SMS_URL"):
        HttpSmsSender()
    with pytest.raises(NotConfigured, match="ANSINH_ZALO"):
        ZaloZnsSender()
    message = _message(world["office"], person, channel="sms")
    result = send_outbox()
    assert (result["sent"], result["not_configured"]) == (0, 1)
    assert "ANSINH_SMS_URL" in result["errors"]["sms"]
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 0  # left waiting
    with pytest.raises(CommandError, match="not configured"):
        call_command("send-reminders", "--pause", "0")


class Flaky:
    """Fails the first two attempts of each message."""

    calls: ClassVar[dict[int, int]] = {}

    def send(self, message: Any) -> None:
        self.calls[message.pk] = self.calls.get(message.pk, 0) + 1
        if self.calls[message.pk] < 3:
            raise SendError("gateway busy")


class Broken:
    def send(self, message: Any) -> None:
        raise SendError("number does not exist")


def test_retries_then_sent_or_failed(world: Any, person: Any, settings: Any) -> None:
    settings.ANSINH_REMINDER_SENDERS = {"console": f"{__name__}.Flaky",
                                        "sms": f"{__name__}.Broken"}
    flaky = _message(world["office"], person, key="a")
    broken = _message(world["office"], person, channel="sms", key="b")
    result = send_outbox(max_attempts=3)
    flaky.refresh_from_db()
    broken.refresh_from_db()
    assert (flaky.status, flaky.attempts) == (MessageStatus.SENT, 3)
    assert (broken.status, broken.attempts, broken.error) == (
        MessageStatus.FAILED, 3, "number does not exist")
    assert (result["sent"], result["failed"], result["retried"]) == (1, 1, 4)
    call_command("send-reminders", "--retry-failed", "--attempts", "1", "--pause", "0")
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (MessageStatus.FAILED, 1)


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"auth": self.headers["Authorization"],
                              "json": json.loads(body.decode("utf-8"))})
        self.send_response(202 if self.path == "/ok" else 500)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_the_sms_sender_posts_to_the_gateway(world: Any, person: Any, settings: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.ANSINH_SMS_URL = f"http://127.0.0.1:{server.server_port}/ok"
        settings.ANSINH_SMS_TOKEN = "secret"
        message = _message(world["office"], person, channel="sms")
        assert send_outbox()["sent"] == 1
        [call] = _Gateway.received
        assert call["auth"] == "Bearer secret"
        assert call["json"]["to"] == "84912345678" and person.full_name in call["json"]["text"]
        settings.ANSINH_SMS_URL = f"http://127.0.0.1:{server.server_port}/fail"
        message = _message(world["office"], person, channel="sms", key="k2")
        assert send_outbox(max_attempts=1)["failed"] == 1
        message.refresh_from_db()
        assert "HTTP 500" in message.error
    finally:
        server.shutdown()
