"""The status history says why in words, never with the code the action stored (issue 11)."""

from __future__ import annotations

import pytest
from django.utils import translation

from ansinh.participation.models import StatusChange


@pytest.mark.parametrize(("stored", "vietnamese", "english"), [
    ("enrol", "Đăng ký tham gia", "Enrolled"),
    ("paid", "Đã đóng tiền", "Paid"),
    ("resume", "Đóng tiếp", "Resumed after a pause"),
    ("pause", "Tạm dừng đóng", "Paused"),
    ("moved", "Chuyển đi nơi khác", "Moved elsewhere"),
    ("deadline 2026-02-28", "Quá hạn đóng ngày 28/02/2026", "Deadline 28/02/2026 missed"),
    ("late since 2026-02-28", "Chậm đóng từ hạn ngày 28/02/2026",
     "Late since the deadline of 28/02/2026"),
    ("đi làm xa", "đi làm xa", "đi làm xa"),  # typed by a person: shown as typed
])
def test_a_stored_reason_reads_as_words(stored: str, vietnamese: str, english: str) -> None:
    change = StatusChange(reason=stored)
    with translation.override("vi"):
        assert change.reason_display == vietnamese
    with translation.override("en"):
        assert change.reason_display == english
