"""`?next=` on the contact pages stays on the site (issue 13): a contact recorded, or a
follow-up marked done, goes back to the page it came from only if that page is ours; any other
address (another site, a scheme-relative or backslashed one, javascript:) falls back to the
worklist, and the form never carries it on."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ansinh.outreach import actions
from ansinh.outreach.models import Contact

from .helpers import prospects

HOSTILE = ["//evil.com", "https://evil.com", "http://evil.com/x", "/\\evil.com",
           "\\\\evil.com", "javascript:alert(1)", "https:evil.com", "//evil.com/%2F..",
           "http://testserver@evil.com/", " //evil.com", "/\x00/evil.com"]
GOOD = "/van-dong/danh-sach/?span=week"


def _contact_body(next_url: str) -> dict[str, str]:
    return {"on": "2026-03-12", "channel": "visit", "outcome": "interested", "next": next_url}


@pytest.fixture
def agent(client: Client, agent_al3: Any) -> Client:
    client.force_login(agent_al3)
    return client


@pytest.mark.parametrize("next_url", HOSTILE)
def test_a_contact_never_sends_to_another_site(agent: Client, next_url: str) -> None:
    person = prospects("AL3", 1)[0]
    url = reverse("outreach:contact_new", args=[person.pk])
    page = agent.get(url, {"next": next_url})
    if page.status_code == 200:  # the form does not carry the address on
        assert page.context["next"] == ""
    else:
        assert page.status_code == 400 and "\x00" in next_url
    response = agent.post(url, _contact_body(next_url))
    if "\x00" in next_url:
        assert response.status_code == 400  # refused before the view: nothing recorded
        assert not Contact.objects.filter(person=person).exists()
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:worklist")


def test_a_contact_goes_back_to_the_page_of_the_site_it_came_from(agent: Client) -> None:
    person = prospects("AL3", 1)[0]
    url = reverse("outreach:contact_new", args=[person.pk])
    assert agent.get(url, {"next": GOOD}).context["next"] == GOOD
    response = agent.post(url, _contact_body(GOOD))
    assert (response.status_code, response["Location"]) == (302, GOOD)
    assert Contact.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("next_url", [*HOSTILE[:-1], GOOD])
def test_a_follow_up_done_stays_on_the_site(agent: Client, agent_al3: Any,
                                            next_url: str) -> None:
    contact = actions.record_contact(actor=agent_al3, person=prospects("AL3", 1)[0],
                                     on=date(2026, 3, 12), channel="visit",
                                     outcome="follow_up", next_follow_up_on=date(2026, 3, 20))
    response = agent.post(reverse("outreach:follow_up_done", args=[contact.pk]),
                          {"next": next_url})
    assert response.status_code == 302
    expected = GOOD if next_url == GOOD else reverse("outreach:worklist")
    assert response["Location"] == expected


def test_an_https_page_does_not_send_back_over_http(agent: Client) -> None:
    person = prospects("AL3", 1)[0]
    response = agent.post(reverse("outreach:contact_new", args=[person.pk]),
                          _contact_body("http://testserver/van-dong/"), secure=True)
    assert response["Location"] == reverse("outreach:worklist")
