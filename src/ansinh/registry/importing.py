"""Import the register from CSV or XLSX: validate every row in Python, then write in bulk.

Contract (ARCHITECTURE.md, issue 2):
- headers are matched case- and diacritic-insensitively, English aliases accepted;
- the file is read by reading.py: refused whole (UnusableFile, with a message) when it is not
  a table or is larger than its limits, else its rows; a cell that cannot be stored (too long
  for its column, a NUL or control character, an undefined byte) is a row error;
- rows are keyed on the national ID, else on name + birth date + village, so the same file
  imported twice changes nothing;
- an import writes inside a territory: the villages its user may write (`visible_villages` for
  the page's job; every village for the CLI, which is the operator). A row is refused when its
  village is outside it, when its national ID (or name + birth date + village) is a person
  outside it, or when its household code is a household outside it (another commune or another
  office). Such a row never creates a second person and never touches that household's
  poverty status, which drives the state subsidy;
- by default nothing is written if any row is invalid; with skip_invalid the valid rows are,
  and nothing of a refused row is;
- the write is one transaction: an interrupted import leaves the database as it was;
- no query per row, and no IN list longer than CHUNK (SQLite caps the variables of a query):
  a large file reads the offices it touches instead, and looks up the rest in chunks.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.bulk import db_datetime, db_uuid, insert_rows, lock_rows, update_rows
from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry, Office, User
from ansinh.core.text import fold, fold_cached, normalize_name

from . import dedup
from .changes import numbers
from .columns import REQUIRED, header_index
from .identity import check_national_id, check_si_number, normalize_national_id
from .models import (
    DuplicatePair,
    Household,
    HouseholdPoverty,
    ImportJob,
    Person,
    PovertyStatus,
    SIStatus,
    Village,
)
from .reading import BAD_BYTE, Limits, UnusableFile, read_table
from .reference import ETHNIC_GROUPS, KINH, LOCAL_GROUP_ALIASES

Progress = Callable[[str, int, int], None]
__all__ = ["ImportResult", "RowError", "UnusableFile", "import_persons", "read_table"]

# The longest IN list a query builds: SQLite allows 32,766 variables per statement.
CHUNK = 5000


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _other_territory() -> str:
    return _("Thuộc địa bàn khác / Belongs to another territory")


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    # rows that are probably a person already in the register (registry.dedup): not created,
    # put in the office's duplicate queue for staff to decide
    held: int = 0
    imported: bool = False
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_report: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "held": self.held,
            "imported": self.imported,
            "dry_run": self.dry_run,
            "error_report": self.error_report,
        }


# ---------------------------------------------------------------------------------------------
# Reading


def map_headers(header: list[str]) -> dict[str, int]:
    index = header_index()
    mapping: dict[str, int] = {}
    for position, title in enumerate(header):
        key = index.get(fold(title).strip(" *:"))
        if key and key not in mapping:
            mapping[key] = position
    missing = [key for key in REQUIRED if key not in mapping]
    if missing:
        raise UnusableFile(
            _("Thiếu cột bắt buộc / Missing required columns: %(cols)s")
            % {"cols": ", ".join(missing)}
        )
    return mapping


# ---------------------------------------------------------------------------------------------
# Parsing cells

_ETHNICITY = {fold(name): code for code, name in ETHNIC_GROUPS}
_ETHNICITY.update({code: code for code, _name in ETHNIC_GROUPS})
_ETHNICITY.update({str(int(code)): code for code, _name in ETHNIC_GROUPS})
_ETHNICITY.update({name.replace("-", " "): code for name, code in _ETHNICITY.copy().items()})
_SEX = {"nam": "M", "male": "M", "m": "M", "nu": "F", "female": "F", "f": "F"}
_POVERTY = {
    "": PovertyStatus.NONE, "khong": PovertyStatus.NONE, "none": PovertyStatus.NONE,
    "ho ngheo": PovertyStatus.POOR, "ngheo": PovertyStatus.POOR, "poor": PovertyStatus.POOR,
    "ho can ngheo": PovertyStatus.NEAR_POOR, "can ngheo": PovertyStatus.NEAR_POOR,
    "near_poor": PovertyStatus.NEAR_POOR, "near poor": PovertyStatus.NEAR_POOR,
}
_SI_STATUS = {fold(str(label)): value for value, label in SIStatus.choices}
_SI_STATUS.update({value: value for value in SIStatus.values})
_SI_STATUS[""] = SIStatus.NONE


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_birth(value: Any, today: date) -> tuple[date, bool]:
    """(date, year_only) from DD/MM/YYYY, YYYY-MM-DD, YYYY, or an Excel date cell."""
    if isinstance(value, datetime):
        born, year_only = value.date(), False
    elif isinstance(value, date):
        born, year_only = value, False
    else:
        text = _text(value)
        try:
            if len(text) == 4 and text.isdigit():
                born, year_only = date(int(text), 1, 1), True
            elif "/" in text:
                day, month, year = (int(part) for part in text.split("/"))
                born, year_only = date(year, month, day), False
            elif "-" in text:
                year, month, day = (int(part) for part in text[:10].split("-"))
                born, year_only = date(year, month, day), False
            else:
                raise ValueError(text)
        except ValueError:
            raise ValueError(
                _("Ngày sinh không hợp lệ (DD/MM/YYYY, YYYY-MM-DD hoặc YYYY) / "
                  "Invalid birth date (DD/MM/YYYY, YYYY-MM-DD or YYYY)")
            ) from None
    if born > today:
        raise ValueError(_("Ngày sinh ở tương lai / Birth date is in the future"))
    if born.year < 1900:
        raise ValueError(_("Năm sinh trước 1900 / Birth year before 1900"))
    return born, year_only


def _phone(value: Any) -> str:
    text = "".join(ch for ch in _text(value) if ch.isdigit() or ch == "+")
    if text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    if text and text.isdigit() and len(text) == 9:
        text = "0" + text  # a spreadsheet dropped the leading zero
    return text


@dataclass
class PersonRow:
    """A validated row in database form."""

    line: int
    full_name: str
    name_folded: str
    birth_date: date
    birth_year_only: bool
    sex: str
    ethnicity: str
    local_group: str
    national_id: str | None
    si_number: str
    phone: str
    household_code: str
    village_id: int
    office_id: int
    poverty_status: str
    si_status: str

    def natural_key(self) -> tuple[str, date, int]:
        return (self.name_folded, self.birth_date, self.village_id)


# The fields compared to decide created / updated / unchanged, in this order.
COMPARED = (
    "full_name", "birth_date", "birth_year_only", "sex", "ethnicity", "local_group",
    "national_id", "si_number", "phone", "household_id", "village_id", "si_status",
)


# A cell longer than this is refused before it is parsed (a 1 MB cell costs nothing then);
# what is stored is then held to its column's max_length (_STORED), so no database refuses it.
RAW_CELL_CHARS = 255
# C0 controls but tab, LF and CR: a NUL is refused by PostgreSQL, the others by the xlsx export.
_CONTROL = frozenset(chr(code) for code in (*range(0, 9), 11, 12, *range(14, 32), 127))


def _max_length(model: type[Model], name: str) -> int:
    length = getattr(model._meta.get_field(name), "max_length", None)
    assert isinstance(length, int), name
    return length


def _stored_lengths() -> dict[str, int]:
    """The longest text each stored value may have: the model's max_length."""
    return {
        "full_name": min(_max_length(Person, "full_name"), _max_length(Person, "name_folded"),
                         _max_length(Household, "head_name")),
        "local_group": _max_length(Person, "local_group"),
        "national_id": _max_length(Person, "national_id"),
        "si_number": _max_length(Person, "si_number"),
        "phone": _max_length(Person, "phone"),
        "household_code": _max_length(Household, "code"),
    }


def _too_long(length: int, limit: int) -> str:
    return (_("Quá dài (%(n)s ký tự, tối đa %(max)s) / Too long (%(n)s characters, at most "
              "%(max)s)") % {"n": length, "max": limit})


def _unreadable(text: str) -> str | None:
    """Why a cell's text cannot be stored, if it cannot."""
    if len(text) > RAW_CELL_CHARS:
        return _too_long(len(text), RAW_CELL_CHARS)
    if "\x00" in text:
        return _("Có ký tự NUL / Contains a NUL character")
    if not _CONTROL.isdisjoint(text):
        return _("Có ký tự điều khiển / Contains a control character")
    if BAD_BYTE in text:
        return _("Có byte không phải UTF-8 hay Windows-1258 / "
                 "Contains a byte that is neither UTF-8 nor Windows-1258")
    return None


class Validator:
    def __init__(self, villages: dict[tuple[str, str], tuple[int, int]], today: date):
        self.villages = villages  # the territory's villages
        self.today = today
        self.lengths = _stored_lengths()

    @cached_property
    def elsewhere(self) -> set[tuple[str, str]]:
        """Every village of the installation: read once, only to word a refusal."""
        return set(Village.objects.values_list("commune__name_folded", "name_folded"))

    def row(
        self, line: int, cells: list[Any], columns: dict[str, int]
    ) -> PersonRow | list[RowError]:
        def cell(key: str) -> Any:
            position = columns.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        errors: list[RowError] = []

        def fail(column: str, reason: str) -> None:
            errors.append(RowError(line, column, reason))

        for key, position in columns.items():
            value = cells[position] if position < len(cells) else None
            if isinstance(value, str) and (reason := _unreadable(value)):
                fail(key, reason)
        if errors:
            return errors
        full_name = normalize_name(_text(cell("full_name")))
        if not full_name:
            fail("full_name", _("Thiếu họ và tên / Name is missing"))
        born, year_only = date(1900, 1, 1), False
        try:
            born, year_only = parse_birth(cell("birth_date"), self.today)
        except ValueError as exc:
            fail("birth_date", str(exc))
        sex = _SEX.get(fold_cached(_text(cell("sex"))), "")
        if not sex:
            fail("sex", _("Giới tính phải là Nam hoặc Nữ / Sex must be Nam or Nữ"))
        national_id = normalize_national_id(cell("national_id")) or None
        if national_id:
            for reason in check_national_id(
                national_id, sex=sex or None, birth_year=born.year if not errors else None
            ):
                fail("national_id", reason)
        si_number = _text(cell("si_number"))
        if si_number:
            si_number = si_number.zfill(10) if si_number.isdigit() else si_number
            for reason in check_si_number(si_number):
                fail("si_number", reason)
        ethnicity_text = fold_cached(_text(cell("ethnicity")))
        local_group = ""
        if not ethnicity_text:
            ethnicity = KINH
        elif ethnicity_text in LOCAL_GROUP_ALIASES and ethnicity_text not in _ETHNICITY:
            ethnicity = LOCAL_GROUP_ALIASES[ethnicity_text]
            local_group = normalize_name(_text(cell("ethnicity")))
        else:
            ethnicity = _ETHNICITY.get(ethnicity_text, "")
            if not ethnicity:
                fail("ethnicity", _("Dân tộc không có trong danh mục 54 dân tộc / "
                                    "Not one of the 54 official ethnic groups"))
        village_key = (fold_cached(_text(cell("commune"))), fold_cached(_text(cell("village"))))
        found = self.villages.get(village_key)
        if found is None and village_key in self.elsewhere:
            fail("village", _("Thôn này ngoài địa bàn của bạn / "
                              "This village is outside your territory"))
        elif found is None:
            fail("village", _("Không có thôn này trong xã đã ghi / "
                              "No such village in that commune"))
        poverty = _POVERTY.get(fold_cached(_text(cell("poverty_status"))))
        if poverty is None:
            fail("poverty_status", _("Ghi Hộ nghèo, Hộ cận nghèo hoặc để trống / "
                                     "Use Hộ nghèo, Hộ cận nghèo or leave blank"))
        household_code = _text(cell("household_code"))
        if poverty not in (None, PovertyStatus.NONE) and not household_code:
            fail("household_code", _("Hộ nghèo/cận nghèo cần có mã hộ / "
                                     "A poverty status needs a household code"))
        si_status = _SI_STATUS.get(fold_cached(_text(cell("si_status"))))
        if si_status is None:
            fail("si_status", _("Tình trạng BHXH không hợp lệ / Unknown SI status"))
        phone = _phone(cell("phone"))
        stored = {"full_name": full_name, "local_group": local_group,
                  "national_id": national_id or "", "si_number": si_number, "phone": phone,
                  "household_code": household_code}
        for key, value in stored.items():
            if len(value) > self.lengths[key]:
                fail(key, _too_long(len(value), self.lengths[key]))
        if errors or found is None:
            return errors
        return PersonRow(
            line=line, full_name=full_name, name_folded=fold(full_name), birth_date=born,
            birth_year_only=year_only, sex=sex, ethnicity=ethnicity, local_group=local_group,
            national_id=national_id, si_number=si_number, phone=phone,
            household_code=household_code, village_id=found[0], office_id=found[1],
            poverty_status=poverty or PovertyStatus.NONE, si_status=si_status or SIStatus.NONE,
        )


# ---------------------------------------------------------------------------------------------
# Matching against the database and writing


def village_index(villages: Any) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (commune_folded, village_folded): (village_id, office_id)
        for village_id, village_folded, commune_folded, office_id in villages.values_list(
            "id", "name_folded", "commune__name_folded", "commune__office_id"
        )
    }


Record = tuple[Any, ...]  # (id, *COMPARED)
_BIRTH = 1 + COMPARED.index("birth_date")
_NATIONAL_ID = 1 + COMPARED.index("national_id")
_VILLAGE = 1 + COMPARED.index("village_id")


def _other_offices(office_ids: set[int]) -> bool:
    """Whether rows outside `office_ids` may exist (not on a one-office installation)."""
    return Office.objects.exclude(id__in=office_ids).exists()


def _present(model: type[Model], column: str, values: Sequence[str]) -> list[str]:
    """Those of `values` that `column` holds, looked up through its unique index in chunks.

    Plain SQL, as a bulk path: on a long IN list the ORM costs several times the database
    (100k national IDs: 0.5 s against 0.08 s).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    found: list[str] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {name} FROM {table} WHERE {name} IN ({placeholders})",
                           list(chunk))
            found.extend(value for (value,) in cursor.fetchall())
    return found


def _existing(
    office_ids: set[int], national_ids: list[str]
) -> tuple[dict[str, Record], dict[Any, Record]]:
    """Existing persons: by national ID and by natural key.

    All persons of the file's offices, whichever village they are in (the caller tells the
    territory's from the others), then the file's remaining national IDs across the
    installation: the ID is unique, so a person of another office must be found, not
    created twice.
    """
    by_id: dict[str, Record] = {}
    by_key: dict[Any, Record] = {}
    persons = Person.objects.values_list("id", "name_folded", *COMPARED)
    national_id, birth, village = _NATIONAL_ID, _BIRTH, _VILLAGE
    for row in persons.filter(office_id__in=office_ids).iterator(chunk_size=20_000):
        record = (row[0], *row[2:])
        if record[national_id]:
            by_id[record[national_id]] = record
        by_key[(row[1], record[birth], record[village])] = record
    missing = [value for value in national_ids if value not in by_id]
    if missing and _other_offices(office_ids):
        for chunk in _chunks(_present(Person, "national_id", missing)):
            for row in persons.filter(national_id__in=chunk):
                record = (row[0], *row[2:])
                by_id[record[national_id]] = record
    return by_id, by_key


KnownHousehold = tuple[int, int, str]  # a household's (id, village_id, latest poverty status)


def _households(codes: set[str], office_ids: set[int]) -> dict[str, KnownHousehold]:
    """Existing households of the file's codes, across the installation (codes are unique)."""
    latest = HouseholdPoverty.objects.filter(household=OuterRef("pk")).order_by("-year")
    households = Household.objects.annotate(
        latest=Subquery(latest.values("status")[:1])
    ).values_list("code", "id", "village_id", "latest")
    found: dict[str, KnownHousehold] = {}

    def keep(rows: Any) -> None:
        for code, household_id, village_id, status in rows:
            if code in codes:
                found[code] = (household_id, village_id, status or PovertyStatus.NONE)

    if len(codes) <= CHUNK:
        keep(households.filter(code__in=codes))
        return found
    # a large file: the offices' households rather than a long IN list, then the rest in chunks
    keep(households.filter(office_id__in=office_ids).iterator(chunk_size=20_000))
    missing = [code for code in codes if code not in found]
    if missing and _other_offices(office_ids):
        for chunk in _chunks(_present(Household, "code", missing)):
            keep(households.filter(code__in=chunk))
    return found


def import_persons(
    path: Path,
    *,
    territory: QuerySet[Village],
    actor: User | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
    job: ImportJob | None = None,
) -> ImportResult:
    """Validate `path` and write it (unless refused or dry_run). Raises UnusableFile.

    `territory` is the villages the import may write: the user's (`visible_villages(user)`)
    for the page, `Village.objects.all()` for the operator's CLI. It has no default, so that
    no caller forgets it. `limits` bound the file (reading.Limits): the web upload's by
    default, `reading.OPERATOR` for the CLI.

    A row that matches no one exactly (national ID, or name + birth date + village) but is
    probably a person of the register (`registry.dedup`) is held back: it goes to the office's
    duplicate queue (with `job`, the page's import job), not to a new record.
    """
    today = today or timezone.localdate()
    header, data = read_table(path, limits)
    columns = map_headers(header)
    validator = Validator(village_index(territory), today)
    result = ImportResult(read=len(data), dry_run=dry_run)
    valid: list[PersonRow] = []
    seen_ids: dict[str, int] = {}
    seen_keys: dict[tuple[str, date, int], int] = {}
    step = max(1, len(data) // 100)
    for offset, cells in enumerate(data):
        line = offset + 2  # the header is line 1
        outcome = validator.row(line, cells, columns)
        if isinstance(outcome, PersonRow):
            earlier = (
                seen_ids.get(outcome.national_id) if outcome.national_id
                else seen_keys.get(outcome.natural_key())
            )
            if earlier is not None:
                outcome = [RowError(line, "national_id" if outcome.national_id else "full_name",
                                    _("Trùng với dòng %(n)s / Duplicate of row %(n)s")
                                    % {"n": earlier})]
            elif outcome.national_id:
                seen_ids[outcome.national_id] = line
            else:
                seen_keys[outcome.natural_key()] = line
        if isinstance(outcome, PersonRow):
            valid.append(outcome)
        else:
            result.invalid += 1
            result.errors.extend(outcome)
        if progress and offset % step == 0:
            progress("validate", offset, len(data))
    if progress:
        progress("validate", len(data), len(data))
    with transaction.atomic():
        plan = _plan(valid, set(territory.values_list("id", flat=True)), result,
                     progress=progress)
        result.errors.sort(key=lambda error: error.row)
        refused = result.invalid > 0 and not skip_invalid
        if refused or dry_run:
            transaction.set_rollback(True)
            return result
        if progress:
            progress("write", 0, len(valid))
        _write(plan, actor=actor, source=path.name, year=today.year, job=job)
        result.imported = True
    if progress:
        progress("write", len(valid), len(valid))
    return result


@dataclass
class _Plan:
    creates: list[PersonRow]
    updates: list[tuple[int, PersonRow, dict[str, Any], dict[str, list[Any]]]]
    new_households: dict[str, PersonRow]
    household_ids: dict[str, int]
    poverty: dict[str, str]  # household code → status to certify
    poverty_latest: dict[str, str]
    held: list[tuple[PersonRow, dedup.Match]] = field(default_factory=list)


def _plan(valid: list[PersonRow], territory: set[int], result: ImportResult, *,
          check_duplicates: bool = True, progress: Progress | None = None) -> _Plan:
    """Match the valid rows against the register; refuse those that reach outside `territory`
    (the ids of the villages the import may write); hold back the probable duplicates."""
    office_ids = {row.office_id for row in valid}
    known = _households({row.household_code for row in valid if row.household_code}, office_ids)
    by_id, by_key = _existing(office_ids, [row.national_id for row in valid if row.national_id])
    households = {code: household[0] for code, household in known.items()}
    plan = _Plan([], [], {}, households, {},
                 {code: household[2] for code, household in known.items()})
    for row in valid:
        errors: list[RowError] = []
        household = known.get(row.household_code) if row.household_code else None
        if household is not None and household[1] not in territory:
            errors.append(RowError(row.line, "household_code", _other_territory()))
        current = by_id.get(row.national_id) if row.national_id else None
        column = "national_id"
        if current is None:
            current, column = by_key.get(row.natural_key()), "full_name"
        if current is not None and current[_VILLAGE] not in territory:
            errors.append(RowError(row.line, column, _other_territory()))
        if errors:
            # nothing of this row is written: no person, no household, no poverty status
            result.invalid += 1
            result.errors.extend(errors)
            continue
        if row.household_code and row.household_code not in households:
            plan.new_households.setdefault(row.household_code, row)
        if row.household_code and plan.poverty_latest.get(
            row.household_code, PovertyStatus.NONE
        ) != row.poverty_status:
            plan.poverty[row.household_code] = row.poverty_status
        if current is None:
            plan.creates.append(row)
            continue
        old = dict(zip(COMPARED, current[1:], strict=True))
        wanted = dict(
            old,
            full_name=row.full_name, birth_date=row.birth_date,
            birth_year_only=row.birth_year_only, sex=row.sex, ethnicity=row.ethnicity,
            si_number=row.si_number, phone=row.phone, village_id=row.village_id,
            si_status=row.si_status,
        )
        # A blank cell never erases what the register knows of an ID, local group or household.
        if row.national_id:
            wanted["national_id"] = row.national_id
        if row.local_group:
            wanted["local_group"] = row.local_group
        if row.household_code:
            # -1 stands for a household this import creates; resolved after it exists
            wanted["household_id"] = households.get(row.household_code, -1)
        changes = {
            name: [_json(old[name]), _json(wanted[name])]
            for name in COMPARED
            if old[name] != wanted[name]
        }
        if changes:
            plan.updates.append((current[0], row, wanted, changes))
        else:
            result.unchanged += 1
    if check_duplicates and plan.creates:
        held = _probable_duplicates(plan.creates, office_ids, households, progress)
        plan.held = [(row, held[row.line]) for row in plan.creates if row.line in held]
        plan.creates = [row for row in plan.creates if row.line not in held]
    result.created = len(plan.creates)
    result.updated = len(plan.updates)
    result.held = len(plan.held)
    return plan


def _probable_duplicates(rows: list[PersonRow], office_ids: set[int],
                         households: dict[str, int], progress: Progress | None
                         ) -> dict[int, dedup.Match]:
    """{line: the register person the row probably is} for the rows to create. The index
    holds the offices' register, blocked (registry.dedup), read once."""
    if progress:
        progress("dedup", 0, len(rows))
    communes = dict(Village.objects.filter(commune__office_id__in=office_ids)
                    .values_list("id", "commune_id"))
    index = dedup.Index(dedup.register_records(Person.objects.filter(office_id__in=office_ids)),
                        dedup.spellings_for(next(iter(office_ids)) if len(office_ids) == 1
                                            else None))
    found: dict[int, dedup.Match] = {}
    step = max(1, len(rows) // 100)
    # the rows that match nothing join the index: a later row of the file may be the same
    # person
    matches = (match for _checked, match in
               index.check(_record(row, communes, households) for row in rows))
    for done, (row, match) in enumerate(zip(rows, matches, strict=True)):
        if match is not None:
            found[row.line] = match
        if progress and done % step == 0:
            progress("dedup", done, len(rows))
    return found


def _other(row: PersonRow, match: dedup.Match) -> int:
    """The id of the record a held-back row matched: a register person, or (negative) the
    line of an earlier row of the file, which this import creates."""
    return match.a if match.b == -row.line else match.b


def _record(row: PersonRow, communes: dict[int, int], households: dict[str, int]
            ) -> dedup.Record:
    return dedup.Record(
        id=-row.line, commune_id=communes.get(row.village_id, 0), village_id=row.village_id,
        household_id=households.get(row.household_code) if row.household_code else None,
        full_name=row.full_name, birth_date=row.birth_date,
        birth_year_only=row.birth_year_only, sex=row.sex, national_id=row.national_id or "",
        si_number=row.si_number, phone=row.phone)


def incoming(row: PersonRow) -> dict[str, Any]:
    """A held-back row as the queue keeps it (JSON)."""
    return {name: _json(getattr(row, name)) for name in PersonRow.__dataclass_fields__}


def row_of(values: dict[str, Any]) -> PersonRow:
    fields = dict(values)
    fields["birth_date"] = date.fromisoformat(fields["birth_date"])
    return PersonRow(**fields)


@transaction.atomic
def create_held(pair: DuplicatePair, *, actor: User, territory: QuerySet[Village]) -> None:
    """Staff say the held-back row is someone else: it is created now, through the import's
    own plan and writer (no duplicate check: that was the question)."""
    assert pair.incoming is not None
    result = ImportResult(read=1)
    plan = _plan([row_of(pair.incoming)], set(territory.values_list("id", flat=True)), result,
                 check_duplicates=False)
    if result.invalid:
        raise Refused(" ".join(error.reason for error in result.errors),
                      " ".join(error.reason for error in result.errors))
    _write(plan, actor=actor, source=f"queue {pair.pk}", year=timezone.localdate().year)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _write(plan: _Plan, *, actor: User | None, source: str, year: int,
           job: ImportJob | None = None) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor and actor.pk else None
    if plan.new_households:
        Household.objects.bulk_create(
            Household(code=code, village_id=row.village_id, office_id=row.office_id,
                      head_name=row.full_name)
            for code, row in plan.new_households.items()
        )
        new_codes = list(plan.new_households)
        for start in range(0, len(new_codes), 5000):  # SQLite caps the variables of a query
            plan.household_ids.update(Household.objects.filter(
                code__in=new_codes[start:start + 5000]).values_list("code", "id"))
    for code, status in plan.poverty.items():
        HouseholdPoverty.objects.update_or_create(
            household_id=plan.household_ids[code], year=year,
            defaults={"status": status, "source": (_("Nhập từ tệp %(f)s") % {"f": source})[
                :_max_length(HouseholdPoverty, "source")]},
        )
    # what the phones hold changes: the rows written, and the other members of a household
    # whose poverty status (their subsidy category) changes; one number per office, taken
    # after the rows are locked and written on them as they go in
    members = _lock(plan, actor_id)
    seq = numbers({row.office_id for row in plan.creates}
                  | {row.office_id for _id, row, _wanted, _changes in plan.updates}
                  | set(members.values()))
    created_at = db_datetime(now)
    uuids = {row.line: uuid.uuid4() for row in plan.creates}
    insert_rows(
        Person._meta.db_table,
        ("office_id", "village_id", "household_id", "uuid", "full_name", "name_folded",
         "birth_date", "birth_year_only", "sex", "ethnicity", "local_group", "national_id",
         "si_number", "phone", "relation_to_head", "si_status", "si_status_source",
         "si_status_as_of", "created_at", "updated_at", "created_by_id", "sync_version"),
        (
            (row.office_id, row.village_id,
             plan.household_ids.get(row.household_code) if row.household_code else None,
             db_uuid(uuids[row.line]), row.full_name, row.name_folded, row.birth_date,
             row.birth_year_only, row.sex, row.ethnicity, row.local_group, row.national_id,
             row.si_number, row.phone, "", row.si_status, source[:100], None,
             created_at, created_at, actor_id, seq[row.office_id])
            for row in plan.creates
        ),
    )
    for _person_id, row, wanted, changes in plan.updates:
        if wanted["household_id"] == -1:
            wanted["household_id"] = plan.household_ids[row.household_code]
            changes["household_id"][1] = wanted["household_id"]
    update_rows(
        Person._meta.db_table,
        # the office follows the village (the operator may move a person between offices)
        (*COMPARED, "name_folded", "office_id", "updated_at", "sync_version"),
        (
            (*(wanted[name] for name in COMPARED), row.name_folded, row.office_id, created_at,
             seq[row.office_id], person_id)
            for person_id, row, wanted, _changes in plan.updates
        ),
    )
    office_id = next(
        (row.office_id for row in plan.creates), next((u[1].office_id for u in plan.updates), None)
    )
    entries = [
        (office_id, actor_id, created_at, "import.create", "registry.Person", "*",
         _dumps({"count": [None, len(plan.creates)]}), f"file {source}"[:300])
    ] if plan.creates else []
    entries.extend(
        (row.office_id, actor_id, created_at, "import.update", "registry.Person",
         str(person_id), _dumps(changes), f"file {source}"[:300])
        for person_id, row, _wanted, changes in plan.updates
    )
    insert_rows(
        AuditEntry._meta.db_table,
        ("office_id", "actor_id", "at", "action", "model", "object_id", "changes", "note"),
        entries,
    )
    by_office: dict[int, list[int]] = {}
    for person_id, office_id in members.items():
        by_office.setdefault(office_id, []).append(person_id)
    for office_id, ids in by_office.items():
        for start in range(0, len(ids), 5000):  # SQLite caps the variables of a query
            Person.objects.filter(pk__in=ids[start:start + 5000]).update(
                sync_version=seq[office_id])
    if plan.held:
        _queue_held(plan, uuids, job)


def _lock(plan: _Plan, actor_id: int | None) -> dict[int, int]:
    """Lock what the write will change or point at, before it takes its offices' numbers:
    holding an office row, it must not wait on a row that a field write holds while it waits on
    that office (registry.changes). Returns {person id: office id} of the members of the
    households whose poverty status changes, other than the persons the file updates: they are
    renumbered too."""
    households = {plan.household_ids[row.household_code]
                  for row in (*plan.creates, *(update[1] for update in plan.updates))
                  if row.household_code and row.household_code not in plan.new_households}
    lock_rows(Household._meta.db_table, households, "key share")
    updated = {update[0] for update in plan.updates}
    certified = [plan.household_ids[code] for code in plan.poverty]
    members: dict[int, int] = {}
    for start in range(0, len(certified), 5000):  # SQLite caps the variables of a query
        members.update(
            (person_id, office_id) for person_id, office_id in Person.objects.filter(
                household_id__in=certified[start:start + 5000]).values_list("id", "office_id")
            if person_id not in updated)
    lock_rows(Person._meta.db_table, updated | set(members), "update")
    lock_rows(Person._meta.db_table, {other for row, match in plan.held
                                      if (other := _other(row, match)) > 0}, "key share")
    if actor_id is not None:
        lock_rows(User._meta.db_table, [actor_id], "key share")
    return members


def _queue_held(plan: _Plan, uuids: dict[int, uuid.UUID], job: ImportJob | None) -> None:
    """The held-back rows into the duplicate queue, each beside the person it probably is."""
    lines = {-other for row, match in plan.held if (other := _other(row, match)) < 0}
    created: dict[uuid.UUID, int] = {}
    wanted = [uuids[line] for line in lines]
    for start in range(0, len(wanted), 5000):  # SQLite caps the variables of a query
        created.update(Person.objects.filter(uuid__in=wanted[start:start + 5000])
                       .values_list("uuid", "pk"))
    targets: dict[int, int] = {}
    for row, match in plan.held:
        other = _other(row, match)
        targets[row.line] = created[uuids[-other]] if other < 0 else other
    villages: dict[int, int] = {}
    ids = sorted(set(targets.values()))
    for start in range(0, len(ids), 5000):
        villages.update(Person.objects.filter(pk__in=ids[start:start + 5000])
                        .values_list("pk", "village_id"))
    DuplicatePair.objects.bulk_create(
        (DuplicatePair(office_id=row.office_id, village_id=villages[targets[row.line]],
                       person_a_id=targets[row.line], incoming=incoming(row), import_job=job,
                       score=match.score, reasons=list(match.reasons))
         for row, match in plan.held), batch_size=1000)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
