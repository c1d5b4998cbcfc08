"""Enrolment from the register: refusals with the reason, the calculator inline, the TK1-TS."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ansinh.collection.dues import supported_before
from ansinh.core.templatetags.money import format_vnd
from ansinh.participation.models import Participation, StatusChange
from ansinh.participation.subsidy import facts_for
from ansinh.policy import contribution_quote
from ansinh.registry.models import SIStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=HCM), tick=False):
        yield


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inline_calculator_uses_the_persons_own_subsidy(prospect_al3: Any,
                                                            agent_al3: Any) -> None:
    url = reverse("participation:enrol", args=[prospect_al3.pk])
    response = client_for(agent_al3).get(url, {"start_month": "2026-04", "income": "2.500.000",
                                               "mode": "quarterly"},
                                         HTTP_HX_REQUEST="true", HTTP_HX_TARGET="quote")
    body = response.content.decode()
    assert "<html" not in body
    categories = facts_for(prospect_al3).categories(date(2026, 4, 1))
    quote = contribution_quote(DAY, 2_500_000, categories, "quarterly",
                               supported_months=supported_before(prospect_al3))
    assert response.context["quote"].total == quote.total
    assert format_vnd(quote.total) in body
    assert format_vnd(quote.net_monthly) in body


def test_enrol_a_prospect_once(prospect_al3: Any, agent_al3: Any) -> None:
    client = client_for(agent_al3)
    url = reverse("participation:enrol", args=[prospect_al3.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["refusal"] is None
    assert "agent" not in page.context["form"].fields  # an agent enrols for themselves
    data = {"start_month": "2026-04", "income": "2.000.000", "mode": "monthly",
            "client_uuid": str(page.context["form"]["client_uuid"].value())}
    response = client.post(url, data)
    participation = Participation.objects.get(person=prospect_al3)
    assert response["Location"] == reverse("participation:detail", args=[participation.pk])
    assert (participation.start_month, participation.income, participation.agent) == (
        date(2026, 4, 1), 2_000_000, agent_al3.agent)
    # enrolled, awaiting its first payment (not yet counted as active)
    assert StatusChange.objects.filter(participation=participation,
                                       new_status="awaiting").exists()
    # the same form sent twice: the first enrolment, not a second one nor an error
    again = client.post(url, data)
    assert again["Location"] == response["Location"]
    assert Participation.objects.filter(person=prospect_al3).count() == 1


def test_an_income_out_of_bounds_is_refused_on_the_form(prospect_al3: Any, director: Any
                                                        ) -> None:
    client = client_for(director)
    url = reverse("participation:enrol", args=[prospect_al3.pk])
    page = client.get(url)
    data = {"start_month": "2026-03", "income": "100.000", "mode": "monthly",
            "client_uuid": str(page.context["form"]["client_uuid"].value()),
            "agent": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Thu nhập phải từ" in response.content.decode()
    assert not Participation.objects.exists()


def test_a_non_prospect_is_refused_with_the_reason(prospect_al3: Any, agent_al3: Any) -> None:
    prospect_al3.si_status = SIStatus.COMPULSORY
    prospect_al3.save()
    client = client_for(agent_al3)
    url = reverse("participation:enrol", args=[prospect_al3.pk])
    page = client.get(url)
    body = page.content.decode()
    assert "Người này đang tham gia BHXH bắt buộc" in body
    assert 'name="enrol"' not in body
    response = client.post(url, {"start_month": "2026-03", "income": "2000000",
                                 "mode": "monthly",
                                 "client_uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    assert response.status_code == 400
    assert "Người này đang tham gia BHXH bắt buộc" in response.content.decode()
    assert not Participation.objects.exists()
    person_page = client.get(reverse("registry:person_detail", args=[prospect_al3.pk]))
    assert person_page.status_code == 200


def test_scoping_and_viewers(prospect_al3: Any, staff_al2: Any, viewer_al1: Any) -> None:
    url = reverse("participation:enrol", args=[prospect_al3.pk])
    assert client_for(staff_al2).get(url).status_code == 404
    assert client_for(viewer_al1).get(url).status_code == 403
    assert client_for(viewer_al1).post(url, {}).status_code == 403
    assert not Participation.objects.exists()


def test_the_declaration_form_carries_the_persons_name(participation_al3: Any,
                                                       agent_al3: Any, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF")
    response = client_for(agent_al3).get(
        reverse("participation:declaration_pdf", args=[participation_al3.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "tk1-ts.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    name = participation_al3.person.full_name
    assert name in text and name.upper() in text
    assert "TK1-TS" in text and "2.000.000" in text and "01/2026" in text
    assert participation_al3.person.village.name in text
    assert "Người kê khai" in text
