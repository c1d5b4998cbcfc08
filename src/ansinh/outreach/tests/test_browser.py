"""End to end in Debian's chromium on a phone screen: a conference with an attendance list
produces leads, some enrol, their first receipts land, and the funnel shows each step.

Every step goes through the pages: the event and its attendance list, the enrolment page from
the register, the receipt page, then the event's funnel and the office funnel.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from ansinh.collection.models import Receipt
from ansinh.core.tests.browser import sign_in
from ansinh.outreach.models import Contact, Event
from ansinh.participation.models import Participation

from .helpers import prospects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, url: str, username: str) -> None:
    sign_in(page, url, username)


def _enrol(page: Any, url: str, person: Any) -> None:
    page.goto(f"{url}/so-doi-tuong/doi-tuong/{person.pk}/")
    page.click("text=Đăng ký tham gia")
    page.wait_for_url("**/tham-gia/dang-ky/**")
    page.fill("input[name=income]", "2.000.000")
    page.wait_for_selector("#quote [data-key=net_monthly]")
    page.click("button[name=enrol]")
    page.wait_for_url(re.compile(r".*/tham-gia/\d+/$"))


def _pay_first_period(page: Any) -> None:
    """From the participation page: the receipt page, tick the first period, record it."""
    page.click("text=Ghi biên lai thu tiền")
    page.wait_for_url("**/thu/bien-lai/moi/?participation=*")
    page.locator("input[name=period]").first.check()
    page.wait_for_selector("#amount [data-key=amount]")
    page.click("button.primary:has-text('Ghi biên lai')")
    page.wait_for_url(re.compile(r".*/thu/bien-lai/\d+/$"))


def test_a_conference_from_attendance_list_to_first_receipts(
    world: Any, phone_page: Any, live_server: Any, screenshot: Any, agent_al3: Any,
    receipt_book_al3: Any,
) -> None:
    page = phone_page
    today = timezone.localdate()
    leads = prospects("AL3", 3)
    village = leads[0].village
    _login(page, live_server.url, "thu31")

    page.goto(f"{live_server.url}/van-dong/buoi/moi/")
    page.select_option("select[name=kind]", "conference")
    page.fill("input[name=held_on]", today.isoformat())
    page.select_option("select[name=village]", str(village.pk))
    page.fill("input[name=title]", "Hội nghị khách hàng thôn " + village.name)
    page.check("input[name=partners][value=commune_committee]")
    page.fill("input[name=leaflets]", "60")
    page.fill("input[name=cost]", "3000000")
    screenshot(page, "outreach-event-form-phone", full=True)
    page.locator("form.card button.primary").focus()
    page.keyboard.press("Enter")  # (a click can land on the date picker still open)
    page.wait_for_url(re.compile(r".*/van-dong/buoi/\d+/$"))
    event = Event.objects.get()

    for person in leads:  # picked from the register, found without diacritics
        page.fill("input[name=q]", person.name_folded)
        item = page.locator("#search-results li", has_text=person.full_name).first
        item.wait_for()
        item.locator("button.add-person").click()
        page.wait_for_selector(f"#attendance .attendee:has-text('{person.full_name}')")
    # a person not in the register: checked for duplicates, then added
    page.fill("#new-person input[name=full_name]", "Hồ Văn Thử Nghiệm")
    page.fill("#new-person input[name=birth_year]", "1990")
    page.check("#new-person input[name=sex][value=M]")
    page.click("#add-new-person")
    page.wait_for_selector("#attendance .attendee:has-text('Hồ Văn Thử Nghiệm')")
    # the last lead says no, and why
    row = page.locator("#attendance .attendee", has_text=leads[2].full_name)
    row.locator("select[name=outcome]").select_option("not_interested")
    row.locator("select[name=objection]").select_option("cannot_afford")
    row.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector('[data-step=interested]').textContent.trim() === '3'")
    assert Contact.objects.filter(event=event).count() == 4
    assert page.locator("[data-step=people]").inner_text() == "4"
    assert page.locator("[data-step=interested]").inner_text() == "3"
    assert page.locator("[data-step=enrolled]").inner_text() == "0"
    screenshot(page, "outreach-event-attendance-phone", full=True)

    # two leads enrol on the enrolment page; the first pays its first month on the receipt page
    _enrol(page, live_server.url, leads[0])
    _pay_first_period(page)
    _enrol(page, live_server.url, leads[1])
    assert Participation.objects.filter(person__in=leads[:2]).count() == 2
    assert Receipt.objects.filter(participation__person=leads[0]).count() == 1

    page.goto(f"{live_server.url}/van-dong/buoi/{event.pk}/")
    assert page.locator("[data-step=enrolled]").inner_text() == "2"
    assert page.locator("[data-step=first_paid]").inner_text() == "1"
    assert "1.500.000" in page.locator("#event-funnel").inner_text()  # cost per enrolment
    screenshot(page, "outreach-event-funnel-phone", full=True)

    page.goto(f"{live_server.url}/van-dong/hieu-qua/?by=event")
    row = page.locator(f"table.funnel tr[data-key='{event.pk}']")
    assert row.locator("[data-step=enrolled]").inner_text() == "2"
    assert row.locator("[data-step=first_paid]").inner_text() == "1"
    screenshot(page, "outreach-funnel-phone", full=True)

    page.goto(f"{live_server.url}/van-dong/viec-can-lam/?span=week")
    page.wait_for_selector("section.village-group")
    screenshot(page, "outreach-worklist-phone", full=True)
