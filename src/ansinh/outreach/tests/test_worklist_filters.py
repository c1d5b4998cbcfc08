"""The worklist narrowed by village and by kind, in pages: counts on every chip, filters that
survive paging, "Thu tiền" straight from a due row, and query strings that are not what the
page writes (garbage, another commune's village, an agent one may not see) never answer a 500
nor show another territory."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from ansinh.core.tests.browser import sign_in
from ansinh.outreach import actions
from ansinh.participation.actions import enrol
from ansinh.registry.models import Person, Village

from .helpers import pay, prospects

TODAY = date(2026, 3, 18)
URL = "/van-dong/viec-can-lam/"


@pytest.fixture
def busy_day(world: Any, agent_al3: Any, receipt_book_al3: Any) -> dict[str, Any]:
    """thu31's day: 30 follow-ups due (two villages), one late participant, and the
    never-visited prospects of A Lưới 3."""
    people = prospects("AL3", 31)
    for person in people[:30]:
        actions.record_contact(actor=agent_al3, person=person, on=TODAY - timedelta(days=5),
                               channel="visit", outcome="follow_up", next_follow_up_on=TODAY)
    late = people[30]
    participation = enrol(late, start_month=date(2026, 1, 1), income=2_000_000, mode="monthly",
                          actor=agent_al3, enrolled_on=date(2026, 1, 5))
    pay(participation, [date(2026, 1, 1)], agent_al3, date(2026, 1, 20))
    return {"follow_ups": people[:30], "late": late, "participation": participation}


def _get(client: Any, query: str = "") -> Any:
    with time_machine.travel(TODAY, tick=False):
        return client.get(URL + query)


def _people(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-person="(\d+)"', response.content.decode())]


def _chip(response: Any, kind: str) -> int:
    html = response.content.decode()
    found = re.search(rf'class="chip kind-{kind}[^"]*"[^>]*>[^<]*<b>([\d.]+)</b>', html)
    assert found, kind
    return int(found.group(1).replace(".", ""))


def test_kind_chips_count_and_filter(client: Any, busy_day: dict[str, Any],
                                     agent_al3: Any) -> None:
    client.force_login(agent_al3)
    everything = _get(client, "?page=all")
    assert everything.status_code == 200
    assert _chip(everything, "follow_up") == 30
    assert _chip(everything, "late") == 1
    late = _get(client, "?kind=late")
    assert _people(late) == [busy_day["late"].pk]
    follow = _get(client, "?kind=follow_up&page=all")
    assert sorted(_people(follow)) == sorted(p.pk for p in busy_day["follow_ups"])


def test_pages_keep_the_filters(client: Any, busy_day: dict[str, Any], agent_al3: Any) -> None:
    client.force_login(agent_al3)
    first = _get(client, "?kind=follow_up&span=week")
    html = first.content.decode()
    assert len(_people(first)) == 25
    assert "span=week&amp;kind=follow_up&amp;page=2" in html
    assert "hx-target" not in html  # plain links: the whole page comes back
    second = _get(client, "?span=week&kind=follow_up&page=2")
    assert len(_people(second)) == 5
    assert not set(_people(first)) & set(_people(second))
    # "Ghi tiếp xúc" comes back to the same page with the same filters
    assert "next=/van-dong/viec-can-lam/%3Fspan%3Dweek%26kind%3Dfollow_up%26page%3D2" \
        in second.content.decode()


def test_village_filter_and_its_counts(client: Any, busy_day: dict[str, Any],
                                       agent_al3: Any) -> None:
    client.force_login(agent_al3)
    village = busy_day["follow_ups"][0].village
    in_village = [p.pk for p in busy_day["follow_ups"] if p.village_id == village.pk]
    response = _get(client, f"?village={village.pk}&kind=follow_up&page=all")
    assert sorted(_people(response)) == sorted(in_village)
    assert _chip(response, "follow_up") == len(in_village)
    assert re.search(rf'<option value="{village.pk}" selected>[^<]*\({len(in_village)}\)',
                     response.content.decode())


@pytest.mark.parametrize("query", [
    "?village=abc", "?village=-1", "?village=1e3", "?village=٣",
    "?village=99999999999999999999999999999", "?kind=<script>", "?kind=", "?page=-1",
    "?page=99999999999999999999", "?page=abc", "?span=year", "?agent=abc",
    "?village=1&village=2&kind=late&kind=x", "?page=all&page=1",
])
def test_hostile_query_strings_are_ignored(client: Any, busy_day: dict[str, Any],
                                           agent_al3: Any, query: str) -> None:
    client.force_login(agent_al3)
    response = _get(client, query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main>")[1].replace(
        '<script src', "")


def test_a_nul_byte_is_refused_with_a_message(client: Any, busy_day: dict[str, Any],
                                              agent_al3: Any) -> None:
    """No text with a NUL byte reaches a query (PostgreSQL refuses them): a 400 that says
    which parameter (core.middleware), as on every page."""
    client.force_login(agent_al3)
    response = _get(client, "?village=%00")
    assert response.status_code == 400
    assert "village" in response.content.decode()


def test_another_communes_village_shows_nothing_of_it(client: Any, busy_day: dict[str, Any],
                                                      agent_al3: Any) -> None:
    client.force_login(agent_al3)
    elsewhere = Village.objects.filter(commune__code="AL1").order_by("id").first()
    assert elsewhere is not None
    response = _get(client, f"?village={elsewhere.pk}&page=all")
    assert response.status_code == 200
    html = response.content.decode().split("<main>")[1]  # (the header's language form
    assert f'<option value="{elsewhere.pk}"' not in html
    assert f"village={elsewhere.pk}&amp;" not in html  # comes back to the URL as typed)
    shown = Person.objects.filter(id__in=_people(response))
    assert shown.exists() and not shown.exclude(village__commune__code="AL3").exists()
    # an agent may not look at another agent's list
    other = busy_day["late"].office.users.get(username="thu11")
    assert _get(client, f"?agent={other.pk}").status_code == 403
    assert _get(client, "?agent=99999999999999999999999").status_code == 200


def test_thu_tien_opens_the_receipt_with_the_months_owed_ticked(
        client: Any, busy_day: dict[str, Any], agent_al3: Any) -> None:
    client.force_login(agent_al3)
    html = _get(client, "?kind=late").content.decode()
    participation = busy_day["participation"]
    link = f"/thu/bien-lai/moi/?participation={participation.pk}&amp;due=1"
    assert link in html
    # a follow-up line has no money to collect
    follow = _get(client, "?kind=follow_up").content.decode()
    assert "/thu/bien-lai/moi/" not in follow
    with time_machine.travel(TODAY, tick=False):
        receipt = client.get(link.replace("&amp;", "&")).content.decode()
    ticked = re.findall(r'name="period" value="([^"]+)"[^>]*checked', receipt)
    # February is late and March is due on 18/03; April (paying ahead) is not ticked
    assert ticked == ["2026-02-01", "2026-03-01"]
    assert 'data-key="amount"' in receipt
    assert "Bằng chữ: <em>Bảy trăm bốn mươi tám nghìn đồng</em>" in receipt  # 748.000 ₫


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_filters_combine_and_survive_paging(
        phone_page: Any, live_server: Any, busy_day: dict[str, Any], agent_al3: Any,
        screenshot: Any) -> None:
    page = phone_page
    sign_in(page, live_server.url, agent_al3.username)
    page.goto(f"{live_server.url}{URL}?span=week")
    screenshot(page, "worklist-phone")
    with page.expect_navigation():
        page.click("a.chip.kind-follow_up")
    assert "kind=follow_up" in page.url
    assert page.locator(".work-line").count() == 25
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert "kind=follow_up" in page.url and "page=2" in page.url
    assert page.locator(".work-line").count() == 5
    village = busy_day["follow_ups"][0].village
    with page.expect_navigation():
        page.select_option("select[name=village]", str(village.pk))
    assert f"village={village.pk}" in page.url and "kind=follow_up" in page.url
    assert "page=" not in page.url  # a new filter starts at the first page
    expected = sum(1 for p in busy_day["follow_ups"] if p.village_id == village.pk)
    assert page.locator(".work-line").count() == expected
    screenshot(page, "worklist-phone-filtered", full=True)


def test_a_line_escapes_what_people_typed_and_offers_only_what_the_user_may_do(
        client: Any, busy_day: dict[str, Any], agent_al3: Any, world: Any) -> None:
    """The lines are built in Python (views._work_lines_html), not by the template: a name,
    a phone and a village's name are escaped there as the template would, and a viewer (a
    commune official, who may not collect or record) sees the lines without those buttons."""
    late = busy_day["late"]
    Person.objects.filter(pk=late.pk).update(full_name='Hồ <b>"Ánh"</b> & O\'Neil',
                                             phone="0905<i>1")
    Village.objects.filter(pk=late.village_id).update(name="Thôn <script>1</script>")
    client.force_login(agent_al3)
    html = _get(client, "?page=all").content.decode()
    assert "Hồ &lt;b&gt;&quot;Ánh&quot;&lt;/b&gt; &amp; O&#x27;Neil" in html
    assert "0905&lt;i&gt;1" in html and 'href="tel:0905&lt;i&gt;1"' in html
    assert "Thôn &lt;script&gt;1&lt;/script&gt;" in html
    assert "<b>\"Ánh" not in html and "<i>1" not in html and "<script>1" not in html
    line = html.split(f'data-person="{late.pk}"')[1].split('class="work-line"')[0]
    assert f"participation={busy_day['participation'].pk}&amp;due=1" in line  # Thu tiền
    # the contact form comes back to this page, its query string encoded once
    assert "?next=/van-dong/viec-can-lam/%3Fspan%3Dtoday%26page%3Dall" in line

    client.force_login(world["users"]["xa3"])  # a viewer of A Lưới 3: its commune's lines
    html = _get(client, "?page=all").content.decode()
    line = html.split(f'data-person="{late.pk}"')[1].split('class="work-line"')[0]
    assert "participation=" not in line and "?next=" not in line
    assert 'href="tel:0905&lt;i&gt;1"' in line  # calling is for everyone
