"""What a villager reads after a calculation: the result before the form, plain words, a reason
instead of a bare "0 ₫", the legal references folded away, and whom to call."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine

from ansinh.core.templatetags.money import format_vnd
from ansinh.network.models import Agent, Assignment
from ansinh.policy import ContributionPeriod, lump_sum
from ansinh.registry.models import Village

from .test_views import CASH_OUT, _text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(date(2026, 11, 28), tick=False):
        yield

BENEFITS = {"sex": "M", "birth": "1980", "category": "other", "paid_years": "5",
            "paid_months": "0"}


def test_the_result_comes_before_the_form(client: Any) -> None:
    for url, query in (("/tinh/dong-bao-nhieu/", {}), ("/tinh/nhan-gi/", BENEFITS),
                       ("/tinh/rut-mot-lan/", CASH_OUT)):
        html = client.get(url, query).content.decode()
        assert 'class="card result"' in html, url
        assert html.index('id="result"') < html.index('<form class="card calc-form"'), url


def test_the_labels_and_lines_use_plain_words(client: Any) -> None:
    pay = _text(client.get("/tinh/dong-bao-nhieu/"))
    assert "Mức thu nhập bạn chọn để đóng" in pay and "căn cứ đóng" not in pay
    benefits = _text(client.get("/tinh/nhan-gi/", BENEFITS))
    # 5 years paid, then on from 12/2026 to 62 years (01/2042): "278 (23,5 năm)" before
    months = re.search(r"Tổng thời gian đóng (\d+) tháng \((\d+) năm( (\d+) tháng)?\)", benefits)
    assert months, benefits
    total, years, rest = int(months[1]), int(months[2]), int(months[4] or 0)
    assert total == 12 * years + rest
    assert not re.search(r"\d+ \(\d+,\d+ năm\)", benefits)


def test_a_refused_cash_out_says_why_instead_of_zero(client: Any) -> None:
    """Paid up to last month: the months out are too few. No "0 ₫" amount; the reason, and when
    and how much it would be."""
    query = {**CASH_OUT, "last_paid": "2026-10"}
    response = client.get("/tinh/rut-mot-lan/", query)
    html = response.content.decode()
    assert 'data-key="amount"' not in html
    text = _text(response)
    assert "Bây giờ chưa được rút, nên chưa nhận được đồng nào." in text
    assert "12 tháng" in text  # the reason: fewer than 12 months without contributions
    past = [ContributionPeriod(date(2018, 8, 1), date(2026, 10, 1), 2_000_000, "poor")]
    later = lump_sum(past, date(2027, 11, 1), "twelve_months_out", None, "F", date(1980, 1, 1))
    assert later.allowed and later.amount > 0
    said = format_vnd(later.amount).replace("\u00a0", " ")
    assert f"sớm nhất từ tháng 11/2027 mới được rút; khi đó nhận khoảng {said}" in text


def test_the_legal_references_are_folded_away(client: Any) -> None:
    html = client.get("/tinh/rut-mot-lan/", CASH_OUT).content.decode()
    assert "Decree 159/2025" in html or "Nghị định 159/2025" in html
    folded = "".join(re.findall(r"<details.*?</details>", html, re.S))
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "159/2025" in folded and "159/2025" not in outside


def test_the_office_phone_is_the_call_to_action(client: Any, world: dict[str, Any]) -> None:
    office = world["office"]
    office.phone = "0234 3878 207"
    office.save()
    html = client.get("/tinh/rut-mot-lan/", CASH_OUT).content.decode()
    assert 'href="tel:02343878207"' in html and "Gọi 0234 3878 207" in html


def test_a_village_link_names_its_agent_and_their_phone(client: Any,
                                                        world: dict[str, Any]) -> None:
    assignment = (Assignment.objects.filter(user__agent__isnull=False, ends_on__isnull=True)
                  .select_related("commune", "village").order_by("id").first())
    assert assignment is not None
    village = assignment.village or Village.objects.filter(commune=assignment.commune).first()
    assert village is not None
    agent = Agent.objects.get(user=assignment.user)
    agent.user.phone = "0912 345 678"
    agent.user.save()
    for query in ({"thon": village.code}, {"nv": agent.code}):
        response = client.get("/tinh/nhan-gi/", {**BENEFITS, **query})
        html = response.content.decode()
        assert 'data-key="agent_phone" href="tel:0912345678"' in html, query
        assert agent.user.display_name in _text(response), query
        # the tabs and the form carry the place to the other questions
        key, value = next(iter(query.items()))
        assert f'href="/tinh/rut-mot-lan/?{key}={value}"' in html, query
        assert f'<input type="hidden" name="{key}" value="{value}">' in html, query


def test_an_agents_link_opens_an_empty_form_not_a_page_of_errors(
        client: Any, world: dict[str, Any]) -> None:
    """A link that only names the village (the agent hands it out) asks nothing yet."""
    village = Village.objects.order_by("id").first()
    assert village is not None
    for path in ("/tinh/nhan-gi/", "/tinh/rut-mot-lan/"):
        response = client.get(path, {"thon": village.code})
        assert response.status_code == 200, path
        assert "Cần điền mục này" not in response.content.decode(), path
