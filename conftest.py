"""Shared fixtures: the A Lưới world at a small size and named personas."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

AS_OF = date(2026, 3, 31)


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time() -> None:
    """On SQLite the test database is in memory, and Django's live server lends its threads the
    test's one connection. Two threads on one SQLite connection can deadlock: one inside a
    statement holds the connection's mutex and calls a Python function (Django's date
    functions) that waits for the GIL, while the other holds the GIL and waits for the mutex to
    read a row. A browser test then hangs with no timeout. So on SQLite the live server answers
    one request at a time (Django closes each connection after its answer); on PostgreSQL each
    thread has its own connection and the server stays threaded."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        return

    class OneAtATime(WSGIServer):
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override  # the thread applies it

    LiveServerThread.server_class = OneAtATime


@pytest.fixture(autouse=True)
def _inline_tasks_and_media(settings: Any, tmp_path: Path) -> None:
    """Worker tasks run inline; uploaded files go to a temporary folder."""
    from django_q.conf import Conf

    Conf.SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Each test starts in the site's language, Vietnamese. A request in English activates
    English for its thread and nothing deactivates it, so without this the next test on the
    same worker would run in English (which tests run together changes from run to run)."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_parameter_tree() -> None:
    """Each test builds the parameter tree from its own overrides. The cache's key (highest
    override id, active count) changes on every write in production, where ids only grow, but a
    test's rolled-back overrides give their ids back (SQLite), so the next test could meet a
    tree cached for overrides it does not have."""
    from ansinh.rules.tree import clear_cache

    clear_cache()


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """The A Lưới office with its communes, users and 600 persons."""
    from ansinh.core.models import User
    from ansinh.demo.seeding import seed_people, seed_reference

    office, villages, _users = seed_reference(AS_OF)
    seed_people(office, villages, persons=600, seed=7, as_of=AS_OF)
    return {"office": office, "villages": villages,
            "users": {user.username: user for user in User.objects.all()}}


@pytest.fixture
def director(world: dict[str, Any]) -> Any:
    return world["users"]["giamdoc"]


@pytest.fixture
def staff_al2(world: dict[str, Any]) -> Any:
    return world["users"]["canbo2"]


@pytest.fixture
def agent_al3(world: dict[str, Any]) -> Any:
    return world["users"]["thu31"]


@pytest.fixture
def viewer_al1(world: dict[str, Any]) -> Any:
    return world["users"]["xa1"]


@pytest.fixture
def agent_al1(world: dict[str, Any]) -> Any:
    """An agent of A Lưới 1: another commune than A Lưới 3, whose records they may not touch."""
    return world["users"]["thu11"]


@pytest.fixture
def director_elsewhere(world: dict[str, Any]) -> Any:
    """The director of another office (Nam Đông), who may change nothing of A Lưới's."""
    from ansinh.core.models import Office, Role, User

    office = Office.objects.create(code="ND", name="BHXH cơ sở Nam Đông")
    return User.objects.create_user("giamdoc_nd", role=Role.DIRECTOR, office=office)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def phone_page(chromium_browser: Any) -> Any:
    """A page in Debian's chromium (never `playwright install`) on a phone-sized screen."""
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844},
                                           locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def chromium_browser() -> Any:
    """Debian's chromium, for a test that needs contexts of its own (`new_context(...)`)."""
    import os

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        _close_the_connections_of_this_loop()


def _close_the_connections_of_this_loop() -> None:
    """While Playwright's event loop runs, Django sees an async context and keeps this thread's
    database connections apart from its thread-local ones. Closed here, before the loop stops:
    otherwise the connection stays open, unseen, until the next browser test takes it up again,
    and a test that needs the database to itself (a restore) meets it."""
    from django.db import connections

    connections.close_all()


@pytest.fixture
def screenshot() -> Any:
    """Save a screenshot into var/screenshots for a person to look at."""
    import os

    def take(page: Any, name: str, full: bool = False) -> None:
        folder = Path(os.environ.get("ANSINH_VAR_DIR", "var")) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full)

    return take


@pytest.fixture
def receipt_book_al3(agent_al3: Any, director: Any) -> Any:
    """A book of 200 receipt numbers issued to the agent of A Lưới 3."""
    from ansinh.collection.actions import issue_book

    return issue_book(agent_al3.agent, series="AL3", first_number=1, last_number=200,
                      issued_on=date(2025, 1, 2), actor=director)


@pytest.fixture
def prospect_al3(world: dict[str, Any]) -> Any:
    """A 30-45-year-old person of A Lưới 3 who is not covered by any insurance."""
    from ansinh.registry.models import Person, SIStatus

    return (Person.objects.filter(village__commune__code="AL3", si_status=SIStatus.NONE,
                                  birth_date__lt=date(1996, 1, 1),
                                  birth_date__gt=date(1981, 1, 1))
            .order_by("id").first())


@pytest.fixture
def participation_al3(prospect_al3: Any, agent_al3: Any, receipt_book_al3: Any) -> Any:
    """`prospect_al3` enrolled by thu31 from January 2026, monthly, at 2,000,000 VND."""
    from ansinh.participation.actions import enrol

    return enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
                 actor=agent_al3, enrolled_on=date(2026, 1, 5))


@pytest.fixture
def paying_al3(prospect_al3: Any, agent_al3: Any, receipt_book_al3: Any) -> Any:
    """`prospect_al3` enrolled by thu31 from December 2025, monthly, at 2,000,000 VND, and
    December paid on 10/12/2025: an active participant whose first deadline to miss is
    31/01/2026 (late from 1 February, paused from 1 May at the office's default). A
    participation nobody has paid for is awaiting its first payment, never late
    (docs/payment-state.md)."""
    import time_machine

    from ansinh.collection.dues import quote_months
    from ansinh.collection.receipts import record_receipt
    from ansinh.participation.actions import enrol

    participation = enrol(prospect_al3, start_month=date(2025, 12, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2025, 12, 5))
    paid_on = date(2025, 12, 10)
    months = [date(2025, 12, 1)]
    with time_machine.travel(paid_on):
        record_receipt(participation, months=months,
                       amount=quote_months(participation, months, paid_on).amount,
                       paid_on=paid_on, channel="bank_transfer", client_uuid=uuid.uuid4(),
                       actor=agent_al3)
    participation.refresh_from_db()
    return participation


@pytest.fixture
def mixed_participants(world: dict[str, Any], agent_al3: Any, director: Any,
                       receipt_book_al3: Any) -> list[Any]:
    """32 persons of A Lưới 3 enrolled from mid-2025 in every payment mode, some never paid,
    some paid for a period or two, some for the year ahead, one paused: the states a
    participant passes through as the days go by."""
    import time_machine

    from ansinh.collection import lifecycle
    from ansinh.collection.dues import quote_months
    from ansinh.collection.receipts import record_receipt
    from ansinh.core.errors import Refused
    from ansinh.participation.actions import enrol
    from ansinh.policy.money import add_months
    from ansinh.registry.models import Person, SIStatus

    modes = (("monthly", 1, None), ("quarterly", 3, None), ("half_yearly", 6, None),
             ("yearly", 12, None), ("advance", 24, 2))
    persons = Person.objects.filter(village__commune__code="AL3", si_status=SIStatus.NONE,
                                    birth_date__lt=date(1996, 1, 1),
                                    birth_date__gt=date(1976, 1, 1)).order_by("id")[:32]
    made = []
    for index, person in enumerate(persons):
        mode, length, years = modes[index % len(modes)]
        start = date(2025, 6 + index % 7, 1)
        enrolled_on = start.replace(day=3 + index % 20)
        participation = enrol(person, start_month=start, income=2_000_000 + 50_000 * index,
                              mode=mode, advance_years=years, actor=agent_al3,
                              enrolled_on=enrolled_on)
        periods = (0, 1, 2, 4)[index // len(modes) % 4]
        months = [add_months(start, n) for n in range(length * periods)][:24]
        if months:
            paid_on = enrolled_on + timedelta(days=5)
            try:
                with time_machine.travel(paid_on):
                    record_receipt(participation, months=months,
                                   amount=quote_months(participation, months, paid_on).amount,
                                   paid_on=paid_on, channel="bank_transfer",
                                   client_uuid=uuid.uuid4(), actor=agent_al3)
            except Refused:
                pass
        if index == 7:
            lifecycle.pause(participation, on=date(2026, 1, 10), actor=director)
        participation.refresh_from_db()
        made.append(participation)
    return made
