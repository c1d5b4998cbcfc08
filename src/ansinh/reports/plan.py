"""How a progress row stands against its plan, in words and in one colour.

`progress.Row` holds the numbers (pace, projection, shortfall); this turns them into what the
dashboard and the progress table say: "chậm kế hoạch: thiếu 120 người", "dự báo 1.809 / 3.229,
còn thiếu 1.420", "+12 người/tháng". The colours are CSS classes named after `Row.status`, and
`LEGEND` explains each one the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ansinh.core.templatetags.money import decimal_text, format_count, format_vnd
from ansinh.network.models import Metric

from .progress import BEHIND, ON_TRACK, UNKNOWN, Row

# (CSS class, what the colour means): every colour of the dashboard and the progress table
LEGEND = [
    (ON_TRACK, gettext_lazy("Đúng kế hoạch: theo tốc độ hiện nay sẽ đạt chỉ tiêu cuối kỳ")),
    (BEHIND, gettext_lazy("Chậm kế hoạch: theo tốc độ hiện nay sẽ thiếu so với chỉ tiêu")),
    (UNKNOWN, gettext_lazy("Chưa có chỉ tiêu hoặc chưa đủ số liệu để dự báo")),
    ("track", gettext_lazy("Phần còn lại đến chỉ tiêu")),
    ("this-year", gettext_lazy("Kỳ này (biểu đồ theo tháng)")),
    ("last-year", gettext_lazy("Cùng kỳ năm trước (biểu đồ theo tháng)")),
    ("target", gettext_lazy("Chỉ tiêu (biểu đồ theo tháng)")),
]


def amount(metric: str, value: int) -> str:
    """A count of people ("120 người") or a sum of money ("12.000.000 ₫")."""
    if metric == Metric.MONEY:
        return format_vnd(value)
    return ngettext("%(n)s người", "%(n)s người", value) % {"n": format_count(value)}


def per_month(metric: str, value: Decimal | None) -> str:
    """A pace: "+12 người/tháng", "+2,5 người/tháng", "−3 người/tháng", "+4.000.000 ₫/tháng"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    size = abs(value)
    if metric == Metric.MONEY:
        return _("%(sign)s%(money)s/tháng") % {
            "sign": sign, "money": format_vnd(int(size.to_integral_value()))}
    if size >= 10 or size == size.to_integral_value():
        text = format_count(int(size.to_integral_value()))
    else:
        text = decimal_text(str(size))
    return _("%(sign)s%(n)s người/tháng") % {"sign": sign, "n": text}


@dataclass
class Standing:
    row: Row
    status: str  # behind / on_track / unknown: the CSS class of its colour
    flag: str  # "chậm kế hoạch: thiếu 120 người"
    projection: str  # "dự báo 1.809 / 3.229, còn thiếu 1.420"
    pace: str  # "+12 người/tháng"
    needed: str  # "cần +45 người/tháng để đạt chỉ tiêu", or ""
    achieved: str = ""  # the row's figures, written the page's way
    target: str = ""
    projected: str = ""


def standing(row: Row) -> Standing:
    metric, gap = row.metric, row.shortfall
    figure = format_vnd if metric == Metric.MONEY else format_count
    if gap is None:
        flag = _("chưa có chỉ tiêu") if row.target is None else ""
    elif gap > 0:
        flag = _("chậm kế hoạch: thiếu %(gap)s") % {"gap": amount(metric, gap)}
    else:
        flag = _("đúng kế hoạch") if gap == 0 else \
            _("đúng kế hoạch: vượt %(gap)s") % {"gap": amount(metric, -gap)}
    if row.projection is None:
        projection = ""
    elif row.target is None:
        projection = _("dự báo %(projection)s") % {"projection": figure(row.projection)}
    elif gap is not None and gap > 0:
        projection = _("dự báo %(projection)s / %(target)s, còn thiếu %(gap)s") % {
            "projection": figure(row.projection), "target": figure(row.target),
            "gap": figure(gap)}
    elif gap is not None and gap < 0:
        projection = _("dự báo %(projection)s / %(target)s, vượt %(gap)s") % {
            "projection": figure(row.projection), "target": figure(row.target),
            "gap": figure(-gap)}
    else:
        projection = _("dự báo %(projection)s / %(target)s") % {
            "projection": figure(row.projection), "target": figure(row.target)}
    needed = ""
    if gap is not None and gap > 0 and row.needed is not None:
        needed = _("cần %(pace)s để đạt chỉ tiêu") % {"pace": per_month(metric, row.needed)}
    def written(value: int | None) -> str:
        return "—" if value is None else figure(value)

    return Standing(row=row, status=row.status, flag=flag, projection=projection,
                    pace=per_month(metric, row.pace), needed=needed,
                    achieved=written(row.achieved), target=written(row.target),
                    projected=written(row.projection))


def pace_definition() -> str:
    return _("Tốc độ: số đạt thêm bình quân mỗi tháng từ đầu kỳ đến ngày xem (người đang tham "
             "gia: số hôm nay trừ số đầu kỳ; các chỉ tiêu khác: số đạt từ đầu kỳ). Dự báo cuối "
             "kỳ: giữ nguyên tốc độ đó đến hết kỳ. Chậm kế hoạch: dự báo thấp hơn chỉ tiêu; "
             "số thiếu = chỉ tiêu − dự báo.")
