"""Read a person's SI history ("Quá trình tham gia BHXH") as pasted from VssID, the VSS portal or
an Excel sheet, or as the rows of an uploaded .csv/.xlsx, into periods in the policy engine's
JSON form (`policy.history.parse_history`), with an error in Vietnamese and English for each line
that cannot be read.

A line is one period: a "from" and a "to" month (one month alone is from = to), the monthly
salary (compulsory SI) or declared income (voluntary SI) and the rest of the line as the
employer. Nothing is guessed: an amount under 100,000 đ, a "to" before its "from", an open end
("đến nay") or a line with three months is reported, not repaired. Adjacent periods are not
merged and overlaps are left to the caller.

Every pattern works on a folded copy of the line that keeps its length (one character folds to
one: `_FOLD`), so a match found without diacritics cuts the line as typed, and every pattern is
bounded (no nested repetition): a line is at most 1,000 characters and a paste at most 600
lines, so a hostile paste costs linear time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ansinh.core.text import fold, normalize_name

COMPULSORY = "compulsory"
VOLUNTARY = "voluntary"
KINDS = (COMPULSORY, VOLUNTARY)
_OTHER = "other"  # a section of another insurance (BHTN, BHYT): its lines are not SI periods

MAX_LINES = 600  # non-blank lines or rows (a sheet's header row not counted)
MAX_LINE_CHARS = 1_000
MIN_AMOUNT = 100_000  # below this, a number is not a monthly salary or income
MAX_AMOUNT = 1_000_000_000  # above this, it is a code or a total, not a month's salary
SHOWN_CHARS = 120
EMPLOYER_CHARS = 200
FIRST_YEAR, LAST_YEAR = 1945, 2099
_HEADER_SEARCH_ROWS = 10  # a sheet may have a title row or two above its header


@dataclass(frozen=True)
class LineError:
    line: int  # 1-based line (or sheet row) number
    text: str  # the line as given (trimmed, at most 120 characters)
    vi: str  # Vietnamese message
    en: str  # English message


@dataclass(frozen=True)
class Parsed:
    # [{"from": "YYYY-MM", "to": "YYYY-MM", "income": int, "kind": "compulsory"|"voluntary",
    #   "employer": str}]
    periods: list[dict[str, object]]
    errors: list[LineError]


# --- folding that keeps positions ---------------------------------------------------------


class _AlignedFold(dict[int, str]):
    """A `str.translate` table folding each character to exactly one character (tab kept, other
    spaces to " ", any decimal digit to ASCII, letters as `fold` does), filled on first use."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char == "\t":
            value = "\t"
        elif char.isspace():
            value = " "
        else:
            digit = unicodedata.decimal(char, None)
            folded = str(digit) if digit is not None else fold(char)
            value = folded if len(folded) == 1 else char
        if len(self) < 20_000:  # hostile text must not grow it without bound
            self[code] = value
        return value


_FOLD = _AlignedFold()
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).translate(_INVISIBLE)


def _folded(line: str) -> str:
    return line.translate(_FOLD)


# --- patterns (on the folded line) ---------------------------------------------------------

_MONTH = re.compile(
    r"(?:\b(?P<conn>tu|den|from|to|since|until)[ \t]{0,3})?"
    r"(?:\b(?:thang|ngay|th|t)\.?[ \t]{0,3})?"
    r"(?<![0-9])(?P<tok>"
    r"(?P<d>[0-9]{1,2})(?P<s1>[/.-])(?P<dm>[0-9]{1,2})(?P=s1)(?P<dy>[0-9]{4})"  # DD/MM/YYYY
    r"|(?P<y>[0-9]{4})(?P<s2>[/.-])(?P<ym>[0-9]{1,2})(?:(?P=s2)[0-9]{1,2})?"  # YYYY-MM(-DD)
    r"|(?P<m>[0-9]{1,2})(?:[/.-]| {1,3}nam {1,3})(?P<my>[0-9]{4})"  # MM/YYYY, "1 năm 2012"
    r")(?![0-9])"
)
_FROM_CONN = frozenset({"tu", "from", "since"})
_TO_CONN = frozenset({"den", "to", "until"})
_NOW_WORDS = r"(?:nay|hien tai|hien nay|now|present)"
_NOW = re.compile(
    rf"(?:\b(?:den|to|until) {{0,3}}(?:thang {{0,3}})?|[-–—~] {{0,3}}){_NOW_WORDS}\b"
    rf"|(?:^|(?<=[\t;|])) *(?:den )?{_NOW_WORDS} *(?=[\t;|]|$)"
)
# After a line's only month: a range sign or "đến" with nothing after it, or an empty column.
_OPEN_END = re.compile(
    r" {0,3}(?:(?:[-–—~]|\bden\b|\bto\b)(?: {0,3}thang\b)? *(?:[\t;|]|$)| *[\t;|] *[\t;|])"
)
_KIND = re.compile(
    r"\b(?:(?:bhxh|bao hiem xa hoi) {1,3})?"
    r"(?P<k>bat buoc|bb|compulsory|tu nguyen|tn|voluntary)\b"
)
_COMPULSORY_WORDS = frozenset({"bat buoc", "bb", "compulsory"})
_MILLIONS = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?P<i>[0-9]{1,4})(?:[.,](?P<f>[0-9]{1,3}))? {0,2}"
    r"(?:trieu|tr)\b\.?(?: {0,2}(?:vnd|dong|d)\b)?"
)
_AMOUNT = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?P<num>"
    r"[0-9]{1,3}(?P<sep>[.,])[0-9]{3}(?:(?P=sep)[0-9]{3})*"  # 4.500.000, 4,500,000
    r"|[0-9]{1,3}(?: [0-9]{3})+"  # 4 500 000
    r"|[0-9]+)"  # 4500000
    r"(?:[.,]00?)?(?![0-9])"  # 4500000.0, 4.500.000,00
    r"(?: {0,3}(?:vnd|dong|d)\b)?(?: {0,2}/ {0,2}thang\b)?"
)
_DIGIT = re.compile(r"[0-9]")
_SI = re.compile(r"\b(?:bhxh|bao hiem xa hoi)\b")
_OTHER_SCHEME = re.compile(r"\b(?:that nghiep|bhtn|bao hiem y te|bhyt|tai nan lao dong)\b")
_HEADER = re.compile(
    r"\b(?:tu thang|den thang|tu ngay|den ngay|don vi|tien luong|muc luong|thu nhap|muc dong"
    r"|noi lam viec|chuc vu|nghe nghiep|so thang|thoi gian|stt|from|employer|salary|income)\b"
)
_TOTAL = re.compile(r"[ \t]*(?:tong|total)\b")
_FIELD_SEP = re.compile(r"[\t;|]")
_LABEL = re.compile(r"(?:ten don vi|don vi cong tac|don vi|noi lam viec|co quan|employer) *: *")
_LEFT_EDGE = " \t-–—:,;.~/|*)]"
_RIGHT_EDGE = " \t-–—:,;~/|*(["
_EMPLOYER_NOISE = frozenset({
    "tu", "den", "tu thang", "den thang", "thang", "from", "to", "nay", "den nay", "bhxh",
    "bao hiem xa hoi", "vnd", "dong", "d", "tien luong", "muc luong", "luong", "thu nhap",
    "muc thu nhap", "muc dong", "don vi", "don vi cong tac", "noi lam viec", "employer",
    "salary", "income", "loai",
})


# --- messages ---------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en


def _vnd_vi(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _no_month() -> _Refused:
    return _Refused("Không đọc được tháng (cần dạng 01/2012 hoặc 2012-01)",
                    "no month found (expected 01/2012 or 2012-01)")


def _end_needed() -> _Refused:
    return _Refused("Cần tháng kết thúc: hãy nhập tháng cuối cùng đã đóng thay cho “đến nay”",
                    "the end month is needed: enter the last month paid instead of “now”")


def _start_needed() -> _Refused:
    return _Refused("Cần tháng bắt đầu", "the start month is needed")


def _many_months() -> _Refused:
    return _Refused("Dòng có hơn hai tháng: mỗi dòng là một giai đoạn (từ tháng, đến tháng)",
                    "more than two months on the line: one line is one period (from, to)")


def _no_amount() -> _Refused:
    return _Refused("Không đọc được số tiền (tiền lương hoặc mức thu nhập tháng)",
                    "no amount found (monthly salary or income)")


# --- months ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Month:
    year: int
    month: int
    start: int = 0  # the span in the folded line, connector ("từ tháng") included
    end: int = 0
    conn: str = ""
    token: str = ""  # the digits as written
    valid: bool = True

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def shown(self) -> str:
        return f"{self.month:02d}/{self.year:04d}"


def _months(low: str) -> list[_Month]:
    found = []
    for match in _MONTH.finditer(low):
        if match["d"] is not None:
            day, month, year = int(match["d"]), int(match["dm"]), int(match["dy"])
        elif match["y"] is not None:
            day, month, year = 1, int(match["ym"]), int(match["y"])
        else:
            day, month, year = 1, int(match["m"]), int(match["my"])
        valid = 1 <= day <= 31 and 1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR
        found.append(_Month(year, month, match.start(), match.end(), match["conn"] or "",
                            match["tok"], valid))
    return found


def _checked(months: list[_Month]) -> list[_Month]:
    for month in months:
        if not month.valid:
            raise _Refused(f"Tháng không hợp lệ: {month.token}", f"invalid month: {month.token}")
    return months


def _ordered(start: _Month, end: _Month) -> None:
    if (end.year, end.month) < (start.year, start.month):
        raise _Refused(f"Tháng kết thúc {end.shown} trước tháng bắt đầu {start.shown}",
                       f"the end month {end.shown} is before the start month {start.shown}")


# --- amounts ----------------------------------------------------------------------------


def _masked(low: str, spans: list[tuple[int, int]]) -> str:
    pieces, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if start < end:
            pieces += [low[pos:start], " " * (end - start)]
            pos = end
    pieces.append(low[pos:])
    return "".join(pieces)


def _amounts(masked: str) -> list[tuple[Decimal, tuple[int, int]]]:
    """Every number of the text (months already masked) with its span, in order."""
    found: list[tuple[Decimal, tuple[int, int]]] = []
    for match in _MILLIONS.finditer(masked):
        value = Decimal(f"{match['i']}.{match['f'] or 0}") * 1_000_000
        found.append((value, match.span()))
    masked = _masked(masked, [span for _, span in found])
    for match in _AMOUNT.finditer(masked):
        digits = match["num"]
        if digits.isdigit() and len(digits) > 1 and digits[0] == "0":
            continue  # 0312345678: a code or a phone number, not an amount
        value = Decimal(re.sub(r"[^0-9]", "", digits))
        found.append((value, match.span()))
    return sorted(found, key=lambda item: item[1])


def _largest(masked: str) -> tuple[Decimal, tuple[int, int]] | None:
    best: tuple[Decimal, tuple[int, int]] | None = None
    for value, span in _amounts(masked):
        if best is None or value > best[0]:
            best = (value, span)
    return best


def _income(value: Decimal) -> int:
    if value != value.to_integral_value():
        raise _Refused("Số tiền phải là số nguyên đồng",
                       "the amount must be a whole number of dong")
    amount = int(value)
    if amount < MIN_AMOUNT:
        raise _Refused(
            f"Số tiền {_vnd_vi(amount)} đồng quá nhỏ để là tiền lương hay thu nhập tháng "
            f"(từ {_vnd_vi(MIN_AMOUNT)} đồng)",
            f"the amount {amount:,} VND is too small for a monthly salary or income "
            f"(at least {MIN_AMOUNT:,})")
    if amount > MAX_AMOUNT:
        raise _Refused(
            f"Số tiền {_vnd_vi(amount)} đồng quá lớn để là tiền lương hay thu nhập tháng "
            "(có thể là mã số hay tổng cộng)",
            f"the amount {amount:,} VND is too large for a monthly salary or income "
            "(perhaps a code or a total)")
    return amount


def _has_amount(low: str) -> bool:
    return any(value >= MIN_AMOUNT for value, _ in _amounts(low))


# --- kinds ------------------------------------------------------------------------------


def _kinds(low: str) -> tuple[set[str], list[tuple[int, int]]]:
    kinds, spans = set(), []
    for match in _KIND.finditer(low):
        kinds.add(COMPULSORY if match["k"] in _COMPULSORY_WORDS else VOLUNTARY)
        spans.append(match.span())
    return kinds, spans


def _both_kinds() -> _Refused:
    return _Refused("Dòng ghi cả “bắt buộc” và “tự nguyện”",
                    "the line says both compulsory and voluntary")


# --- employer ---------------------------------------------------------------------------


def _employer(line: str, low: str, spans: list[tuple[int, int]]) -> str:
    """What is left of the line once months, amount and kind words are cut out (each cut
    separates columns), without separators, labels or columns of digits only."""
    pieces, low_pieces, pos = [], [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if start < end:
            pieces += [line[pos:start], "\t"]
            low_pieces += [low[pos:start], "\t"]
            pos = end
    pieces.append(line[pos:])
    low_pieces.append(low[pos:])
    names = []
    for text, key in zip(_FIELD_SEP.split("".join(pieces)),
                         _FIELD_SEP.split("".join(low_pieces)), strict=True):
        cut = len(key) - len(key.lstrip(_LEFT_EDGE))
        text, key = text[cut:], key[cut:]
        label = _LABEL.match(key)
        if label:
            text, key = text[label.end():], key[label.end():]
        keep = len(key.rstrip(_RIGHT_EDGE))
        name = normalize_name(text[:keep])
        if name and any(ch.isalpha() for ch in name) and fold(name) not in _EMPLOYER_NOISE:
            names.append(name)
    return ", ".join(names)[:EMPLOYER_CHARS].rstrip(" ,")


# --- sheets -----------------------------------------------------------------------------

_COLUMN_NAMES = {
    "from": ("tu thang", "tu", "from", "bat dau", "thang bat dau", "tu ngay", "ngay bat dau",
             "from month", "start"),
    "to": ("den thang", "den", "to", "ket thuc", "thang ket thuc", "den ngay", "ngay ket thuc",
           "to month", "end"),
    "amount": ("tien luong", "muc luong", "luong", "muc dong", "thu nhap", "muc thu nhap",
               "income", "salary", "amount"),
    "kind": ("loai", "hinh thuc", "kind", "loai hinh"),
    "employer": ("don vi", "don vi cong tac", "noi lam viec", "employer", "ten don vi", "co quan",
                 "company"),
}
_EXACT = {name: role for role, names in _COLUMN_NAMES.items() for name in names}
# "Tiền lương tháng (đồng)" is the salary column too; short names ("tu", "to") only exactly.
_PREFIXES = sorted(((name, role) for name, role in _EXACT.items() if len(name) >= 4),
                   key=lambda item: -len(item[0]))


def _column_role(cell: object) -> str | None:
    if not isinstance(cell, str) or len(cell) > 100:
        return None
    key = re.sub(r"[^a-z0-9]+", " ", re.sub(r"\([^)]*\)", " ", fold(cell))).strip()
    if key in _EXACT:
        return _EXACT[key]
    return next((role for name, role in _PREFIXES if key.startswith(name + " ")), None)


def _columns(row: Sequence[object]) -> dict[str, int] | None:
    """The sheet's columns by role, if this row is a header naming at least a "from" and an
    amount column."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        role = _column_role(cell)
        if role is not None and role not in columns:
            columns[role] = index
    return columns if "from" in columns and "amount" in columns else None


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return f"{cell.month:02d}/{cell.year:04d}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _cell_months(cell: object) -> list[_Month]:
    if isinstance(cell, date):
        return [_Month(cell.year, cell.month, token=_cell_text(cell),
                       valid=FIRST_YEAR <= cell.year <= LAST_YEAR)]
    if isinstance(cell, str):
        return _months(_folded(_clean(cell)))
    return []


def _cell_amount(cell: object) -> int:
    value: Decimal
    if isinstance(cell, bool) or cell is None or isinstance(cell, date):
        raise _no_amount()
    if isinstance(cell, int | Decimal):
        value = Decimal(cell)
    elif isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise _no_amount()
        value = Decimal(cell)
    else:
        low = _folded(_clean(str(cell)))
        best = _largest(_masked(low, [(m.start, m.end) for m in _months(low)]))
        if best is None:
            raise _no_amount()
        value = best[0]
    if value <= 0:
        raise _no_amount()
    return _income(value)


def _blank(text: str) -> bool:
    return not text.translate(_INVISIBLE).strip()


# --- the reader -------------------------------------------------------------------------


@dataclass
class _Reader:
    default: str
    section: str | None = None  # the kind the last heading set
    periods: list[dict[str, object]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    count: int = 0

    def refuse(self, number: int, text: str, vi: str, en: str) -> None:
        self.errors.append(LineError(number, text.strip()[:SHOWN_CHARS], vi, en))

    def counted(self, number: int, text: str, rest: int) -> bool:
        """Count a non-blank line; past the limit, one error for it and the `rest` after it."""
        self.count += 1
        if self.count <= MAX_LINES:
            return True
        self.refuse(number, text,
                    f"Quá nhiều dòng: chỉ đọc {MAX_LINES} dòng đầu, {rest} dòng từ dòng {number} "
                    "trở đi không được đọc",
                    f"too many lines: only the first {MAX_LINES} are read, the {rest} from line "
                    f"{number} on are not")
        return False

    def read(self, number: int, text: str, columns: dict[str, int] | None = None,
             cells: Sequence[object] = ()) -> None:
        if len(text) > MAX_LINE_CHARS:
            self.refuse(number, text, f"Dòng quá dài (hơn {_vnd_vi(MAX_LINE_CHARS)} ký tự)",
                        f"the line is too long (over {MAX_LINE_CHARS:,} characters)")
            return
        try:
            period = self.row(cells, columns, text) if columns else self.line(text)
        except _Refused as refused:
            self.refuse(number, text, refused.vi, refused.en)
            return
        if period is not None:
            self.periods.append(period)

    def kind(self, found: set[str]) -> str:
        if len(found) > 1:
            raise _both_kinds()
        kind = next(iter(found)) if found else (self.section or self.default)
        if kind == _OTHER:
            raise _Refused(
                "Dòng thuộc phần bảo hiểm thất nghiệp / y tế / tai nạn lao động, không phải "
                "quá trình đóng BHXH",
                "the line is under an unemployment, health or work-accident insurance heading, "
                "not a social-insurance period")
        return kind

    def without_month(self, low: str) -> None:
        """A line without a month: a heading (sets the kind), a header or a total (skipped), or
        an error. A line holding an amount is never skipped: it is a period missing its month."""
        if not _DIGIT.search(low):
            kinds, _ = _kinds(low)
            if kinds:
                if len(kinds) == 1:
                    self.section = kinds.pop()
                return
            if _SI.search(low):
                if self.section == _OTHER:
                    self.section = None
                return
            if _OTHER_SCHEME.search(low):
                self.section = _OTHER
                return
        if (_HEADER.search(low) or _TOTAL.match(low)) and not _has_amount(low):
            return
        raise _no_month()

    def line(self, raw: str) -> dict[str, object] | None:
        line = _clean(raw)
        low = _folded(line)
        months = _months(low)
        if not months:
            self.without_month(low)
            return None
        _checked(months)
        if len(months) > 2:
            raise _many_months()
        now_spans = [match.span() for match in _NOW.finditer(low)]
        if len(months) == 1:
            start = end = months[0]
            if start.conn in _TO_CONN and not now_spans:
                raise _start_needed()
            if now_spans or start.conn in _FROM_CONN or _OPEN_END.match(low, start.end):
                raise _end_needed()
        else:
            start, end = months
        _ordered(start, end)
        kinds, kind_spans = _kinds(low)
        kind = self.kind(kinds)
        cut = [(m.start, m.end) for m in months] + now_spans + kind_spans
        best = _largest(_masked(low, cut))
        if best is None:
            raise _no_amount()
        income = _income(best[0])
        employer = _employer(line, low, [*cut, best[1]])
        return _period(start, end, income, kind, employer)

    def row(self, cells: Sequence[object], columns: dict[str, int], text: str
            ) -> dict[str, object] | None:
        def cell(role: str) -> object:
            index = columns.get(role)
            return cells[index] if index is not None and index < len(cells) else None

        starts = _checked(_cell_months(cell("from")))
        ends = _checked(_cell_months(cell("to")))
        if not starts and not ends:
            self.without_month(_folded(_clean(text)))
            return None
        if not starts:
            raise _start_needed()
        to_text = _cell_text(cell("to"))
        if len(starts) == 2 and not ends and not to_text.strip():
            start, end = starts  # "01/2012 - 12/2016" in the "from" column
        elif len(starts) > 1 or len(ends) > 1:
            raise _many_months()
        elif "to" not in columns:
            start = end = starts[0]
        elif ends:
            start, end = starts[0], ends[0]
        elif not to_text.strip() or _NOW.search(_folded(_clean(to_text)).strip()):
            raise _end_needed()
        else:
            raise _Refused(f"Không đọc được tháng kết thúc: {to_text.strip()[:40]}",
                           f"the end month could not be read: {to_text.strip()[:40]}")
        _ordered(start, end)
        if "kind" in columns:
            kind_text = _cell_text(cell("kind"))
            kinds, _ = _kinds(_folded(_clean(kind_text)))
            if kind_text.strip() and not kinds:
                raise _Refused(
                    f"Không rõ loại: {kind_text.strip()[:40]} (cần “bắt buộc” hoặc “tự nguyện”)",
                    f"unknown kind: {kind_text.strip()[:40]} (expected compulsory or voluntary)")
        else:
            kinds, _ = _kinds(_folded(_clean(text)))
        kind = self.kind(kinds)
        income = _cell_amount(cell("amount"))
        employer = normalize_name(_cell_text(cell("employer")))[:EMPLOYER_CHARS].rstrip()
        return _period(start, end, income, kind, employer)


def _period(start: _Month, end: _Month, income: int, kind: str, employer: str
            ) -> dict[str, object]:
    return {"from": start.iso, "to": end.iso, "income": income, "kind": kind,
            "employer": employer}


def _default(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"default_kind must be one of {KINDS}, not {kind!r}")
    return kind


def parse_text(text: str, default_kind: str = COMPULSORY) -> Parsed:
    """Periods from pasted text, one per line; section headings set the kind of the lines after
    them; blank lines, column headers and totals are skipped."""
    reader = _Reader(_default(default_kind))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, raw in enumerate(lines):
        if _blank(raw):
            continue
        rest = 0 if reader.count < MAX_LINES else sum(not _blank(x) for x in lines[index:])
        if not reader.counted(index + 1, raw, rest):
            break
        reader.read(index + 1, raw)
    return Parsed(reader.periods, reader.errors)


def parse_rows(rows: list[list[object]], default_kind: str = COMPULSORY) -> Parsed:
    """Periods from a sheet's rows of cells. A header row (the first, or below a title) naming
    a "from" and an amount column maps the columns; without one, each row is read as a text
    line of its cells joined by tabs."""
    reader = _Reader(_default(default_kind))
    header, columns = -1, None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns = _columns(_cells(row))
        if columns is not None:
            header = index
            break
    for index, row in enumerate(rows):
        cells = _cells(row)
        if index == header or _blank_row(cells):
            continue
        text = "\t".join(_cell_text(cell) for cell in cells)
        rest = 0
        if reader.count >= MAX_LINES:
            rest = sum(not _blank_row(_cells(other)) for other in rows[index:])
        if not reader.counted(index + 1, text, rest):
            break
        reader.read(index + 1, text, columns if index > header else None, cells)
    return Parsed(reader.periods, reader.errors)


def _cells(row: object) -> Sequence[object]:
    return row if isinstance(row, list | tuple) else [row]


def _blank_row(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and _blank(cell)) for cell in cells)
