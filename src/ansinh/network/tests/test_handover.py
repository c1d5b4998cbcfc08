"""When an agent or staff member leaves, what they answered for goes to the substitute."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ansinh.collection.models import ReceiptBook
from ansinh.core.models import AuditEntry, User
from ansinh.core.scoping import visible_villages
from ansinh.network import handover
from ansinh.network.actions import hand_over
from ansinh.network.errors import NetworkError
from ansinh.network.models import Agent, Assignment
from ansinh.participation.models import Participation, Status
from ansinh.registry.models import Person

ON = date(2026, 4, 1)


def _participation(person: Person, agent: Agent, status: str = Status.ACTIVE) -> Participation:
    return Participation.objects.create(
        office_id=person.office_id, village_id=person.village_id, person=person,
        start_month=date(2025, 1, 1), enrolled_on=date(2025, 1, 5), income=1_500_000,
        mode="monthly", agent=agent, organisation=agent.organisation, status=status,
        status_since=date(2025, 1, 5))


@pytest.fixture
def leaving(world: dict[str, Any]) -> dict[str, Any]:
    """thu31 (agent of A Lưới 3) with four participants, one stopped, and two books."""
    agent = Agent.objects.get(code="THU31")
    substitute = Agent.objects.get(code="THU32")
    persons = list(Person.objects.filter(village__commune__code="AL3", si_status="none")[:4])
    open_ones = [_participation(p, agent) for p in persons[:3]]
    stopped = _participation(persons[3], agent, Status.STOPPED)
    books = [ReceiptBook.objects.create(office=world["office"], agent=agent, series="AL",
                                        first_number=n, last_number=n + 49, next_number=n,
                                        issued_on=date(2026, 1, 2)) for n in (1, 51)]
    returned = ReceiptBook.objects.create(office=world["office"], agent=agent, series="AL",
                                          first_number=101, last_number=150, next_number=151,
                                          issued_on=date(2025, 1, 2), returned_on=date(2025, 12, 1))
    return {"agent": agent, "substitute": substitute, "open": open_ones, "stopped": stopped,
            "books": books, "returned": returned}


def test_hand_over_moves_participants_books_and_territory(leaving: dict[str, Any],
                                                          director: User) -> None:
    agent, substitute = leaving["agent"], leaving["substitute"]
    result = hand_over(agent.user, substitute=substitute.user, on=ON, actor=director)
    assert (result.moved["participations"], result.moved["receipt_books"],
            result.assignments) == (3, 2, 1)
    assert set(Participation.objects.filter(agent=substitute).values_list("pk", flat=True)) \
        >= {p.pk for p in leaving["open"]}
    # a stopped participation and a returned book stay where they were
    assert Participation.objects.get(pk=leaving["stopped"].pk).agent_id == agent.pk
    assert ReceiptBook.objects.get(pk=leaving["returned"].pk).agent_id == agent.pk
    assert set(ReceiptBook.objects.filter(agent=substitute).values_list("pk", flat=True)) == \
        {book.pk for book in leaving["books"]}
    # the leaving agent's assignment ends the day before; the day after they see nothing
    old = Assignment.objects.get(user=agent.user)
    assert old.ends_on == ON - timedelta(days=1) and old.substitute == substitute.user
    assert visible_villages(agent.user, ON - timedelta(days=1)).exists()
    assert not visible_villages(agent.user, ON).exists()
    assert visible_villages(substitute.user, ON).filter(commune__code="AL3").exists()
    # audited: one row per moved participation and book, and a summary row
    assert AuditEntry.objects.filter(action="participation.handover").count() == 3
    assert AuditEntry.objects.filter(action="receiptbook.handover").count() == 2
    summary = AuditEntry.objects.get(action="user.handover")
    assert summary.changes["participations"] == [None, 3]


def test_the_substitute_named_on_the_assignment_is_used(leaving: dict[str, Any],
                                                        director: User) -> None:
    agent, substitute = leaving["agent"], leaving["substitute"]
    Assignment.objects.filter(user=agent.user).update(substitute=substitute.user)
    result = hand_over(agent.user, on=ON, actor=director)
    assert result.substitute == substitute.user


def test_without_a_substitute_nothing_moves(leaving: dict[str, Any], director: User) -> None:
    with pytest.raises(NetworkError):
        hand_over(leaving["agent"].user, on=ON, actor=director)
    assert Participation.objects.filter(agent=leaving["agent"]).count() == 4


def test_participants_cannot_go_to_a_staff_member(leaving: dict[str, Any], director: User,
                                                  staff_al2: User) -> None:
    with pytest.raises(NetworkError) as refused:
        hand_over(leaving["agent"].user, substitute=staff_al2, on=ON, actor=director)
    assert refused.value.en.startswith("the substitute is not an agent")
    # the transaction rolled back: the territory is untouched too
    assert Assignment.objects.get(user=leaving["agent"].user).ends_on is None


def test_a_staff_member_hands_over_the_territory(director: User, staff_al2: User,
                                                 world: dict[str, Any]) -> None:
    other = world["users"]["canbo3"]
    result = hand_over(staff_al2, substitute=other, on=ON, actor=director)
    assert result.assignments == 1 and "participations" not in result.moved
    assert visible_villages(other, ON).filter(commune__code="AL2").exists()


def test_other_apps_steps_run_inside_the_hand_over(leaving: dict[str, Any], director: User,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def step(old: User, new: User, on: date, actor: User) -> dict[str, int]:
        seen.append((old.username, new.username))
        return {"follow_ups": 5}

    monkeypatch.setattr(handover, "HANDOVER_STEPS", [step])
    monkeypatch.setattr("ansinh.network.actions.HANDOVER_STEPS", handover.HANDOVER_STEPS)
    result = hand_over(leaving["agent"].user, substitute=leaving["substitute"].user, on=ON,
                       actor=director)
    assert seen == [("thu31", "thu32")]
    assert result.moved == {"follow_ups": 5}


def test_open_follow_ups_go_to_the_substitute(leaving: dict[str, Any],
                                              director: User) -> None:
    from ansinh.outreach.models import Contact as contact
    agent, substitute = leaving["agent"], leaving["substitute"]
    person = Person.objects.filter(village__commune__code="AL3").last()
    assert person is not None

    def make(done: bool, follow_up: date | None) -> Any:
        return contact.objects.create(
            office_id=person.office_id, village_id=person.village_id, person=person,
            on=date(2026, 3, 2), channel="visit", outcome="follow_up", by=agent.user,
            owner=agent.user, next_follow_up_on=follow_up, follow_up_done=done)

    open_one, done_one, no_date = make(False, date(2026, 4, 10)), make(True,
                                                                        date(2026, 3, 20)), \
        make(False, None)
    result = hand_over(agent.user, substitute=substitute.user, on=ON, actor=director)
    assert result.moved["follow_ups"] == 1
    assert contact.objects.get(pk=open_one.pk).owner_id == substitute.user_id
    assert contact.objects.get(pk=done_one.pk).owner_id == agent.user_id
    assert contact.objects.get(pk=no_date.pk).owner_id == agent.user_id


def test_handover_page(client: Any, director: User, leaving: dict[str, Any]) -> None:
    client.force_login(director)
    response = client.post("/chi-tieu/ban-giao/", {
        "leaving": leaving["agent"].user.pk, "substitute": leaving["substitute"].user.pk,
        "on": ON.isoformat()})
    assert response.status_code == 302
    assert Participation.objects.filter(agent=leaving["substitute"]).count() == 3
