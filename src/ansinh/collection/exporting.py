"""The office's declaration lists as xlsx: participants and collections.

The first twelve columns follow the order of the lists the office sends with its declarations
(docs/declaration-lists.md describes each); a few working columns follow them. The lists are
Vietnamese documents, so the headers are fixed Vietnamese text whatever the interface language.
Written with openpyxl's write_only mode, one streamed row at a time; the rows come from one
query each (sums are subqueries, so no query runs per row).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from ansinh.core.personal import FULL, Shown
from ansinh.core.spreadsheet import SafeSheet, add_sheet, cell, workbook
from ansinh.participation.models import Participation, PaymentMode, Status
from ansinh.registry.models import Sex

from .models import Channel, Product, Receipt

# The declaration lists' columns, in their order (docs/declaration-lists.md).
DECLARATION_HEADERS = (
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Địa chỉ",
    "Thu nhập làm căn cứ đóng", "Phương thức đóng", "Số tháng", "Số tiền",
    "Ngân sách hỗ trợ", "Số biên lai",
)
PARTICIPANT_HEADERS = (
    *DECLARATION_HEADERS, "Tháng bắt đầu", "Trạng thái", "Trạng thái từ ngày", "Nhân viên thu",
)
COLLECTION_HEADERS = (
    *DECLARATION_HEADERS, "Ngày nộp", "Kỳ kế toán", "Sản phẩm", "Hình thức nộp",
    "Nhân viên thu", "Hủy biên lai số",
)
TOTAL_LABEL = "Tổng cộng"
MONEY = "#,##0"
DAY = "DD/MM/YYYY"
WIDTHS = {"A": 6, "B": 28, "C": 12, "D": 8, "E": 15, "F": 34, "G": 14, "H": 20, "I": 9,
          "J": 14, "K": 14, "L": 16, "M": 12, "N": 14, "O": 14, "P": 20, "Q": 18, "R": 18}

SEX_LABELS: dict[str, str] = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
STATUS_LABELS: dict[str, str] = {
    Status.AWAITING: "Chờ đóng lần đầu", Status.ACTIVE: "Đang đóng", Status.LATE: "Chậm đóng",
    Status.PAUSED: "Tạm dừng đóng",
    Status.STOPPED: "Dừng tham gia",
}
VI_MODES: dict[str, str] = {
    PaymentMode.MONTHLY: "Hằng tháng", PaymentMode.QUARTERLY: "3 tháng một lần",
    PaymentMode.HALF_YEARLY: "6 tháng một lần", PaymentMode.YEARLY: "12 tháng một lần",
    PaymentMode.ADVANCE: "Đóng trước nhiều năm",
}
VI_CHANNELS: dict[str, str] = {
    Channel.CASH: "Tiền mặt", Channel.BANK_TRANSFER: "Chuyển khoản",
    Channel.POST_OFFICE: "Bưu điện", Channel.ONLINE: "Trực tuyến",
}
VI_PRODUCTS: dict[str, str] = {
    Product.VOLUNTARY_SI: "BHXH tự nguyện", Product.HOUSEHOLD_HI: "BHYT hộ gia đình",
}


def _cell(sheet: SafeSheet, value: Any, number_format: str | None = None,
          bold: bool = False) -> WriteOnlyCell:
    written = cell(sheet, value)
    if number_format:
        written.number_format = number_format
    if bold:
        written.font = Font(bold=True)
    return written


COUNT = "#,##0"
TEXT = "@"


def _formats(headers: Sequence[str]) -> list[str | None]:
    """The number format of each column: numbers stay numbers (Excel sorts and sums them),
    IDs and receipt numbers stay text (Excel keeps their leading 0)."""
    money = {"Thu nhập làm căn cứ đóng", "Số tiền", "Ngân sách hỗ trợ"}
    days = {"Ngày sinh", "Ngày nộp", "Kỳ kế toán", "Trạng thái từ ngày", "Tháng bắt đầu"}
    counts = {"STT", "Số tháng"}
    text = {"Số định danh cá nhân", "Số biên lai", "Hủy biên lai số"}
    return [MONEY if h in money else DAY if h in days else COUNT if h in counts
            else TEXT if h in text else None for h in headers]


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               totals: dict[str, int] | None = None) -> bytes:
    """One sheet: a bold header row, the rows, and a bold total row when `totals` is given."""
    book = workbook()
    sheet = add_sheet(book, title)
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C2"
    head = []
    for header in headers:
        title_cell = _cell(sheet, header, bold=True)
        title_cell.alignment = Alignment(wrap_text=True, vertical="center")
        head.append(title_cell)
    sheet.append(head)
    formats = _formats(headers)
    for row in rows:
        sheet.append([_cell(sheet, value, "0" if isinstance(value, int) and fmt == DAY
                            else fmt) if value is not None else None
                      for value, fmt in zip(row, formats, strict=True)])
    if totals is not None:
        sheet.append([_cell(sheet, TOTAL_LABEL if header == "Họ và tên" else
                            totals.get(header), MONEY if header in totals else None, bold=True)
                      for header in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _birth(person_birth: date, year_only: bool) -> date | int:
    """A birth date, or the year alone (a number) when only the year is known."""
    return person_birth.year if year_only else person_birth


def _address(village: str, commune: str) -> str:
    return f"{village}, {commune}"


def _national_id(value: str | None) -> str:
    return (value or "").zfill(12) if value else ""


# --------------------------------------------------------------------------------------------
# Participants


def _receipt_sum(field: str) -> Coalesce:
    total = (Receipt.objects.filter(participation=OuterRef("pk")).order_by()
             .values("participation").annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def participant_rows(participations: QuerySet[Participation],
                     shown: Shown = FULL) -> Iterator[list[Any]]:
    latest = (Receipt.objects.filter(participation=OuterRef("pk"), reverses__isnull=True,
                                     reversal__isnull=True)
              .order_by("-paid_on", "-id").values("number")[:1])
    rows = (participations.order_by("village__commune__code", "village__name",
                                     "person__name_folded", "id")
            .annotate(paid=_receipt_sum("amount"), supported=_receipt_sum("support"),
                      months_paid=_receipt_sum("months"), last_number=Subquery(latest))
            .values_list("person__full_name", "person__birth_date", "person__birth_year_only",
                         "person__sex", "person__national_id", "village__name",
                         "village__commune__name", "income", "mode", "advance_years",
                         "months_paid", "paid", "supported", "last_number", "start_month",
                         "status", "status_since", "agent__user__first_name",
                         "agent__user__last_name", "agent__code"))
    for index, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        (name, birth, year_only, sex, national_id, village, commune, income, mode, years,
         months, paid, supported, number, start, status, since, first, last, code) = row
        mode_text = VI_MODES.get(mode, mode) + (f" ({years} năm)" if years else "")
        agent = f"{first} {last}".strip() + f" ({code})" if code else ""
        yield [index, name, shown.birth_value(birth, year_only), SEX_LABELS.get(sex, sex),
               shown.national_id(_national_id(national_id)), _address(village, commune),
               income, mode_text, int(months), int(paid), int(supported), number or "", start,
               STATUS_LABELS.get(status, status), since, agent]


def participants_xlsx(participations: QuerySet[Participation], *, as_of: date,
                      shown: Shown = FULL) -> bytes:
    sums = Receipt.objects.filter(participation__in=participations.values("id")).aggregate(
        paid=Coalesce(Sum("amount"), 0), supported=Coalesce(Sum("support"), 0))
    totals = {"Số tiền": int(sums["paid"]), "Ngân sách hỗ trợ": int(sums["supported"])}
    return write_xlsx(f"Người tham gia {as_of:%d-%m-%Y}", PARTICIPANT_HEADERS,
                      participant_rows(participations, shown), totals)


# --------------------------------------------------------------------------------------------
# Collections


def _income_of(pricing: Any) -> int | str | None:
    incomes = pricing.get("incomes") if isinstance(pricing, dict) else None
    if not incomes:
        return None
    return int(incomes[0]) if len(incomes) == 1 else "; ".join(f"{i:,}".replace(",", ".")
                                                              for i in incomes)


def collection_rows(receipts: QuerySet[Receipt], shown: Shown = FULL) -> Iterator[list[Any]]:
    rows = (receipts.order_by("paid_on", "id")
            .values_list("person__full_name", "person__birth_date", "person__birth_year_only",
                         "person__sex", "person__national_id", "village__name",
                         "village__commune__name", "pricing", "product", "mode", "hi_members",
                         "months", "amount", "support", "number", "paid_on", "period",
                         "channel", "agent__user__first_name", "agent__user__last_name",
                         "agent__code", "reverses__number"))
    for index, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        (name, birth, year_only, sex, national_id, village, commune, pricing, product, mode,
         members, months, amount, support, number, paid_on, period, channel, first, last,
         code, reverses) = row
        if product == Product.HOUSEHOLD_HI:
            mode_text = f"BHYT hộ gia đình ({members} người)" if members else "BHYT hộ gia đình"
            income = None
        else:
            mode_text = VI_MODES.get(mode, mode)
            income = _income_of(pricing)
        agent = f"{first} {last}".strip() + f" ({code})" if code else ""
        yield [index, name, shown.birth_value(birth, year_only), SEX_LABELS.get(sex, sex),
               shown.national_id(_national_id(national_id)), _address(village, commune),
               income, mode_text, months, amount, support, number, paid_on, period,
               VI_PRODUCTS.get(product, product), VI_CHANNELS.get(channel, channel), agent,
               reverses or ""]


def collections_xlsx(receipts: QuerySet[Receipt], date_from: date, date_to: date,
                     shown: Shown = FULL) -> bytes:
    sums = receipts.aggregate(amount=Coalesce(Sum("amount"), 0),
                              support=Coalesce(Sum("support"), 0))
    totals = {"Số tiền": int(sums["amount"]), "Ngân sách hỗ trợ": int(sums["support"])}
    return write_xlsx(f"Thu {date_from:%d-%m-%Y} đến {date_to:%d-%m-%Y}", COLLECTION_HEADERS,
                      collection_rows(receipts, shown), totals)
