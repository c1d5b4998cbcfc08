"""Every option of a choice is a tap target of at least 44 px, on the office's pages as on the
calculator (core/static/ansinh/app.css: `.choice`, `.taps`, `.check`): a real browser on a phone
screen measures each label that holds a radio button or a checkbox. On the agent's field pages
(the worklist, the receipt pages) every control is measured: buttons, links drawn as buttons or
chips, menus, selects and fields, the header's included."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ansinh.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => [...document.querySelectorAll('label')]
  .filter(l => l.querySelector('input[type=radio], input[type=checkbox]'))
  .filter(l => l.offsetParent !== null)
  .map(l => ({text: l.innerText.trim().slice(0, 40), height: l.getBoundingClientRect().height,
              width: l.getBoundingClientRect().width}))"""


def test_every_choice_on_the_office_pages_is_big_enough_for_a_finger(
        world: dict[str, Any], phone_page: Any, live_server: Any) -> None:
    from ansinh.outreach.models import Event
    from ansinh.registry.models import Person

    page = phone_page
    sign_in(page, live_server.url, "giamdoc")
    person = Person.objects.order_by("id").first()
    assert person is not None
    paths = [reverse("registry:person_list"), reverse("registry:import_start"),
             reverse("outreach:event_create"), reverse("outreach:contact_new",
                                                       kwargs={"person_pk": person.pk})]
    event = Event.objects.order_by("id").first()
    if event is not None:
        paths.append(reverse("outreach:event_edit", kwargs={"pk": event.pk}))
    measured = 0
    for path in paths:
        page.goto(live_server.url + path)
        labels = page.evaluate(MEASURE)
        small = [label for label in labels if label["height"] < 44]
        assert not small, f"{path}: {small}"
        measured += len(labels)
    assert measured >= 8


# every control a thumb presses on the field pages (links inside a sentence are not targets)
MEASURE_CONTROLS = """() => [...document.querySelectorAll(
    'button, .button, a.chip, summary, select, textarea, header a, .seg a, .work-line a.who, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'label:has(input[type=radio]), label:has(input[type=checkbox])')]
  .filter(e => e.offsetParent !== null
               && !e.closest('[hidden], details:not([open]) > :not(summary)'))
  .map(e => ({tag: e.tagName, text: (e.innerText || e.name || '').trim().slice(0, 30),
              height: e.getBoundingClientRect().height}))"""


def test_every_control_on_the_agents_field_pages_is_big_enough_for_a_finger(
        world: dict[str, Any], phone_page: Any, live_server: Any, agent_al3: Any,
        paying_al3: Any, screenshot: Any) -> None:
    from ansinh.collection.models import Receipt

    page = phone_page
    sign_in(page, live_server.url, agent_al3.username)
    receipt = Receipt.objects.filter(participation=paying_al3).order_by("id").first()
    assert receipt is not None
    paths = {
        "worklist": reverse("outreach:worklist"),
        "collection-home": reverse("collection:home"),
        "receipt-new": reverse("collection:receipt_new") + f"?participation={paying_al3.pk}&due=1",
        "receipt-detail": reverse("collection:receipt_detail", kwargs={"pk": receipt.pk}),
        "receipt-print": reverse("collection:receipt_print", kwargs={"pk": receipt.pk}),
    }
    for name, path in paths.items():
        page.goto(live_server.url + path)
        controls = page.evaluate(MEASURE_CONTROLS)
        small = [control for control in controls if control["height"] < 44]
        screenshot(page, f"tap-targets-{name}")
        assert controls, name
        assert not small, f"{path}: {small}"
