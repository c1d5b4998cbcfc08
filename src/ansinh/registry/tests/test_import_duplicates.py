"""An import row that is probably a person already in the register goes to the duplicate
queue, not to a new record; staff then say "the same person" (the register's record takes the
values they choose) or "someone else" (created through the import's own writer)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from ansinh.core.text import fold
from ansinh.registry.exporting import template_headers
from ansinh.registry.importing import import_persons
from ansinh.registry.models import DuplicatePair, PairStatus, Person, Village


def _file(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_headers())
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _row(person: Person, *, name: str, born: str, phone: str = "") -> list[str]:
    village = person.village
    return [name, born, person.get_sex_display(), "", "", "Kinh", phone, "", village.name,
            village.commune.name, "", "Chưa tham gia"]


def _typo(born: date) -> str:
    """The birth date as another list has it: day and month swapped, or a one-digit slip."""
    if born.day <= 12 and born.day != born.month:
        return f"{born.month:02d}/{born.day:02d}/{born.year}"
    return f"{born.day + 1 if born.day < 28 else born.day - 1:02d}/{born.month:02d}/{born.year}"


def _someone(world: dict[str, Any]) -> Person:
    person = (Person.objects.filter(village__commune__code="AL3", birth_year_only=False,
                                    national_id__isnull=False).order_by("id").first())
    assert person is not None
    return person


def test_a_probable_duplicate_is_held_back_and_a_new_person_is_created(
        world: dict[str, Any], tmp_path: Path) -> None:
    person = _someone(world)
    stranger = "Quỳnh Thị Mơ Hồ Lạ"
    rows = [
        # the same person from another list: no diacritics, day and month swapped
        _row(person, name=fold(person.full_name).title(), born=_typo(person.birth_date),
             phone="0912000111"),
        _row(person, name=stranger, born="01/02/1971"),
    ]
    before = Person.objects.count()
    result = import_persons(_file(tmp_path / "list.csv", rows),
                            territory=Village.objects.all())
    assert result.imported and result.held == 1 and result.created == 1
    assert Person.objects.count() == before + 1
    assert Person.objects.filter(full_name=stranger).exists()
    pair = DuplicatePair.objects.get(status=PairStatus.OPEN)
    assert pair.person_a_id == person.pk and pair.person_b_id is None
    assert pair.incoming is not None and pair.incoming["line"] == 2
    assert pair.score > 0 and pair.reasons


def test_staff_decide_a_held_row(world: dict[str, Any], tmp_path: Path) -> None:
    person = _someone(world)
    name = fold(person.full_name).title()
    rows = [_row(person, name=name, born=_typo(person.birth_date), phone="0912000111")]
    import_persons(_file(tmp_path / "a.csv", rows), territory=Village.objects.all())
    pair = DuplicatePair.objects.get()
    staff = world["users"]["canbo3"]
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("registry:incoming_compare", args=[pair.pk]))
    assert page.status_code == 200 and "0912000111" in page.content.decode()
    # the same person: the register's record takes the phone, no one is created
    count = Person.objects.count()
    answer = client.post(reverse("registry:incoming_compare", args=[pair.pk]),
                         {"action": "same", "keep_phone": "b"})
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0912000111" and Person.objects.count() == count
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.MERGED
    # a second tap on the button changes nothing
    client.post(reverse("registry:incoming_compare", args=[pair.pk]), {"action": "different"})
    assert Person.objects.count() == count

    # another held row: someone else after all, created by the import's writer
    import_persons(_file(tmp_path / "b.csv", [_row(person, name=name,
                                                   born=_typo(person.birth_date))]),
                   territory=Village.objects.all())
    second = DuplicatePair.objects.get(status=PairStatus.OPEN)
    client.post(reverse("registry:incoming_compare", args=[second.pk]), {"action": "different"})
    assert Person.objects.count() == count + 1
    assert DuplicatePair.objects.get(pk=second.pk).status == PairStatus.CREATED


def test_another_commune_cannot_see_or_decide_the_row(world: dict[str, Any],
                                                      tmp_path: Path) -> None:
    person = _someone(world)
    rows = [_row(person, name=fold(person.full_name).title(), born=_typo(person.birth_date))]
    import_persons(_file(tmp_path / "a.csv", rows), territory=Village.objects.all())
    pair = DuplicatePair.objects.get()
    client = Client()
    client.force_login(world["users"]["canbo2"])
    assert client.get(reverse("registry:incoming_compare", args=[pair.pk])).status_code == 404
    count = Person.objects.count()
    client.post(reverse("registry:incoming_compare", args=[pair.pk]), {"action": "different"})
    assert Person.objects.count() == count
    assert DuplicatePair.objects.get(pk=pair.pk).status == PairStatus.OPEN
    queue = client.get(reverse("registry:duplicate_queue"))
    assert queue.status_code == 200 and fold(person.full_name).title() not in \
        queue.content.decode()


def test_two_rows_of_one_file_for_one_new_person(world: dict[str, Any], tmp_path: Path) -> None:
    """The second row is held beside the person the first row created."""
    person = _someone(world)
    name = "Kăn Thị Blúp Mới"
    rows = [_row(person, name=name, born="03/04/1977"),
            _row(person, name=fold(name).title(), born="04/03/1977")]
    result = import_persons(_file(tmp_path / "two.csv", rows), territory=Village.objects.all())
    assert (result.created, result.held) == (1, 1)
    created = Person.objects.get(full_name=name)
    pair = DuplicatePair.objects.get()
    assert pair.person_a_id == created.pk and pair.incoming is not None
    assert pair.incoming["line"] == 3
