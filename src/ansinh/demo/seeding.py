"""Build the synthetic A Lưới office, deterministically: same seed and size, same rows.

Persons and households go through the bulk path (core.bulk) with explicit ids, so a million
persons take seconds; reference rows (office, communes, users) go through the ORM.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ansinh.core.bulk import db_datetime, db_uuid, insert_rows, reset_sequences
from ansinh.core.models import Office, Role, User
from ansinh.core.text import fold
from ansinh.network.models import Agent, Assignment, CollectionOrganisation
from ansinh.registry.models import (
    Commune,
    Household,
    HouseholdPoverty,
    Person,
    PovertyStatus,
    Province,
    SIStatus,
    Village,
)
from ansinh.registry.reference import BRU_VAN_KIEU, CO_TU, KINH, TA_OI

from . import names
from .places import COMMUNES, ORGANISATIONS, VILLAGE_NAMES, VILLAGES_PER_FORMER_COMMUNE

DEMO_PASSWORD = "ansinh2026"
DEFAULT_PERSONS = 50_000
# The seed article: 1,805 voluntary participants in the office of about 50,000 people.
VOLUNTARY_AT_DEFAULT = 1_805

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    name: str
    territory: str


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def seed_reference(as_of: date) -> tuple[Office, list[Village], list[DemoUser]]:
    """Office, province, communes, villages, organisations, users and assignments."""
    office, _ = Office.objects.get_or_create(
        code="AL", defaults={"name": "BHXH cơ sở A Lưới", "address": "A Lưới 2, thành phố Huế",
                             "phone": "0234 3878 207", "place": "A Lưới",
                             "parent_name": "Bảo hiểm xã hội thành phố Huế"},
    )
    province, _ = Province.objects.get_or_create(code="46", defaults={"name": "Thành phố Huế"})
    if office.province_id != province.pk:  # the key every large row of the office carries
        office.province = province
        office.save(update_fields=["province"])
    villages: list[Village] = []
    name_pool = iter(VILLAGE_NAMES * 3)
    for code, name, former in COMMUNES:
        commune, _ = Commune.objects.get_or_create(
            code=code, defaults={"office": office, "province": province, "name": name,
                                 "formed_from": ", ".join(former)},
        )
        number = 0
        for former_name in former:
            for index in range(VILLAGES_PER_FORMER_COMMUNE):
                number += 1
                village_name = next(name_pool)
                village, _ = Village.objects.get_or_create(
                    code=f"{code}-{number:02d}",
                    defaults={"commune": commune, "name": village_name,
                              "former_commune": former_name, "remoteness": 1 + (index * 7) % 3},
                )
                villages.append(village)
    for org_code, org_name, kind, commune_code in ORGANISATIONS:
        CollectionOrganisation.objects.get_or_create(
            code=org_code, defaults={
                "office": office, "name": org_name, "kind": kind,
                "commune": Commune.objects.get(code=commune_code) if commune_code else None},
        )
    return office, villages, _seed_users(office, as_of)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # one PBKDF2 run for all demo users: hashing costs ~0.3 s each
    return make_password(DEMO_PASSWORD)


def _user(username: str, role: str, first: str, last: str, office: Office | None,
          phone: str = "") -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": first, "last_name": last, "office": office,
                  "phone": phone,
                  "is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN},
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


def _assign(user: User, commune: Commune, starts_on: date) -> None:
    Assignment.objects.get_or_create(user=user, commune=commune, defaults={"starts_on": starts_on})


def _seed_users(office: Office, as_of: date) -> list[DemoUser]:
    start = date(as_of.year - 1, 1, 1)
    users = [DemoUser("admin", Role.ADMIN, "Quản trị hệ thống", "—")]
    _user("admin", Role.ADMIN, "Quản trị", "hệ thống", None)
    _user("giamdoc", Role.DIRECTOR, "Võ Đại", "Quang", office)
    users.append(DemoUser("giamdoc", Role.DIRECTOR, "Võ Đại Quang", "BHXH cơ sở A Lưới"))
    staff_names = ("Hồ Thị Lan", "Lê Văn Hải", "Kăn Thị Mai", "Nguyễn Đức Bình", "Hồ Văn Tâm")
    organisations = {org.code: org for org in CollectionOrganisation.objects.filter(office=office)}
    shared_orgs = ("BD-AL", "HPN-AL", "HND-AL")
    for number, (code, name, _former) in enumerate(COMMUNES, start=1):
        commune = Commune.objects.get(code=code)
        last, first = staff_names[number - 1].rsplit(" ", 1)
        staff = _user(f"canbo{number}", Role.STAFF, last, first, office)
        _assign(staff, commune, start)
        users.append(DemoUser(f"canbo{number}", Role.STAFF, staff_names[number - 1], name))
        viewer = _user(f"xa{number}", Role.VIEWER, "Cán bộ xã", name, office)
        _assign(viewer, commune, start)
        users.append(DemoUser(f"xa{number}", Role.VIEWER, f"UBND xã {name}", name))
        for slot, org_code in enumerate((f"UB-{code}", shared_orgs[number % 3]), start=1):
            username = f"thu{number}{slot}"
            # a made-up mobile number of the demo (the calculator's "call your agent" button)
            agent_user = _user(username, Role.AGENT, "Nhân viên thu", f"{name} #{slot}", office,
                               phone=f"0905 {number}{slot}{number} {slot}{number}{slot}")
            Agent.objects.get_or_create(
                user=agent_user,
                defaults={"organisation": organisations[org_code], "code": username.upper()},
            )
            _assign(agent_user, commune, start)
            users.append(DemoUser(username, Role.AGENT, f"Nhân viên thu {name} #{slot}", name))
    return users


# ---------------------------------------------------------------------------------------------
# Households and persons


_GROUPS: tuple[tuple[str, str, dict[str, tuple[str, ...]], float], ...] = (
    # (ethnicity code, local group, name pool, share) — over 75 % ethnic minority
    (TA_OI, "", names.TA_OI, 0.34),
    (TA_OI, "Pa Kô", names.TA_OI, 0.20),
    (CO_TU, "", names.CO_TU, 0.13),
    (BRU_VAN_KIEU, "Pa Hy", names.PA_HY, 0.09),
    (KINH, "", names.KINH, 0.24),
)


def _pick_group(rng: random.Random) -> tuple[str, str, dict[str, tuple[str, ...]]]:
    draw = rng.random()
    for code, local, pool, share in _GROUPS:
        if draw < share:
            return code, local, pool
        draw -= share
    return _GROUPS[-1][0], _GROUPS[-1][1], _GROUPS[-1][2]


def _name(rng: random.Random, pool: dict[str, tuple[str, ...]], surname: str, sex: str) -> str:
    middle = rng.choice(pool[f"middle_{sex}"])
    given = rng.choice(pool[f"given_{sex}"])
    return " ".join(part for part in (surname, middle, given) if part)


def _national_id(serial: int, sex: str, born: date) -> str:
    century_digit = {1900: 0, 2000: 2}[born.year // 100 * 100] + (1 if sex == "F" else 0)
    return f"046{century_digit}{born.year % 100:02d}{serial % 1_000_000:06d}"


# The youngest age at which the register can plausibly show someone in compulsory SI, and
# someone who has withdrawn a lump sum (years of contributions first).
COMPULSORY_FROM_AGE = 18
LUMP_SUM_FROM_AGE = 22


def _si_status(rng: random.Random, age: int, sex: str) -> str:
    draw = rng.random()
    retired = age >= (62 if sex == "M" else 58)
    if retired and draw < 0.25:
        return SIStatus.PENSIONER
    if draw < 0.06:
        return SIStatus.COMPULSORY if age >= COMPULSORY_FROM_AGE else SIStatus.NONE
    if draw < 0.08:
        return SIStatus.LUMP_SUM if age >= LUMP_SUM_FROM_AGE else SIStatus.NONE
    if draw < 0.09:
        return SIStatus.MOVED
    if draw < 0.095:
        return SIStatus.DECEASED
    return SIStatus.NONE


def _status_since(rng: random.Random, status: str, born: date, as_of: date) -> date:
    """When the register's status began: the review for most; for a withdrawal, a job, a move
    or a death a day in the past years, never before the person was old enough."""
    if status in (SIStatus.NONE, SIStatus.VOLUNTARY):
        return as_of
    youngest = {str(SIStatus.COMPULSORY): COMPULSORY_FROM_AGE,
                str(SIStatus.LUMP_SUM): LUMP_SUM_FROM_AGE - 1}.get(status, 15)
    earliest = max(_birthday(born, youngest), as_of - timedelta(days=6 * 365))
    span = (as_of - earliest).days
    return as_of - timedelta(days=rng.randrange(min(30, span - 1), span)) if span > 1 else \
        as_of - timedelta(days=1)


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28)


def seed_people(
    office: Office,
    villages: list[Village],
    *,
    persons: int,
    seed: int,
    as_of: date,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Households and persons for the office; returns (households, persons)."""
    rng = random.Random(seed)
    dates = random.Random(seed * 31 + 7)  # the statuses' dates: the people stay as they were
    now = db_datetime(timezone.now())
    household_start = (Household.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    person_start = (Person.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    households: list[tuple[Any, ...]] = []
    poverty: list[tuple[Any, ...]] = []
    people: list[list[Any]] = []
    serial = rng.randrange(1_000_000)
    village_weights = [1.0 + (village.remoteness % 3) * 0.4 for village in villages]
    village_ids = [village.id for village in villages]
    village_codes = {village.id: village.code for village in villages}
    voluntary_target = round(VOLUNTARY_AT_DEFAULT * persons / DEFAULT_PERSONS)
    person_id = person_start
    household_id = household_start
    unnamed: set[tuple[str, date, int]] = set()
    while len(people) < persons:
        village_id = rng.choices(village_ids, village_weights)[0]
        code, local, pool = _pick_group(rng)
        surname = rng.choice(pool["surnames"])
        size = min(persons - len(people), rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)))
        household_code = f"{village_codes[village_id]}-H{household_id:07d}"
        members: list[str] = []
        status_draw = rng.random()
        household_poverty = (
            PovertyStatus.POOR if status_draw < 0.17 else
            PovertyStatus.NEAR_POOR if status_draw < 0.30 else PovertyStatus.NONE
        )
        for member in range(size):
            sex = "M" if (member == 0 and rng.random() < 0.7) or rng.random() < 0.48 else "F"
            age_days = rng.randrange(15 * 365 + 4, 72 * 365)
            born = as_of - timedelta(days=age_days)
            year_only = rng.random() < 0.06
            if year_only:
                born = date(born.year, 1, 1)
            full_name = _name(rng, pool, surname if member < 2 or rng.random() < 0.8 else
                              rng.choice(pool["surnames"]), sex)
            members.append(full_name)
            serial += 1
            national_id = _national_id(serial, sex, born) if rng.random() < 0.88 else None
            if national_id is None:
                # two people with neither ID nor any other difference would be one person to
                # the importer: the second one gets an ID
                key = (fold(full_name), born, village_id)
                if key in unnamed:
                    national_id = _national_id(serial, sex, born)
                unnamed.add(key)
            status = _si_status(rng, age_days // 365, sex)
            since = _status_since(dates, status, born, as_of)
            has_phone = rng.random() < 0.6
            phone = f"0{rng.choice((3, 7, 8, 9))}{rng.randrange(10**8):08d}" if has_phone else ""
            people.append([
                person_id, office.id, village_id, household_id, db_uuid(_uuid(rng)), full_name,
                fold(full_name), born, year_only, sex, code, local, national_id, "", phone,
                "Chủ hộ" if member == 0 else "", status, "Rà soát 2025", since, now, now,
            ])
            person_id += 1
        households.append((household_id, office.id, village_id, household_code,
                           f"Thôn {village_id}", members[0]))
        if household_poverty != PovertyStatus.NONE:
            for year in (as_of.year - 2, as_of.year - 1, as_of.year):
                still = rng.random() < 0.85 or year == as_of.year - 2
                poverty.append((household_id, year, household_poverty if still else
                                PovertyStatus.NONE, f"QĐ UBND xã {year}", date(year, 1, 15)))
        household_id += 1
        if progress and len(households) % 2000 == 0:
            progress("generate", len(people), persons)
    _mark_voluntary(rng, people, voluntary_target, as_of)
    if progress:
        progress("generate", len(people), persons)
    with transaction.atomic():
        insert_rows(Household._meta.db_table,
                    ("id", "office_id", "village_id", "code", "address", "head_name"), households)
        insert_rows(HouseholdPoverty._meta.db_table,
                    ("household_id", "year", "status", "source", "certified_on"), poverty)
        insert_rows(
            Person._meta.db_table,
            ("id", "office_id", "village_id", "household_id", "uuid", "full_name", "name_folded",
             "birth_date", "birth_year_only", "sex", "ethnicity", "local_group", "national_id",
             "si_number", "phone", "relation_to_head", "si_status", "si_status_source",
             "si_status_as_of", "created_at", "updated_at"),
            people,
        )
        reset_sequences(Household, Person)
    if progress:
        progress("write", len(people), persons)
    return len(households), len(people)


def _mark_voluntary(rng: random.Random, people: list[list[Any]], target: int, as_of: date) -> None:
    """Exactly `target` working-age persons (20–55, not otherwise covered) are participants."""
    eligible = [
        row for row in people
        if row[16] == SIStatus.NONE and 20 <= (as_of - row[7]).days // 365 <= 55
    ]
    for row in rng.sample(eligible, min(target, len(eligible))):
        row[16] = SIStatus.VOLUNTARY
        row[17] = "Sổ thu BHXH tự nguyện"
