"""The national-scale data set of `make bench-scale`, written straight through COPY.

On top of the A Lưới demo (`seed-demo`: office, communes, villages, users, agents, targets and
its own money written through the app's write path) it generates, deterministically:

- provinces, offices (a director and one collection organisation each), communes, villages,
  agents (one per commune, each with a receipt book) — the reference rows, through the ORM;
- households and persons: the A Lưới office grows to a tenth of all persons (new villages in
  its five communes), the rest spread over ~100 offices in ~10 provinces;
- for a share of the working-age persons not otherwise covered, a voluntary participation with
  its terms, its status history (enrolled → active, and late, paused or stopped for some) and
  its payment history: one receipt per period paid, one `PaidMonth` row per month it pays,
  priced by the policy engine on the payment date (`collection.pricing.price_months`).

The share of participants is set so that receipts + paid months come to `ledger` rows.

The rows keep the invariants the app keeps: national IDs unique (a counter per province, birth
century, sex and birth year), a month paid once per participation, each receipt's accounting
month the month of its payment date (never before the month paid in: a period is paid on or
after its first day), amounts equal to the sum of their months, status histories in date order
ending in the participation's status, names folded as `core.text.fold` folds them, and a
participant's register status agreeing with the participation (voluntary; lump sum or
compulsory for a stopped one, dated the day it stopped).

Speed: rows are formatted as COPY text in Python, a chunk of persons at a time, and a second
thread COPYs each chunk on its own connection while the next one is generated. Secondary
indexes, unique and foreign-key constraints of the large tables are dropped first and rebuilt
afterwards (a foreign key checked row by row, or ten indexes kept up to date, cost several times
the COPY itself). If a table has a `province_id` column (filled by triggers in the
province-keys work), it is filled here from the office's province and the table's user triggers
are disabled during the load, then enabled again.

Not generated: household poverty rows, remittances, household-HI receipts and outreach for the
generated offices (the demo office has all of those for its own 20,000 persons).
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from ansinh.collection.models import PaidMonth, PeriodClose, Receipt, ReceiptBook
from ansinh.collection.pricing import price_months
from ansinh.collection.receipts import PAID_MONTH_COLUMNS, RECEIPT_COLUMNS
from ansinh.core.models import Office, Role, User
from ansinh.core.text import fold
from ansinh.demo import names
from ansinh.demo.seeding import DEMO_PASSWORD, _pick_group, _si_status, _status_since
from ansinh.network.models import Agent, Assignment, CollectionOrganisation
from ansinh.participation.models import Participation, StatusChange, Terms
from ansinh.participation.schedule import TermsRow, last_day, period_shape
from ansinh.participation.subsidy import Facts
from ansinh.policy import load_default_tree
from ansinh.policy.money import add_months, first_of_month
from ansinh.registry.models import Commune, Household, Person, Province, SIStatus, Village
from ansinh.registry.reference import KINH

Log = Callable[[str], None]

# Ten provinces after the 2025 merger, with their national-ID codes (Decree 137/2015 annex).
PROVINCES = (
    ("01", "001", "Thành phố Hà Nội"), ("31", "031", "Thành phố Hải Phòng"),
    ("38", "038", "Tỉnh Thanh Hóa"), ("40", "040", "Tỉnh Nghệ An"),
    ("44", "044", "Tỉnh Quảng Trị"), ("48", "048", "Thành phố Đà Nẵng"),
    ("52", "052", "Tỉnh Gia Lai"), ("66", "066", "Tỉnh Đắk Lắk"),
    ("68", "068", "Tỉnh Lâm Đồng"), ("92", "092", "Thành phố Cần Thơ"),
)
HUE_ID_PREFIX = "046"
PERSONS_PER_OFFICE = 90_000
PERSONS_PER_VILLAGE = 1_500
COMMUNES_PER_OFFICE = 5
AL_SHARE = 0.10  # of all persons: the A Lưới office grows to this
CHUNK_PERSONS = 100_000

INCOMES = ((1_500_000, 0.55), (2_000_000, 0.25), (3_000_000, 0.12), (5_000_000, 0.08))
MODES = (("monthly", 0.34), ("quarterly", 0.22), ("half_yearly", 0.14), ("yearly", 0.27),
         ("advance", 0.03))
CHANNELS = (("cash", 0.84), ("post_office", 0.06), ("bank_transfer", 0.05), ("online", 0.05))
FATES = (("late", 0.08), ("paused", 0.07), ("stopped", 0.05), ("awaiting", 0.01))
FIRST_MONTH = date(2018, 4, 1)  # no history before this (as the demo)
PAUSE_AFTER_MONTHS = 3

LARGE_MODELS = (Household, Person, Participation, Terms, StatusChange, Receipt, PaidMonth)

PARTICIPATION_COLUMNS = (
    "id", "office_id", "village_id", "person_id", "uuid", "start_month", "enrolled_on", "income",
    "mode", "advance_years", "agent_id", "organisation_id", "enrolled_by_id", "first_time",
    "prior_months", "prior_supported_months", "status", "status_since", "stop_reason",
    "created_at")
TERMS_COLUMNS = ("id", "participation_id", "from_month", "income", "mode", "advance_years",
                 "paused", "note", "created_by_id", "created_at")
STATUS_COLUMNS = ("id", "participation_id", "on", "old_status", "new_status", "reason",
                  "actor_id", "at")
HOUSEHOLD_COLUMNS = ("id", "office_id", "village_id", "code", "address", "head_name")
PERSON_COLUMNS = (
    "id", "office_id", "village_id", "household_id", "uuid", "full_name", "name_folded",
    "birth_date", "birth_year_only", "sex", "ethnicity", "local_group", "national_id",
    "si_number", "phone", "relation_to_head", "si_status", "si_status_source",
    "si_status_as_of", "created_at", "updated_at")
COLUMNS: dict[type[Any], tuple[str, ...]] = {
    Household: HOUSEHOLD_COLUMNS, Person: PERSON_COLUMNS, Participation: PARTICIPATION_COLUMNS,
    Terms: TERMS_COLUMNS, StatusChange: STATUS_COLUMNS, Receipt: RECEIPT_COLUMNS,
    PaidMonth: PAID_MONTH_COLUMNS,
}


def _pick(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    draw = rng.random()
    for value, share in table:
        if draw < share:
            return value
        draw -= share
    return table[-1][0]


def _uuid_text(rng: random.Random) -> str:
    """A random version-4 UUID as the 32 hex digits PostgreSQL accepts."""
    bits = (rng.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC << 60) | (0x8 << 60)
    return f"{bits:032x}"


@dataclass
class Place:
    office_id: int
    province_id: int
    id_prefix: str
    villages: list[tuple[int, str, bool]]  # (id, code, ethnic area)
    agents: list[tuple[int, int, int, str]]  # (agent id, organisation id, book id, series)
    director_id: int
    persons: int
    kinh_share: float
    # the agents who collect in each village: those assigned to its commune (the territory
    # rule, as the demo's receipts follow it)
    agents_of: dict[int, list[tuple[int, int, int, str]]] = field(default_factory=dict)


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


# ---------------------------------------------------------------------------------------------
# Reference rows (small: through the ORM)


def build_places(persons: int, as_of: date, *, log: Log,
                 al_share: float = AL_SHARE) -> list[Place]:
    """Provinces, offices, communes, villages, organisations, users, agents and books; the A
    Lưới office (seeded first by `seed-demo`) gets new villages, up to `al_share` of the
    persons. Returns one Place per office with the persons to generate there."""
    al = Office.objects.get(code="AL")
    demo_persons = Person.objects.filter(office=al).count()
    al_target = max(0, round(persons * al_share) - demo_persons)
    rest = max(0, persons - demo_persons - al_target)
    offices = min(100, max(2, round(rest / PERSONS_PER_OFFICE)))
    provinces = min(len(PROVINCES), max(1, offices // 10))
    password = make_password(DEMO_PASSWORD)
    start = date(as_of.year - 1, 1, 1)
    rng = random.Random(4619)
    places: list[Place] = []

    hue = Commune.objects.filter(office=al).values_list("province_id", flat=True).first()
    assert hue is not None
    al_director = User.objects.get(username="giamdoc")
    al_communes = list(Commune.objects.filter(office=al).order_by("code"))
    per_commune = max(1, round(al_target / PERSONS_PER_VILLAGE / len(al_communes)))
    new_villages = [Village(commune=commune, code=f"{commune.code}-G{n:04d}",
                            name=f"Thôn mới {n}", name_folded=f"thon moi {n}",
                            former_commune="", remoteness=1 + n % 3)
                    for commune in al_communes for n in range(1, per_commune + 1)]
    Village.objects.bulk_create(new_villages, batch_size=2000)
    al_villages = [(v.id, v.code, True) for v in Village.objects.filter(commune__office=al)]
    al_agents = []
    by_commune: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
    for agent in Agent.objects.filter(organisation__office=al).order_by("code"):
        book = ReceiptBook.objects.create(
            office=al, agent=agent, series=f"{agent.code}-S", first_number=1,
            last_number=9_999_999, next_number=1, issued_on=date(2018, 1, 2),
            issued_by=al_director)
        al_agents.append((agent.pk, agent.organisation_id, book.pk, book.series))
        for commune_id in Assignment.objects.filter(user_id=agent.user_id).values_list(
                "commune_id", flat=True):
            by_commune[commune_id].append(al_agents[-1])
    al_agents_of = {village_id: by_commune.get(commune_id) or al_agents
                    for village_id, commune_id in Village.objects.filter(
                        commune__office=al).values_list("id", "commune_id")}
    places.append(Place(al.pk, hue, HUE_ID_PREFIX, al_villages, al_agents, al_director.pk,
                        al_target, 0.24, al_agents_of))

    weights = [0.5 + rng.random() for _ in range(offices)]
    total_weight = sum(weights)
    left = rest
    for index in range(offices):
        province_code, id_prefix, province_name = PROVINCES[index % provinces]
        province, _ = Province.objects.get_or_create(code=province_code,
                                                     defaults={"name": province_name})
        number = index // provinces + 1
        code = f"P{province_code}-{number:02d}"
        share = left if index == offices - 1 else round(rest * weights[index] / total_weight)
        left -= share
        office = Office.objects.create(code=code, name=f"BHXH cơ sở {province_name} {number}",
                                       place=f"{province_name} {number}",
                                       parent_name=f"Bảo hiểm xã hội {province_name}")
        director = User.objects.create(username=f"giamdoc_{code.lower()}", role=Role.DIRECTOR,
                                       first_name="Giám đốc", last_name=code, office=office,
                                       password=password)
        org = CollectionOrganisation.objects.create(
            office=office, code=f"BD-{code}", name=f"Bưu điện {province_name} {number}",
            kind="post_office")
        villages_per_commune = max(1, round(share / PERSONS_PER_VILLAGE / COMMUNES_PER_OFFICE))
        villages: list[tuple[int, str, bool]] = []
        agents: list[tuple[int, int, int, str]] = []
        agents_of: dict[int, list[tuple[int, int, int, str]]] = {}
        for k in range(1, COMMUNES_PER_OFFICE + 1):
            commune_name = f"Xã {number}-{k} {province_name.split(' ', 1)[1]}"
            commune = Commune.objects.create(office=office, province=province,
                                             code=f"{code}-{k}", name=commune_name,
                                             name_folded=fold(commune_name))
            made = Village.objects.bulk_create([
                Village(commune=commune, code=f"{code}-{k}-{n:03d}", name=f"Thôn {n}",
                        name_folded=f"thon {n}", remoteness=1 + n % 3)
                for n in range(1, villages_per_commune + 1)])
            villages += [(v.pk, v.code, False) for v in made]
            user = User.objects.create(username=f"thu_{code.lower()}_{k}", role=Role.AGENT,
                                       first_name="Nhân viên thu", last_name=commune_name,
                                       office=office, password=password)
            agent = Agent.objects.create(user=user, organisation=org,
                                         code=f"{code}-{k}".upper())
            Assignment.objects.create(user=user, commune=commune, starts_on=start)
            book = ReceiptBook.objects.create(
                office=office, agent=agent, series=agent.code, first_number=1,
                last_number=9_999_999, next_number=1, issued_on=date(2018, 1, 2),
                issued_by=director)
            agents.append((agent.pk, org.pk, book.pk, book.series))
            agents_of.update((v.pk, [agents[-1]]) for v in made)
        places.append(Place(office.pk, province.pk, id_prefix, villages, agents, director.pk,
                            share, 0.9, agents_of))
    log(f"places: {len(places)} offices in {provinces + 1} provinces, "
        f"{sum(len(p.villages) for p in places):,} villages")
    return places


# ---------------------------------------------------------------------------------------------
# Dropping and rebuilding the large tables' secondary indexes and constraints


def detach(cursor: Any, table: str) -> list[str]:
    """Drop `table`'s foreign keys, unique constraints and secondary indexes (the primary key
    stays); return the statements that rebuild them, indexes first."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')", [table])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)", [table])
    indexes = cursor.fetchall()
    quoted = connection.ops.quote_name(table)
    for name, _kind, _definition in sorted(constraints, key=lambda c: c[1]):  # FKs first
        cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    restore = [definition for _name, definition in indexes]
    for kind in ("u", "f"):
        restore += [f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                    f"{definition}" for name, k, definition in constraints if k == kind]
    return restore


def table_columns(cursor: Any, table: str) -> set[str]:
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                   [table])
    return {row[0] for row in cursor.fetchall()}


# ---------------------------------------------------------------------------------------------
# The generator


class _Prices:
    """The engine's price of a period, per (paid on, income, categories, mode, years, length
    or first month): every participant with those terms pays the same for it."""

    def __init__(self) -> None:
        self.tree = load_default_tree()
        self.cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def get(self, months: tuple[date, ...], paid_on: date, income: int, ethnic: bool,
            mode: str, years: int | None) -> tuple[Any, ...]:
        """(the receipt row's middle: months … pricing, as COPY text; its paid months' rows
        after their ids: month … net; the mode priced)."""
        key = (paid_on, income, ethnic, mode, years, months[0], len(months))
        found = self.cache.get(key)
        if found is None:
            pricing = price_months(months, paid_on, terms=[TermsRow(months[0], income, mode,
                                                                    years)],
                                   facts=Facts(ethnic, False), supported_before=0,
                                   tree=self.tree)
            middle = (f"{len(months)}\t{months[0].isoformat()}\t{pricing.amount}\t"
                      f"{pricing.support}\t{pricing.gross}\t\t"
                      f"{json.dumps(pricing.to_dict(), ensure_ascii=False)}")
            tails = tuple(f"\t{line.month.isoformat()}\t{line.income}\t{line.category}\t"
                          f"{line.gross}\t{line.support}\t{line.net}" for line in pricing.lines)
            found = (middle, tails, pricing.mode)
            self.cache[key] = found
        return found


class _Shapes:
    """(months, deadline, next start) of a period, per (mode, years, start)."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.cache: dict[tuple[str, int | None, date], tuple[tuple[date, ...], date, date]] = {}

    def get(self, mode: str, years: int | None, start: date) -> tuple[tuple[date, ...], date,
                                                                       date]:
        key = (mode, years, start)
        found = self.cache.get(key)
        if found is None:
            length, deadline_months = period_shape(mode, years, start, self.tree)
            found = (tuple(add_months(start, i) for i in range(length)),
                     last_day(add_months(start, deadline_months - 1)), add_months(start, length))
            self.cache[key] = found
        return found


@dataclass
class _Ids:
    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class Generator:
    """Rows for one chunk of persons at a time, as COPY text per table."""

    def __init__(self, as_of: date, seed: int, share: float, ids: _Ids,
                 province_tables: set[str]) -> None:
        self.as_of = as_of
        self.as_of_month = first_of_month(as_of)
        self.rng = random.Random(seed * 1_000_003 + 7)  # not the demo's stream (its UUIDs)
        self.share = share
        self.ids = ids
        self.province_tables = province_tables
        self.prices = _Prices()
        self.shapes = _Shapes(self.prices.tree)
        self.serials: dict[str, int] = {}
        self.taken_ids: set[str] = set()
        self.book_next: dict[int, int] = {}
        self.now = "2026-12-02 08:00:00+07"
        self.folded: dict[str, str] = {}
        self.sfx: dict[str, str] = {}
        self.dates: dict[date, str] = {}
        self.days: dict[date, tuple[str, str, str]] = {}
        self.receipts = 0
        self.paid_months = 0

    def d(self, day: date) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = day.isoformat()
        return text

    def day(self, on: date) -> tuple[str, str, str]:
        """A payment date as the receipt writes it: the day, its month (the accounting
        period), and the yymmdd of a number without a book."""
        text = self.days.get(on)
        if text is None:
            text = self.days[on] = (on.isoformat(), first_of_month(on).isoformat(),
                                    f"{on:%y%m%d}")
        return text

    def f(self, word: str) -> str:
        text = self.folded.get(word)
        if text is None:
            text = self.folded[word] = fold(word)
        return text

    def _national_id(self, prefix: str, sex: str, born: date) -> str | None:
        century = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
        head = f"{prefix}{century}{born.year % 100:02d}"
        while True:
            serial = self.serials.get(head, 0)
            if serial > 999_999:
                return None
            self.serials[head] = serial + 1
            national_id = f"{head}{serial:06d}"
            if national_id not in self.taken_ids:
                return national_id

    def persons(self, place: Place, count: int, out: dict[str, list[str]]) -> None:
        """`count` persons of `place` in households, with their participations."""
        rng = self.rng
        as_of = self.as_of
        made = 0
        unnamed: set[tuple[str, date, int]] = set()
        self.sfx = {table: f"\t{place.province_id}" if table in self.province_tables else ""
                    for table in _TABLES}
        hh_prov, person_prov = self.sfx["registry_household"], self.sfx["registry_person"]
        households = out["registry_household"]
        people = out["registry_person"]
        while made < count:
            village_id, village_code, ethnic_area = rng.choice(place.villages)
            if ethnic_area or rng.random() >= place.kinh_share:
                ethnicity, local, pool = _pick_group(rng)  # the demo's mix (A Lưới)
            else:
                ethnicity, local, pool = KINH, "", names.KINH
            surname = rng.choice(pool["surnames"])
            size = min(count - made, rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)))
            household_id = self.ids.take("registry_household")
            head = ""
            for member in range(size):
                sex = "M" if (member == 0 and rng.random() < 0.7) or rng.random() < 0.48 else "F"
                age_days = rng.randrange(15 * 365 + 4, 72 * 365)
                born = as_of - timedelta(days=age_days)
                year_only = rng.random() < 0.06
                if year_only:
                    born = date(born.year, 1, 1)
                last = surname if member < 2 or rng.random() < 0.8 else \
                    rng.choice(pool["surnames"])
                middle = rng.choice(pool[f"middle_{sex}"])
                given = rng.choice(pool[f"given_{sex}"])
                full_name = " ".join(part for part in (last, middle, given) if part)
                folded = " ".join(self.f(part) for part in (last, middle, given) if part)
                if member == 0:
                    head = full_name
                national_id = self._national_id(place.id_prefix, sex, born) \
                    if rng.random() < 0.88 else None
                if national_id is None:
                    key = (folded, born, village_id)
                    if key in unnamed:  # the importer's natural key must tell them apart
                        national_id = self._national_id(place.id_prefix, sex, born)
                    unnamed.add(key)
                age = age_days // 365
                status = _si_status(rng, age, sex)
                since = _status_since(rng, status, born, as_of)
                source = "Rà soát 2025"
                person_id = self.ids.take("registry_person")
                if status == SIStatus.NONE and 24 <= age <= 55 and rng.random() < self.share:
                    status, source, since = self.participation(
                        place, person_id, village_id, born, ethnicity != KINH, out)
                phone = f"0{rng.choice((3, 7, 8, 9))}{rng.randrange(10**8):08d}" \
                    if rng.random() < 0.6 else ""
                people.append(
                    f"{person_id}\t{place.office_id}\t{village_id}\t{household_id}\t"
                    f"{_uuid_text(rng)}\t{full_name}\t{folded}\t{self.d(born)}\t"
                    f"{'t' if year_only else 'f'}\t{sex}\t{ethnicity}\t{local}\t"
                    f"{national_id or chr(92) + 'N'}\t\t{phone}\t"
                    f"{'Chủ hộ' if member == 0 else ''}\t{status}\t{source}\t{self.d(since)}\t"
                    f"{self.now}\t{self.now}{person_prov}\n")
                made += 1
            households.append(f"{household_id}\t{place.office_id}\t{village_id}\t"
                              f"{village_code}-H{household_id:08d}\tThôn {village_id}\t"
                              f"{head}{hh_prov}\n")

    def participation(self, place: Place, person_id: int, village_id: int, born: date,
                      ethnic: bool, out: dict[str, list[str]]) -> tuple[str, str, date]:
        """One participation with its terms, status history, receipts and paid months; returns
        the person's register status (status, source, as of)."""
        rng = self.rng
        as_of, as_of_month = self.as_of, self.as_of_month
        fate = _pick(rng, (*FATES, ("active", 1.0)))
        income = _pick(rng, INCOMES)
        mode = _pick(rng, MODES)
        adult = add_months(first_of_month(born), 18 * 12 + 1)
        earliest = max(FIRST_MONTH, adult)
        stop_paying: date | None = None
        if fate in ("paused", "stopped"):
            if mode == "advance":
                mode = "yearly"
            stop_paying = add_months(as_of_month, -rng.randrange(22, 36))
            if add_months(stop_paying, -12) < earliest:
                fate, stop_paying = "active", None
        years = rng.choice((2, 3, 5)) if mode == "advance" else None
        if fate == "awaiting":
            start = add_months(as_of_month, rng.choice((0, 1)))
            enrolled_on = as_of - timedelta(days=rng.randrange(1, 40))
        else:
            latest_start = add_months(stop_paying, -12) if stop_paying else \
                add_months(as_of_month, -3)
            span = max(0, (latest_start.year - earliest.year) * 12 + latest_start.month
                       - earliest.month)
            start = add_months(earliest, rng.randrange(span + 1))
            enrolled_on = start + timedelta(days=rng.randrange(0, 20))
        pid = self.ids.take("participation_participation")
        agent_id, org_id, book_id, series = rng.choice(place.agents_of.get(village_id)
                                                       or place.agents)
        changes: list[tuple[date, str, str, str]] = [(enrolled_on, "", "awaiting", "enrol")]
        terms: list[tuple[date, bool]] = [(start, False)]
        receipts = out["collection_receipt"]
        months_out = out["collection_paidmonth"]
        month = start
        paid_any = False
        status, status_since, stop_reason = "awaiting", enrolled_on, ""
        receipt_prov, sfx_pm = self.sfx["collection_receipt"], self.sfx["collection_paidmonth"]
        head = f"\t{place.office_id}\t{village_id}"
        agent = f"{agent_id}\t{org_id}"
        while fate != "awaiting" and month <= as_of_month:
            period, deadline, next_start = self.shapes.get(mode, years, month)
            if stop_paying is not None and month >= stop_paying:
                break
            if deadline < as_of and fate == "late":
                following = self.shapes.get(mode, years, next_start)[1]
                late_on = deadline + timedelta(days=1)
                if paid_any and (next_start > as_of_month or following >= as_of) and \
                        as_of < add_months(late_on, PAUSE_AFTER_MONTHS):
                    status, status_since = "late", late_on
                    changes.append((late_on, "active", "late", "deadline passed"))
                    break  # the last period that fell due is unpaid, recently enough
            if deadline >= as_of and paid_any and rng.random() < 0.5:
                break  # the current period is due and not paid yet
            latest = min(deadline, as_of)
            first_day = min(max(month, enrolled_on), latest)
            paid_on = first_day + timedelta(days=rng.randrange((latest - first_day).days + 1))
            middle, tails, priced_mode = self.prices.get(period, paid_on, income, ethnic, mode,
                                                         years)
            channel = _pick(rng, CHANNELS)
            rid = self.ids.take("collection_receipt")
            key = _uuid_text(rng)
            day = self.day(paid_on)
            if channel == "cash":
                number = self.book_next.get(book_id, 1)
                self.book_next[book_id] = number + 1
                book, printed = str(book_id), f"{series}-{number:07d}"
            else:
                book, printed = "\\N", f"{channel[:2].upper()}{day[2]}-{key[:8].upper()}"
            receipts.append(
                f"{rid}{head}\t{key}\tvoluntary_si\t{pid}\t{person_id}\t{book}\t{printed}\t"
                f"{agent}\t{channel}\t{priced_mode}\t"
                f"{'continuing' if paid_any else 'first_time'}\t{day[0]}\t{day[1]}\t{middle}\t"
                f"{place.director_id}\t{day[0]} 17:00:00+07{receipt_prov}\n")
            next_id = self.ids.next["collection_paidmonth"]
            link = f"\t{rid}\t{pid}"
            months_out.extend(f"{next_id + i}{link}{tail}{sfx_pm}\n"
                              for i, tail in enumerate(tails))
            self.ids.next["collection_paidmonth"] = next_id + len(tails)
            self.receipts += 1
            self.paid_months += len(tails)
            if not paid_any:
                changes.append((paid_on, "awaiting", "active", "paid"))
                status, status_since = "active", enrolled_on
                paid_any = True
            month = next_start
        register = ("voluntary", "Sổ thu BHXH tự nguyện", as_of)
        if fate in ("paused", "stopped"):
            terms.append((month, True))
            _period, deadline, _next = self.shapes.get(mode, years, month)
            late_on = deadline + timedelta(days=1)
            paused_on = add_months(late_on, PAUSE_AFTER_MONTHS)
            changes += [(late_on, "active", "late", "deadline passed"),
                        (paused_on, "late", "paused", "lapse")]
            status, status_since = "paused", paused_on
            if fate == "stopped":
                room = (as_of - paused_on).days - 1
                low = min(30, room)
                stop_on = paused_on + timedelta(days=rng.randrange(low, max(min(300, room),
                                                                            low + 1)))
                stop_reason = "lump_sum" if rng.random() < 0.7 else "compulsory"
                changes.append((stop_on, "paused", "stopped", stop_reason))
                status, status_since = "stopped", stop_on
                register = (stop_reason, "Sổ thu BHXH tự nguyện", stop_on)
        part_prov = self.sfx["participation_participation"]
        out["participation_participation"].append(
            f"{pid}\t{place.office_id}\t{village_id}\t{person_id}\t{_uuid_text(rng)}\t"
            f"{self.d(start)}\t{self.d(enrolled_on)}\t{income}\t{mode}\t"
            f"{years if years else chr(92) + 'N'}\t{agent_id}\t{org_id}\t{place.director_id}\t"
            f"t\t0\t0\t{status}\t{self.d(status_since)}\t{stop_reason}\t{self.now}{part_prov}\n")
        for from_month, paused in terms:
            out["participation_terms"].append(
                f"{self.ids.take('participation_terms')}\t{pid}\t{self.d(from_month)}\t{income}\t"
                f"{mode}\t{years if years else chr(92) + 'N'}\t{'t' if paused else 'f'}\t"
                f"scale\t\\N\t{self.now}{self.sfx['participation_terms']}\n")
        for on, old, new, reason in changes:
            out["participation_statuschange"].append(
                f"{self.ids.take('participation_statuschange')}\t{pid}\t{self.d(on)}\t{old}\t"
                f"{new}\t{reason}\t\\N\t{self.now}{self.sfx['participation_statuschange']}\n")
        return register


def calibrate(as_of: date, seed: int, samples: int = 4000) -> tuple[float, float]:
    """(ledger rows per participant, share of persons who may take part), from a sample run
    of the same generator (nothing is written)."""
    ids = _Ids({table: 1 for table in _TABLES})
    generator = Generator(as_of, seed + 1, 1.0, ids, set())
    place = Place(0, 0, "099", [(0, "X", False)], [(0, 0, 0, "X")], 0, samples, 0.9)
    out: dict[str, list[str]] = {table: [] for table in _TABLES}
    generator.persons(place, samples, out)
    participants = len(out["participation_participation"])
    rows = generator.receipts + generator.paid_months
    return rows / max(1, participants), participants / samples


_TABLES = tuple(model._meta.db_table for model in LARGE_MODELS)


def _writer(database: dict[str, Any], work: queue.Queue[tuple[str, str, bytes] | None],
            failures: list[BaseException], copy_seconds: list[float]) -> None:
    import psycopg

    try:
        with psycopg.connect(host=database["HOST"] or None, port=database["PORT"] or None,
                             user=database["USER"], password=database["PASSWORD"] or None,
                             dbname=database["NAME"], autocommit=True) as conn:
            conn.execute("SET synchronous_commit TO OFF")
            while True:
                item = work.get()
                if item is None:
                    return
                table, columns, data = item
                started = time.perf_counter()
                with conn.cursor() as cursor, cursor.copy(
                        f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    copy.write(data)
                copy_seconds[0] += time.perf_counter() - started
    except BaseException as exc:  # reported by the generating thread
        failures.append(exc)
        while work.get() is not None:
            pass


def generate(persons: int, ledger: int, *, as_of: date, seed: int = 2026,
             log: Log = print, al_share: float | None = None) -> dict[str, Any]:
    """Build the data set on the current (PostgreSQL) database, whose A Lưới demo is seeded;
    returns the timings and row counts."""
    from django.conf import settings

    assert connection.vendor == "postgresql", "the scale data set is for PostgreSQL"
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    with transaction.atomic():
        places = build_places(persons, as_of, log=log,
                              al_share=AL_SHARE if al_share is None else al_share)
    figures["places_s"] = time.perf_counter() - started
    to_generate = sum(place.persons for place in places)
    per_participant, eligible = calibrate(as_of, seed)
    share = ledger / max(1.0, to_generate * eligible * per_participant)
    if share > 1:
        log(f"warning: {ledger:,} ledger rows need more persons; every eligible person takes "
            f"part ({to_generate * eligible * per_participant:,.0f} rows expected)")
        share = 1.0
    figures["participant_share_of_eligible"] = round(share, 4)
    figures["ledger_rows_per_participant"] = round(per_participant, 1)

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '2GB'")
        cursor.execute("SET synchronous_commit TO OFF")
        province_tables = {table for table in _TABLES
                           if "province_id" in table_columns(cursor, table)}
        figures["province_id_filled_here"] = sorted(province_tables)
        next_ids = {}
        for table in _TABLES:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
            next_ids[table] = cursor.fetchone()[0]
        cursor.execute("SELECT national_id FROM registry_person WHERE national_id IS NOT NULL")
        taken = {row[0] for row in cursor.fetchall()}
        started = time.perf_counter()
        restore: list[str] = []
        for table in _TABLES:
            restore += detach(cursor, table)
            if table in province_tables:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    figures["drop_indexes_s"] = time.perf_counter() - started

    generator = Generator(as_of, seed, share, _Ids(next_ids), province_tables)
    generator.taken_ids = taken
    columns = {model._meta.db_table: ", ".join(
        connection.ops.quote_name(c) for c in COLUMNS[model]) for model in LARGE_MODELS}
    for table in province_tables:
        columns[table] += ', "province_id"'
    work: queue.Queue[tuple[str, str, bytes] | None] = queue.Queue(maxsize=3)
    failures: list[BaseException] = []
    copy_seconds = [0.0]
    thread = threading.Thread(target=_writer, args=(settings.DATABASES["default"], work,
                                                    failures, copy_seconds), daemon=True)
    thread.start()
    counts = Counts()
    started = time.perf_counter()
    generate_seconds = 0.0
    done = 0
    try:
        for place in places:
            left = place.persons
            while left > 0 and not failures:
                chunk = min(CHUNK_PERSONS, left)
                chunk_started = time.perf_counter()
                out: dict[str, list[str]] = {table: [] for table in _TABLES}
                generator.persons(place, chunk, out)
                batches = [(table, "".join(rows).encode()) for table, rows in out.items() if rows]
                generate_seconds += time.perf_counter() - chunk_started
                for table, data in batches:
                    counts.add(table, len(out[table]))
                    work.put((table, columns[table], data))
                left -= chunk
                done += chunk
                elapsed = time.perf_counter() - started
                log(f"generated {done:,}/{to_generate:,} persons, "
                    f"{generator.receipts + generator.paid_months:,} ledger rows "
                    f"({elapsed:.0f} s)")
    finally:
        work.put(None)
        thread.join()
    if failures:
        raise failures[0]
    figures["copy_wall_s"] = time.perf_counter() - started
    figures["python_generate_s"] = round(generate_seconds, 1)
    figures["copy_server_s"] = round(copy_seconds[0], 1)
    figures["rows"] = dict(counts.rows)
    figures["rows_total"] = sum(counts.rows.values())
    figures["ledger_rows"] = counts.rows.get("collection_receipt", 0) + counts.rows.get(
        "collection_paidmonth", 0)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem TO '2GB'")
        for statement in restore:
            step = time.perf_counter()
            cursor.execute(statement)
            log(f"{time.perf_counter() - step:6.1f} s  {statement[:110]}")
        for table in province_tables:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        for book_id, next_number in generator.book_next.items():
            cursor.execute("UPDATE collection_receiptbook SET next_number = %s WHERE id = %s",
                           [next_number, book_id])
    figures["rebuild_indexes_s"] = time.perf_counter() - started
    from ansinh.core.bulk import reset_sequences

    reset_sequences(*LARGE_MODELS)
    started = time.perf_counter()
    _refresh_closes()
    figures["refresh_period_closes_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    figures["analyze_s"] = time.perf_counter() - started
    return figures


def _refresh_closes() -> None:
    """The demo closed A Lưới's past months before the generated receipts came: their totals
    are computed again, as closing them now would."""
    from ansinh.collection.ledger import period_totals

    for close in PeriodClose.objects.select_related("office"):
        close.totals = period_totals(close.office, close.month)
        close.save(update_fields=["totals"])
