"""The words of the offline field app (`/thuc-dia/`), translated on the server.

The app's scripts hold no text of their own: the shell page renders this dict as a JSON block
in the page's language, and the scripts fill it into what they build. Choice lists come from
the models, so a label is the same here as on the server-rendered pages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ansinh.collection.models import Channel as PayChannel
from ansinh.outreach.models import Channel as ContactChannel
from ansinh.outreach.models import Objection, Outcome
from ansinh.participation.models import PaymentMode
from ansinh.participation.models import Status as ParticipationStatus
from ansinh.registry.models import Sex, SIStatus
from ansinh.registry.reference import ETHNIC_GROUPS


def _choices(choices: Any) -> list[list[str]]:
    return [[str(value), str(label)] for value, label in choices]


def texts() -> dict[str, Any]:
    return {
        "choices": {
            "outcome": _choices(Outcome.choices),
            "objection": _choices(Objection.choices),
            "contact_channel": _choices(ContactChannel.choices),
            "pay_channel": _choices(PayChannel.choices),
            "mode": _choices(PaymentMode.choices),
            "status": _choices(ParticipationStatus.choices),
            "si_status": _choices(SIStatus.choices),
            "sex": _choices(Sex.choices),
            "ethnicity": _choices(ETHNIC_GROUPS),
            "kind": [["follow_up", _("Hẹn gặp lại")], ["late", _("Chậm đóng")],
                     ["due", _("Đến hạn đóng")], ["risk", _("Có nguy cơ")],
                     ["never_visited", _("Chưa ai đến thăm")]],
        },
        "online": _("Có mạng"),
        "offline": _("Không có mạng"),
        "worklist": _("Việc cần làm"),
        "search": _("Tìm"),
        "outbox": _("Hàng chờ"),
        "download": _("Tải địa bàn"),
        "sync": _("Đồng bộ"),
        "new_person": _("Thêm người mới"),
        "all_villages": _("Tất cả thôn"),
        "all_kinds": _("Tất cả"),
        "more": _("Xem thêm"),
        "shown": _("Đang hiện %(n)s / %(total)s người"),
        "no_work": _("Không có việc nào. Hãy tải địa bàn khi còn mạng."),
        "no_data": _("Chưa tải địa bàn về máy. Hãy tải khi còn mạng."),
        "search_placeholder": _("Tên, không cần dấu: vd ho thi hoa"),
        "search_hint": _("Gõ ít nhất 2 chữ cái."),
        "no_match": _("Không tìm thấy ai."),
        "points": _("điểm"),
        "open": _("Mở"),
        "pay": pgettext("nút: thu tiền một kỳ", "Thu tiền"),
        "contact": _("Ghi tiếp xúc"),
        "enrol": _("Đăng ký tham gia"),
        "call": _("Gọi"),
        "back": _("Quay lại"),
        "born": _("Sinh"),
        "dues": _("Kỳ cần thu"),
        "no_dues": _("Không có kỳ nào cần thu."),
        "overdue_from": _("Quá hạn từ"),
        "deadline": _("Hạn"),
        "month": _("Tháng"),
        "months": _("tháng"),
        "queued_paid": _("đã thu, chờ đồng bộ"),
        "queued": _("chờ đồng bộ"),
        "follow_ups": _("Hẹn gặp lại"),
        "no_follow_ups": _("Không có hẹn nào."),
        "done": _("Xong"),
        "reschedule": _("Hẹn lại"),
        "last_contact": _("Lần tiếp xúc gần nhất"),
        "not_enrolled": _("Chưa tham gia BHXH tự nguyện"),
        "pending_person": _("Người mới, chờ đồng bộ"),
        "income": _("Thu nhập làm căn cứ đóng"),
        "mode": _("Phương thức đóng"),
        "start_month": _("Tháng bắt đầu"),
        "advance_years": _("Số năm đóng trước"),
        "price": _("Mức đóng mỗi kỳ"),
        "support": _("Nhà nước hỗ trợ"),
        "gross": _("Mức đóng chưa trừ hỗ trợ"),
        "no_engine": _("Chưa có biểu tính trên máy: văn phòng sẽ tính khi đồng bộ."),
        "amount": _("Số tiền"),
        "channel": _("Hình thức"),
        "note": _("Ghi chú"),
        "save": _("Lưu"),
        "cancel": _("Huỷ"),
        "record_receipt": _("Ghi biên lai"),
        "tick_period": _("Chọn ít nhất một kỳ."),
        "receipt": _("Biên lai thu tiền"),
        "receipt_no": _("Số"),
        "no_number": _("chưa có số (hết số dự trữ)"),
        "in_words": _("Bằng chữ"),
        "paid_on": _("Ngày thu"),
        "payer": _("Người đóng"),
        "collector": _("Người thu"),
        "for_months": _("Đóng cho"),
        "share": _("Gửi cho người đóng"),
        "sms": _("Nhắn SMS"),
        "copy": _("Chép"),
        "copied": _("Đã chép"),
        "print": _("In"),
        "share_text": _("BHXH tự nguyện: đã thu của %(name)s %(amount)s (%(words)s) "
                        "cho %(months)s, biên lai số %(number)s, ngày %(day)s. "
                        "Người thu: %(agent)s."),
        "outcome": _("Kết quả"),
        "objection": _("Lý do chưa tham gia"),
        "none": _("Không"),
        "next_follow_up": _("Hẹn gặp lại ngày"),
        "contact_channel": _("Cách tiếp xúc"),
        "full_name": _("Họ và tên"),
        "birth_date": _("Ngày sinh"),
        "year_only": _("Chỉ biết năm sinh"),
        "birth_year": _("Năm sinh"),
        "sex": _("Giới tính"),
        "ethnicity": _("Dân tộc"),
        "phone": _("Điện thoại"),
        "national_id": _("Số định danh cá nhân"),
        "village": _("Thôn"),
        "duplicate": _("Có thể đã có trong sổ: %(who)s. Kiểm tra lại trước khi thêm."),
        "add_anyway": _("Vẫn thêm người mới"),
        "required": _("Cần điền: %(what)s"),
        "saved": _("Đã lưu trên máy; sẽ gửi khi đồng bộ."),
        "waiting": _("Chờ gửi"),
        "sending": _("Đã gửi, chờ xác nhận"),
        "to_fix": _("Cần xử lý"),
        "conflicts": _("Chờ văn phòng xử lý"),
        "sent_log": _("Đã gửi"),
        "empty": _("Không có mục nào."),
        "edit": _("Sửa"),
        "resend": _("Sửa và gửi lại"),
        "discard": _("Bỏ"),
        "discard_confirm": _("Bỏ mục này? Việc đã ghi sẽ không được gửi."),
        "kind_person": _("Người mới"),
        "kind_contact": _("Tiếp xúc"),
        "kind_follow_up": _("Hẹn gặp lại"),
        "kind_enrol": _("Đăng ký tham gia"),
        "kind_receipt": _("Biên lai"),
        "status_recorded": _("đã ghi"),
        "status_already": _("đã có"),
        "sync_progress": _("Đã gửi %(n)s / %(total)s mục"),
        "sync_done": _("Đồng bộ xong."),
        "sync_failed": _("Chưa gửi được: mất mạng. Các mục vẫn trên máy, sẽ gửi lại."),
        "download_progress": _("%(n)s / %(total)s người · %(size)s"),
        "download_done": _("Đã tải xong %(n)s người (%(size)s)."),
        "download_failed": _("Tải chưa xong: mất mạng. Hãy thử lại."),
        "last_download": _("Lần tải gần nhất"),
        "never": _("chưa tải"),
        "persons_on_phone": _("Số người trên máy"),
        "numbers_left": _("Số biên lai dự trữ còn lại"),
        "release": _("Trả lại số biên lai chưa dùng"),
        "released": _("Các số chưa dùng sẽ được trả lại ở lần đồng bộ tới."),
        "device": _("Thiết bị"),
        "device_failed": _("Chưa đăng ký được thiết bị: hãy mở lại khi có mạng."),
        "signed_out": _("Phiên đăng nhập đã hết: hãy đăng nhập lại khi có mạng."),
        "other_user": _("Máy này còn mục chưa gửi của người dùng khác: "
                        "hãy để người đó đồng bộ trước."),
        "calculator": _("Máy tính BHXH"),
        "full_site": _("Trang đầy đủ"),
    }
