from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.management import call_command

from ansinh.collection.models import Receipt
from ansinh.core.models import Role, User
from ansinh.core.tests.isolation import rolled_back
from ansinh.demo import duplicates
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.participation.models import Participation
from ansinh.registry.models import Commune, DuplicatePair, HouseholdPoverty, Person, SIStatus


def _fingerprint() -> str:
    rows = Person.objects.order_by("id").values_list(
        "full_name", "birth_date", "sex", "ethnicity", "national_id", "village__code",
        "household__code", "si_status")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.django_db
def test_seed_is_deterministic_and_shaped_like_a_luoi() -> None:
    call_command("seed-demo", persons=2000, seed=11, verbosity=0)
    # and ten registered twice, from an attendance list (demo.duplicates), in the queue
    seeded = Person.objects.exclude(si_status_source=duplicates.SOURCE)
    assert seeded.count() == 2000
    assert Person.objects.count() == 2000 + duplicates.count(2000) == 2010
    assert DuplicatePair.objects.filter(status="open").count() >= 8
    assert list(Commune.objects.values_list("name", flat=True)) == [
        "A Lưới 1", "A Lưới 2", "A Lưới 3", "A Lưới 4", "A Lưới 5"]
    assert "Hồng Thủy" in Commune.objects.get(code="AL1").formed_from
    minority = Person.objects.exclude(ethnicity="01").count() / 2000
    assert minority > 0.75
    assert Person.objects.filter(local_group="Pa Kô", ethnicity="31").exists()
    in_scheme = Participation.objects.filter(status__in=("active", "late"))
    assert in_scheme.count() == round(1805 * 2000 / 50000)
    # the demo's states are the ones lapse detection would set on its as-of date
    from ansinh.collection.lapses import detect_lapses

    run = detect_lapses(Commune.objects.get(code="AL1").office, date(2026, 3, 31))
    assert (run.became_late, run.became_paused, run.caught_up) == ([], [], [])
    assert Person.objects.filter(si_status=SIStatus.VOLUNTARY).count() == (
        Participation.objects.filter(status__in=("active", "late", "paused")).count())
    poor = HouseholdPoverty.objects.filter(year=2026, status="poor").count()
    assert poor > 0
    kinds = set(CollectionOrganisation.objects.values_list("kind", flat=True))
    assert kinds == {"post_office", "commune_committee", "womens_union", "farmers_union"}
    assert Agent.objects.count() == 10
    # every agent has a phone, so the calculator's "call your agent" button works on the demo
    phones = list(Agent.objects.values_list("user__phone", flat=True))
    assert all(phones) and len(set(phones)) == len(phones)
    assert User.objects.filter(role=Role.DIRECTOR).count() == 1
    for person in Person.objects.exclude(national_id=None)[:200]:
        from ansinh.registry.identity import check_national_id

        assert person.national_id is not None
        assert check_national_id(person.national_id, sex=person.sex,
                                 birth_year=person.birth_date.year) == []




@pytest.mark.django_db
def test_seed_is_deterministic() -> None:
    fingerprints = []
    for _attempt in range(2):
        with rolled_back():
            call_command("seed-demo", persons=1500, seed=11, verbosity=0)
            fingerprints.append((_fingerprint(), _money_fingerprint()))
    assert fingerprints[0] == fingerprints[1]


def _money_fingerprint() -> str:
    rows = Receipt.objects.order_by("id").values_list(
        "participation__person__national_id", "paid_on", "amount", "support", "number")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.django_db
def test_as_of_moves_the_ages() -> None:
    call_command("seed-demo", persons=500, seed=3, as_of=date(2020, 6, 30), verbosity=0)
    assert Person.objects.filter(birth_date__gt=date(2005, 7, 1)).count() == 0
