"""The default Vietnamese reminder texts (shared by every office until it saves its own)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS = {
    "due_soon": (
        "{co_quan}: Kính gửi {ho_ten}, kỳ đóng BHXH tự nguyện của anh/chị đến hạn ngày "
        "{han_dong}, số tiền {so_tien}. Xin liên hệ nhân viên thu {nhan_vien} "
        "({so_dien_thoai}) để đóng đúng hạn, giữ quyền lợi lương hưu."
    ),
    "late": (
        "{co_quan}: Kính gửi {ho_ten}, kỳ đóng BHXH tự nguyện hạn ngày {han_dong} chưa được "
        "đóng. Số tiền cần đóng: {so_tien}. Xin liên hệ nhân viên thu {nhan_vien} "
        "({so_dien_thoai}) để đóng tiếp, tránh gián đoạn thời gian tham gia."
    ),
    "paused": (
        "{co_quan}: Kính gửi {ho_ten}, việc đóng BHXH tự nguyện của anh/chị đang tạm dừng. "
        "Thời gian đã đóng vẫn được ghi nhận; anh/chị có thể đóng tiếp để hưởng lương hưu. "
        "Xin liên hệ nhân viên thu {nhan_vien} ({so_dien_thoai}) để được tư vấn."
    ),
    "agent_digest": (
        "ansinh {ngay} — {ho_ten}: {so_den_han} người đến hạn đóng đến {han_dong}, "
        "{so_cham} người chậm đóng.\n{danh_sach}"
    ),
}


def create(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("reminders", "ReminderTemplate")
    for code, body in DEFAULTS.items():
        template.objects.get_or_create(office=None, code=code, language="vi", channel="",
                                       defaults={"body": body, "active": True})


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reminders", "ReminderTemplate").objects.filter(
        office=None, code__in=list(DEFAULTS), language="vi", channel="").delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
