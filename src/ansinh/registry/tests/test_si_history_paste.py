"""Reading a pasted or uploaded SI history ("Quá trình tham gia BHXH") into periods."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from ansinh.registry.si_history_paste import (
    MAX_LINES,
    LineError,
    Parsed,
    parse_rows,
    parse_text,
)

VSSID = (
    "QUÁ TRÌNH THAM GIA BẢO HIỂM XÃ HỘI\n"
    "\n"
    "BHXH bắt buộc\n"
    "Từ tháng\tĐến tháng\tĐơn vị công tác\tTiền lương\n"
    "Từ tháng 01/2012 đến tháng 12/2016\tCông ty TNHH May Huế\t4.500.000\n"
    "01/2017\t06/2019\tCông ty CP Dệt may Phú Hòa An\t5.200.000\n"
    "Tổng thời gian đóng BHXH bắt buộc: 7 năm 6 tháng\n"
    "\n"
    "Quá trình tham gia BHXH tự nguyện\n"
    "Từ tháng\tĐến tháng\tNơi đóng\tMức thu nhập\n"
    "07/2020\t12/2023\tBHXH huyện Phú Vang\t1.500.000\n"
    "Từ tháng 01/2024 đến tháng 06/2024\tĐại lý thu xã Phú Mỹ\t2.000.000 đ\n"
)

VSSID_PERIODS = [
    {"from": "2012-01", "to": "2016-12", "income": 4_500_000, "kind": "compulsory",
     "employer": "Công ty TNHH May Huế"},
    {"from": "2017-01", "to": "2019-06", "income": 5_200_000, "kind": "compulsory",
     "employer": "Công ty CP Dệt may Phú Hòa An"},
    {"from": "2020-07", "to": "2023-12", "income": 1_500_000, "kind": "voluntary",
     "employer": "BHXH huyện Phú Vang"},
    {"from": "2024-01", "to": "2024-06", "income": 2_000_000, "kind": "voluntary",
     "employer": "Đại lý thu xã Phú Mỹ"},
]


def _excel_datetime(year: int, month: int, day: int) -> datetime:
    """A date cell as calamine reads it from an .xlsx: a naive datetime."""
    return datetime(year, month, day)  # noqa: DTZ001


def _one(text: str, default_kind: str = "compulsory") -> dict[str, object]:
    parsed = parse_text(text, default_kind)
    assert parsed.errors == []
    assert len(parsed.periods) == 1
    return parsed.periods[0]


def _error(text: str) -> LineError:
    parsed = parse_text(text)
    assert parsed.periods == []
    assert len(parsed.errors) == 1
    return parsed.errors[0]


def test_vssid_copy_with_both_sections() -> None:
    assert parse_text(VSSID) == Parsed(VSSID_PERIODS, [])


def test_vssid_copy_without_diacritics_and_in_capitals() -> None:
    text = (
        "BAO HIEM XA HOI BAT BUOC\n"
        "Tu thang\tDen thang\tDon vi cong tac\tTien luong\n"
        "Tu thang 01/2012 den thang 12/2016\tCong ty TNHH May Hue\t4.500.000\n"
        "Qua trinh tham gia BHXH tu nguyen\n"
        "07/2020\t12/2023\tBHXH huyen Phu Vang\t1.500.000 VND\n"
    )
    parsed = parse_text(text)
    assert parsed.errors == []
    assert parsed.periods == [
        {"from": "2012-01", "to": "2016-12", "income": 4_500_000, "kind": "compulsory",
         "employer": "Cong ty TNHH May Hue"},
        {"from": "2020-07", "to": "2023-12", "income": 1_500_000, "kind": "voluntary",
         "employer": "BHXH huyen Phu Vang"},
    ]


def test_heading_sets_the_kind_over_the_default() -> None:
    assert parse_text(VSSID, default_kind="voluntary").periods == VSSID_PERIODS
    # without a heading, the default decides
    line = "01/2017\t06/2019\tCông ty A\t5.200.000"
    assert _one(line)["kind"] == "compulsory"
    assert _one(line, default_kind="voluntary")["kind"] == "voluntary"
    assert _one("Bảo hiểm xã hội tự nguyện\n" + line)["kind"] == "voluntary"


def test_unknown_default_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="default_kind"):
        parse_text("01/2017 06/2019 5.200.000", default_kind="household")


def test_semicolon_csv_text_with_kind_column() -> None:
    text = (
        "Tu thang;Den thang;Don vi;Tien luong;Loai\n"
        "01/2015;12/2015;Cong ty A;5000000;BB\n"
        "01/2016;06/2016;;1500000;TN\n"
    )
    parsed = parse_text(text, default_kind="voluntary")
    assert parsed.errors == []
    assert parsed.periods == [
        {"from": "2015-01", "to": "2015-12", "income": 5_000_000, "kind": "compulsory",
         "employer": "Cong ty A"},
        {"from": "2016-01", "to": "2016-06", "income": 1_500_000, "kind": "voluntary",
         "employer": ""},
    ]


def test_kind_word_on_the_line_wins_over_the_section() -> None:
    text = "BHXH bắt buộc\n01/2018 - 12/2018 BHXH tự nguyện 1.800.000"
    assert parse_text(text).periods == [
        {"from": "2018-01", "to": "2018-12", "income": 1_800_000, "kind": "voluntary",
         "employer": ""},
    ]


def test_both_kinds_on_one_line_is_an_error() -> None:
    error = _error("01/2018 12/2018 bắt buộc tự nguyện 1.800.000")
    assert error.en == "the line says both compulsory and voluntary"


def test_iso_months() -> None:
    assert _one("2015-01\t2015-12\tCông ty B\t6.000.000") == {
        "from": "2015-01", "to": "2015-12", "income": 6_000_000, "kind": "compulsory",
        "employer": "Công ty B"}


def test_full_dates_give_their_month() -> None:
    assert _one("01/03/2015 - 31/10/2015\tCông ty C\t5,000,000 VND") == {
        "from": "2015-03", "to": "2015-10", "income": 5_000_000, "kind": "compulsory",
        "employer": "Công ty C"}


@pytest.mark.parametrize("months", ["3/2015 - 10/2015", "03-2015 10-2015", "03.2015 10.2015",
                                    "tháng 3 năm 2015 đến tháng 10 năm 2015",
                                    "2015-03-01 2015-10-31"])
def test_month_spellings(months: str) -> None:
    period = _one(f"{months}\tHợp tác xã Hương Trà\t3.200.000")
    assert (period["from"], period["to"], period["income"], period["employer"]) == (
        "2015-03", "2015-10", 3_200_000, "Hợp tác xã Hương Trà")


def test_single_month_is_from_and_to() -> None:
    assert _one("05/2019\tCông ty D\t4 500 000") == {
        "from": "2019-05", "to": "2019-05", "income": 4_500_000, "kind": "compulsory",
        "employer": "Công ty D"}


@pytest.mark.parametrize(("amount", "income"), [
    ("3.000.000đ", 3_000_000), ("3.000.000 đồng", 3_000_000), ("3,000,000 VND", 3_000_000),
    ("3 000 000 đ", 3_000_000), ("3000000", 3_000_000), ("3.000.000,00", 3_000_000),
    ("3,5 triệu", 3_500_000), ("3.000.000 đ/tháng", 3_000_000),
])
def test_amount_spellings(amount: str, income: int) -> None:
    period = _one(f"01/2020 - 12/2020 Hộ kinh doanh Lan {amount}")
    assert (period["income"], period["employer"]) == (income, "Hộ kinh doanh Lan")


def test_amount_is_the_largest_number_outside_months() -> None:
    # STT, the number of months and a house number are smaller than the salary
    period = _one("3\t01/2012\t12/2016\tCông ty 19-5, số 12 Lê Lợi\t60\t4.500.000")
    assert period["income"] == 4_500_000
    assert period["employer"] == "Công ty 19-5, số 12 Lê Lợi"


def test_amount_too_small_is_an_error() -> None:
    error = _error("BHXH tự nguyện\n01/2020\t12/2020\tCông ty\t45.000")
    assert error.line == 2
    assert error.text == "01/2020\t12/2020\tCông ty\t45.000"
    assert error.vi.startswith("Số tiền 45.000 đồng quá nhỏ")
    assert error.en.startswith("the amount 45,000 VND is too small")


def test_code_like_amount_is_an_error_not_a_salary() -> None:
    error = _error("01/2020 12/2020 Mã số thuế 3300101234")
    assert "too large" in error.en


def test_missing_amount_is_an_error() -> None:
    assert _error("01/2020 12/2020 Công ty").en == "no amount found (monthly salary or income)"


def test_fractional_float_cell_is_an_error() -> None:
    parsed = parse_rows([["Từ tháng", "Đến tháng", "Tiền lương"],
                         ["01/2020", "12/2020", 4.5e6 + 0.5]])
    assert parsed.periods == []
    assert [e.en for e in parsed.errors] == ["the amount must be a whole number of dong"]


def test_to_before_from_is_an_error() -> None:
    error = _error("12/2020 01/2020 Công ty 3.000.000")
    assert error.vi == "Tháng kết thúc 01/2020 trước tháng bắt đầu 12/2020"
    assert error.en == "the end month 01/2020 is before the start month 12/2020"


@pytest.mark.parametrize("line", [
    "Từ tháng 01/2021 đến nay\tCông ty E\t5.000.000",
    "01/2021 - nay\tCông ty E\t5.000.000",
    "01/2021\tHiện tại\tCông ty E\t5.000.000",
    "01/2021 to now\tCông ty E\t5.000.000",
    "01/2021\t\tCông ty E\t5.000.000",  # the "to" column empty
    "01/2021;;Công ty E;5.000.000",
    "Từ tháng 01/2021\tCông ty E\t5.000.000",
])
def test_open_end_is_an_error(line: str) -> None:
    error = _error(line)
    assert error.vi.startswith("Cần tháng kết thúc")
    assert error.en.startswith("the end month is needed")


def test_a_company_named_now_is_not_an_open_end() -> None:
    assert _one("01/2021 06/2021 Công ty Ngày Nay 5.000.000")["employer"] == "Công ty Ngày Nay"


def test_line_without_month_is_an_error() -> None:
    error = _error("Công ty F\t5.000.000")
    assert error.vi == "Không đọc được tháng (cần dạng 01/2012 hoặc 2012-01)"
    assert error.en == "no month found (expected 01/2012 or 2012-01)"


def test_invalid_month_and_three_months_are_errors() -> None:
    assert _error("13/2012 12/2013 Công ty 5.000.000").en == "invalid month: 13/2012"
    assert _error("01/2012 06/2012 12/2012 Công ty 5.000.000").en.startswith(
        "more than two months")


def test_headers_headings_and_totals_are_skipped() -> None:
    text = (
        "Quá trình tham gia BHXH\n"
        "STT\tTừ tháng\tĐến tháng\tĐơn vị\tTiền lương\n"
        "Từ tháng  Đến tháng  Đơn vị  Tiền lương\n"
        "From\tTo\tEmployer\tSalary\n"
        "   \t \n"
        "Bảo hiểm xã hội bắt buộc\n"
        "Tổng cộng: 5 năm 0 tháng\n"
    )
    assert parse_text(text) == Parsed([], [])


def test_a_header_line_holding_an_amount_is_reported() -> None:
    # a period that lost its month is not mistaken for a header
    assert _error("Đơn vị: Công ty G, tiền lương 5.000.000").en.startswith("no month found")


def test_unemployment_insurance_section_is_not_si() -> None:
    text = ("BHXH bắt buộc\n01/2012 12/2016 Công ty A 4.500.000\n"
            "Bảo hiểm thất nghiệp\n01/2012 12/2016 Công ty A 4.500.000\n")
    parsed = parse_text(text)
    assert [p["from"] for p in parsed.periods] == ["2012-01"]
    assert [e.line for e in parsed.errors] == [4]
    assert "unemployment" in parsed.errors[0].en


def test_errors_keep_their_line_numbers_and_the_good_lines() -> None:
    text = "BHXH tự nguyện\n\n01/2020 12/2020 A 1.500.000\nrác\n01/2021 12/2021 B 2.000.000\n"
    parsed = parse_text(text)
    assert [(p["from"], p["kind"], p["employer"]) for p in parsed.periods] == [
        ("2020-01", "voluntary", "A"), ("2021-01", "voluntary", "B")]
    assert [(e.line, e.text) for e in parsed.errors] == [(4, "rác")]


def test_adjacent_rows_are_not_merged() -> None:
    text = "01/2012 06/2012 A 4.500.000\r\n07/2012 12/2012 A 4.500.000\r\n"
    assert [(p["from"], p["to"]) for p in parse_text(text).periods] == [
        ("2012-01", "2012-06"), ("2012-07", "2012-12")]


def test_too_many_lines() -> None:
    text = "\n".join(f"{1 + i % 12:02d}/{2000 + i // 12} Công ty 4.500.000" for i in range(650))
    parsed = parse_text(text)
    assert len(parsed.periods) == MAX_LINES
    assert parsed.periods[-1]["from"] == parsed.periods[-1]["to"] == "2049-12"
    assert len(parsed.errors) == 1
    assert parsed.errors[0].line == 601
    assert parsed.errors[0].vi.startswith("Quá nhiều dòng")
    assert "50 from line 601" in parsed.errors[0].en


def test_long_line_is_an_error_and_text_is_cut() -> None:
    line = "01/2012 12/2012 " + "Công ty " * 130 + "4.500.000"
    error = _error(line)
    assert error.en == "the line is too long (over 1,000 characters)"
    assert error.text == line[:120]


def test_employer_is_cut_to_200_characters() -> None:
    period = _one("01/2012 12/2012 " + "Công ty May " * 40 + "4.500.000")
    assert period["employer"] == ("Công ty May " * 40)[:200].rstrip()


def test_hostile_text_finishes_fast() -> None:
    started = time.monotonic()
    one_line = parse_text("1/" * 100_000)  # 200 KB, one line
    assert one_line.periods == [] and len(one_line.errors) == 1
    assert one_line.errors[0].en.startswith("the line is too long")
    many = parse_text("\n".join(("12/2012/1.5,5 " * 80)[:999] for _ in range(205)))  # 200 KB
    assert many.periods == [] and len(many.errors) == 205
    assert time.monotonic() - started < 2


def test_rows_with_vietnamese_header_dates_and_floats() -> None:
    rows: list[list[object]] = [
        ["STT", "Từ tháng", "Đến tháng", "Đơn vị công tác", "Tiền lương (đồng)", "Loại"],
        [1, _excel_datetime(2012, 1, 1), _excel_datetime(2016, 12, 1), "Công ty TNHH May Huế",
         4_500_000.0, "Bắt buộc"],
        [2, date(2020, 7, 1), date(2023, 12, 31), "BHXH huyện Phú Vang", 1_500_000,
         "Tự nguyện"],
        [None, None, None, None, None, None],
        [3, "01/2024", "06/2024", "  Đại lý thu   xã Phú Mỹ ", "2.000.000 đ", ""],
        [4, date(2024, 7, 1), None, "Đại lý thu xã Phú Mỹ", 2_000_000.0, "Tự nguyện"],
        [5, "07/2024", "nay", "Đại lý thu xã Phú Mỹ", 2_000_000.0, "Tự nguyện"],
        [6, "07/2024", "12/2024", "Đại lý thu xã Phú Mỹ", 2_000_000.0, "Thất nghiệp"],
    ]
    parsed = parse_rows(rows)
    assert parsed.periods == [
        {"from": "2012-01", "to": "2016-12", "income": 4_500_000, "kind": "compulsory",
         "employer": "Công ty TNHH May Huế"},
        {"from": "2020-07", "to": "2023-12", "income": 1_500_000, "kind": "voluntary",
         "employer": "BHXH huyện Phú Vang"},
        {"from": "2024-01", "to": "2024-06", "income": 2_000_000, "kind": "compulsory",
         "employer": "Đại lý thu xã Phú Mỹ"},
    ]
    assert [(e.line, e.en.split(":")[0]) for e in parsed.errors] == [
        (6, "the end month is needed"), (7, "the end month is needed"), (8, "unknown kind")]
    assert parsed.errors[0].text == "4\t07/2024\t\tĐại lý thu xã Phú Mỹ\t2000000\tTự nguyện"


def test_rows_header_below_a_title_and_sections() -> None:
    rows: list[list[object]] = [
        ["QUÁ TRÌNH THAM GIA BHXH", None, None, None],
        ["Bắt đầu", "Kết thúc", "Nơi làm việc", "Mức thu nhập tháng"],
        ["BHXH tự nguyện", None, None, None],
        ["2019-01", "2019-12", "Xã Phú Mỹ", "1,600,000"],
    ]
    assert parse_rows(rows) == Parsed([
        {"from": "2019-01", "to": "2019-12", "income": 1_600_000, "kind": "voluntary",
         "employer": "Xã Phú Mỹ"}], [])


def test_rows_without_header_are_read_as_text() -> None:
    rows: list[list[object]] = [
        ["01/2012", "12/2016", "Công ty TNHH May Huế", 4_500_000.0],
        [date(2017, 1, 1), _excel_datetime(2017, 12, 31), "Công ty B", 5_000_000, "TN"],
        ["Công ty C", 5_000_000],
    ]
    parsed = parse_rows(rows)
    assert parsed.periods == [
        {"from": "2012-01", "to": "2016-12", "income": 4_500_000, "kind": "compulsory",
         "employer": "Công ty TNHH May Huế"},
        {"from": "2017-01", "to": "2017-12", "income": 5_000_000, "kind": "voluntary",
         "employer": "Công ty B"},
    ]
    assert [(e.line, e.text, e.en) for e in parsed.errors] == [
        (3, "Công ty C\t5000000", "no month found (expected 01/2012 or 2012-01)")]


def test_rows_limit() -> None:
    rows: list[list[object]] = [["Từ tháng", "Đến tháng", "Tiền lương"]]
    rows += [[date(1980 + i // 12, 1 + i % 12, 1), date(1980 + i // 12, 1 + i % 12, 1), 2e6]
             for i in range(MAX_LINES + 5)]
    parsed = parse_rows(rows)
    assert len(parsed.periods) == MAX_LINES
    assert [(e.line, e.en) for e in parsed.errors] == [
        (MAX_LINES + 2, f"too many lines: only the first {MAX_LINES} are read, the 5 from line "
                        f"{MAX_LINES + 2} on are not")]


def test_a_phone_number_is_not_the_amount() -> None:
    period = _one("01/2020 12/2020\tCông ty Hoa Sen\tĐT 0912345678\t4.500.000")
    assert (period["income"], period["employer"]) == (4_500_000, "Công ty Hoa Sen, ĐT 0912345678")


def test_columns_left_in_the_employer_are_kept_apart() -> None:
    period = _one("01/2012\t12/2016\tCông ty TNHH May Huế\tCông nhân may\t4.500.000\t60")
    assert period["employer"] == "Công ty TNHH May Huế, Công nhân may"
