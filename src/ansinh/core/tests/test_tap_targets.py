"""Every option of a choice is a tap target of at least 44 px, on the office's pages as on the
calculator (core/static/ansinh/app.css: `.choice`, `.taps`, `.check`): a real browser on a phone
screen measures each label that holds a radio button or a checkbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

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
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "giamdoc")
    page.fill("input[name=password]", "ansinh2026")
    page.click("button.primary")
    page.wait_for_load_state()
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
