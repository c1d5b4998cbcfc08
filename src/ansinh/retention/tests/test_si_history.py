"""The person's own SI history (issue 16 §2): periods declared from VssID, entered by hand, by
a paste or an upload, through one write path, kept apart from the office's receipts and used
in the counselling comparison, which `ansinh calc` reproduces."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ansinh.core.errors import Refused
from ansinh.core.models import AuditEntry
from ansinh.outreach.tests.helpers import pay
from ansinh.participation.actions import enrol
from ansinh.registry.models import Person
from ansinh.retention import history
from ansinh.retention.comparison import compare, history_rows
from ansinh.retention.models import DeclaredPeriod, PeriodSource
from ansinh.rules.tree import current_tree

ON = date(2026, 3, 31)
FACTORY = [
    {"from": "2012-01", "to": "2019-12", "income": 5_000_000, "kind": "compulsory",
     "employer": "Công ty TNHH May Huế"},
    {"from": "2020-01", "to": "2021-06", "income": 6_500_000, "kind": "compulsory"},
]


def _calc(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("calc", *args, "--json", stdout=out)
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def test_declared_periods_join_the_history_and_the_comparison_matches_ansinh_calc(
        prospect_al3: Person, agent_al3: Any) -> None:
    history.declare(prospect_al3, FACTORY, source=PeriodSource.HAND, actor=agent_al3)
    rows = history_rows(None, prospect_al3)
    assert rows == [
        {"from": "2012-01", "to": "2019-12", "income": 5_000_000, "kind": "compulsory",
         "declared": True},
        {"from": "2020-01", "to": "2021-06", "income": 6_500_000, "kind": "compulsory",
         "declared": True}]
    comparison = compare(prospect_al3, None, ON, current_tree(prospect_al3.office),
                         plan_income=2_000_000)
    assert (comparison.months, comparison.declared_months, comparison.compulsory_months) == (
        114, 114, 114)
    cash = _calc("lump-sum", "--history", json.dumps(rows), "--claim-on", ON.isoformat(),
                 "--ground", "twelve_months_out", "--sex", prospect_al3.sex,
                 "--birth", prospect_al3.birth_date.isoformat())
    assert comparison.cash is not None
    assert (comparison.cash.amount, comparison.cash.months_compulsory) == (cash["amount"], 114)
    assert comparison.cash.allowed  # compulsory SI before 2025-07: the 12-months-out ground
    plan = [*rows, {"from": f"{comparison.resume:%Y-%m}",
                    "to": f"{comparison.kept.reached_month:%Y-%m}", "income": 2_000_000,
                    "category": comparison.plan_category}]
    kept = _calc("pension", "--sex", prospect_al3.sex, "--birth",
                 prospect_al3.birth_date.isoformat(), "--history", json.dumps(plan),
                 "--today", ON.isoformat())
    assert comparison.kept.monthly_pension == kept["monthly_pension"]
    assert comparison.kept.months_compulsory == 114
    entry = AuditEntry.objects.get(action="person.si_history.declare")
    assert entry.object_id == str(prospect_al3.pk)


def test_a_month_paid_here_wins_over_the_same_month_declared(prospect_al3: Person,
                                                             agent_al3: Any,
                                                             receipt_book_al3: Any) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5))
    pay(participation, [date(2026, 1, 1), date(2026, 2, 1)], agent_al3, date(2026, 2, 10))
    history.declare(prospect_al3, [{"from": "2025-07", "to": "2026-01", "income": 3_000_000,
                                    "kind": "voluntary"}],
                    source=PeriodSource.HAND, actor=agent_al3)
    rows = history_rows(participation)
    assert rows == [
        {"from": "2025-07", "to": "2025-12", "income": 3_000_000, "category": "other",
         "kind": "voluntary", "declared": True},
        {"from": "2026-01", "to": "2026-02", "income": 2_000_000, "category": rows[1]["category"]}]


@pytest.mark.parametrize(("rows", "says"), [
    ([{"from": "2007-06", "to": "2009-01", "income": 1_500_000, "kind": "voluntary"}],
     "2008"),
    ([{"from": "2015-01", "to": "2016-12", "income": 5_000_000, "kind": "compulsory"},
      {"from": "2016-06", "to": "2017-12", "income": 5_000_000, "kind": "compulsory"}],
     "2016-06"),
    ([{"from": "2015-01", "to": "2014-12", "income": 5_000_000, "kind": "compulsory"}],
     "2014-12"),
    ([{"from": "2015-01", "to": "2015-12", "income": 0, "kind": "compulsory"}], "income"),
])
def test_a_wrong_period_is_refused_and_nothing_is_written(prospect_al3: Person,
                                                          agent_al3: Any,
                                                          rows: list[dict[str, Any]],
                                                          says: str) -> None:
    with pytest.raises(Refused) as refused:
        history.declare(prospect_al3, rows, source=PeriodSource.HAND, actor=agent_al3)
    assert says in refused.value.en or says in refused.value.vi
    assert not DeclaredPeriod.objects.exists()


def test_a_period_overlapping_one_already_declared_is_refused(prospect_al3: Person,
                                                              agent_al3: Any) -> None:
    history.declare(prospect_al3, FACTORY[:1], source=PeriodSource.HAND, actor=agent_al3)
    with pytest.raises(Refused, match="2019-12"):
        history.declare(prospect_al3, [{"from": "2019-12", "to": "2020-05",
                                        "income": 5_000_000, "kind": "compulsory"}],
                        source=PeriodSource.HAND, actor=agent_al3)
    assert DeclaredPeriod.objects.count() == 1


def test_another_communes_agent_and_a_viewer_cannot_declare(prospect_al3: Person,
                                                            agent_al1: Any,
                                                            viewer_al1: Any) -> None:
    for actor in (agent_al1, viewer_al1):
        with pytest.raises(Refused):
            history.declare(prospect_al3, FACTORY, source=PeriodSource.HAND, actor=actor)
    assert not DeclaredPeriod.objects.exists()


def test_remove_is_audited(prospect_al3: Person, agent_al3: Any) -> None:
    (period,) = history.declare(prospect_al3, FACTORY[:1], source=PeriodSource.HAND,
                                actor=agent_al3)
    history.remove(period, actor=agent_al3)
    assert not DeclaredPeriod.objects.exists()
    assert AuditEntry.objects.filter(action="person.si_history.remove").count() == 1


# ---- the page ----


def _page(prospect: Person) -> str:
    return reverse("retention:si_history", args=[prospect.pk])


def test_the_page_adds_a_period_by_hand(client: Any, prospect_al3: Person,
                                        agent_al3: Any) -> None:
    client.force_login(agent_al3)
    response = client.post(_page(prospect_al3), {
        "action": "add", "kind": "compulsory", "start": "2012-01", "end": "12/2019",
        "income": "5000000", "employer": "Công ty TNHH May Huế", "category": "other"})
    assert response.status_code == 302
    period = DeclaredPeriod.objects.get()
    assert (period.start_month, period.end_month, period.months, period.source) == (
        date(2012, 1, 1), date(2019, 12, 1), 96, "hand")
    page = client.get(_page(prospect_al3)).content.decode()
    assert "Công ty TNHH May Huế" in page
    assert "chưa được cơ quan xác minh" in page


PASTE = ("Quá trình tham gia BHXH bắt buộc\n"
         "Từ tháng\tĐến tháng\tĐơn vị\tTiền lương\n"
         "01/2012\t12/2019\tCông ty TNHH May Huế\t4.500.000\n"
         "BHXH tự nguyện\n"
         "01/2022\t06/2023\t\t1.500.000\n")


def test_a_pasted_table_is_saved_whole_or_not_at_all(client: Any, prospect_al3: Person,
                                                     agent_al3: Any) -> None:
    client.force_login(agent_al3)
    bad = PASTE + "khoảng năm 2024 làm thời vụ\n"
    response = client.post(_page(prospect_al3), {"action": "paste", "text": bad,
                                                  "default_kind": "compulsory"})
    assert response.status_code == 400
    assert 'id="line-errors"' in response.content.decode()
    assert "khoảng năm 2024" in response.content.decode()  # the text stays to correct
    assert not DeclaredPeriod.objects.exists()
    response = client.post(_page(prospect_al3), {"action": "paste", "text": PASTE,
                                                  "default_kind": "compulsory"})
    assert response.status_code == 302
    assert [(p.kind, p.months, p.income) for p in DeclaredPeriod.objects.all()] == [
        ("compulsory", 96, 4_500_000), ("voluntary", 18, 1_500_000)]


def test_an_uploaded_workbook_is_read(client: Any, prospect_al3: Person,
                                      staff_al2: Any, agent_al3: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Từ tháng", "Đến tháng", "Đơn vị công tác", "Tiền lương", "Loại"])
    sheet.append(["01/2010", "12/2014", "Nhà máy gạch A Lưới", 3_200_000, "Bắt buộc"])
    sheet.append(["01/2015", "06/2016", "", 1_500_000, "Tự nguyện"])
    data = io.BytesIO()
    book.save(data)
    client.force_login(agent_al3)
    upload = SimpleUploadedFile("quatrinh.xlsx", data.getvalue())
    response = client.post(_page(prospect_al3), {"action": "upload", "file": upload,
                                                  "default_kind": "compulsory"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(p.kind, p.months, p.source) for p in DeclaredPeriod.objects.all()] == [
        ("compulsory", 60, "upload"), ("voluntary", 18, "upload")]


def test_the_page_is_the_territorys(client: Any, prospect_al3: Person, agent_al1: Any,
                                    viewer_al1: Any, agent_al3: Any) -> None:
    client.force_login(agent_al1)  # another commune: the person does not exist for them
    assert client.get(_page(prospect_al3)).status_code == 404
    assert client.post(_page(prospect_al3), {"action": "add"}).status_code == 404
    (period,) = history.declare(prospect_al3, FACTORY[:1], source=PeriodSource.HAND,
                                actor=agent_al3)
    assert client.post(_page(prospect_al3), {"action": "remove",
                                             "period": period.pk}).status_code == 404
    assert DeclaredPeriod.objects.count() == 1


def test_a_hostile_post_is_answered_not_crashed(client: Any, prospect_al3: Person,
                                                agent_al3: Any) -> None:
    client.force_login(agent_al3)
    for data in ({"action": "remove", "period": "1 OR 1=1"}, {"action": "nothing"},
                 {"action": "add", "start": "9999-99", "end": "x", "income": "-5"},
                 {"action": "paste", "text": "1/" * 90_000, "default_kind": "compulsory"}):
        response = client.post(_page(prospect_al3), data)
        assert response.status_code in (400, 404), data
    assert not DeclaredPeriod.objects.exists()


def test_an_older_returning_worker_is_told_the_months_missing_and_their_cost(
        prospect_al3: Person, agent_al3: Any) -> None:
    # born 1968-05: paying on from 2026-04 to the retirement age still leaves the 96 compulsory
    # months short of 15 years; the lump for the rest is what `ansinh calc missing-period` says
    Person.objects.filter(pk=prospect_al3.pk).update(birth_date=date(1968, 5, 10))
    person = Person.objects.get(pk=prospect_al3.pk)
    history.declare(person, [{"from": "2010-01", "to": "2017-12", "income": 5_000_000,
                              "kind": "compulsory"}], source=PeriodSource.HAND, actor=agent_al3)
    comparison = compare(person, None, ON, current_tree(person.office), plan_income=2_000_000)
    assert not comparison.kept.eligible
    missing = comparison.missing
    assert missing is not None and missing.allowed
    # counted to the month before the age, when the lump may be paid
    assert missing.months_missing == 180 - missing.months_contributed > 0
    rows = history_rows(None, person)
    plan = [*rows, {"from": f"{comparison.resume:%Y-%m}",
                    "to": f"{comparison.kept.reached_month:%Y-%m}", "income": 2_000_000,
                    "category": comparison.plan_category}]
    calc = _calc("missing-period", "--sex", person.sex, "--birth", "1968-05-10",
                 "--history", json.dumps(plan), "--on", missing.on.isoformat(),
                 "--income", str(missing.income))
    assert (missing.months_missing, missing.total) == (calc["months_missing"], calc["total"])
    assert comparison.figures()["missing_lump"] == calc["total"]


def test_the_sheet_says_what_the_relatives_may_pay_under_decree_158() -> None:
    """A history whose last period is compulsory, 6 months short of the monthly survivors'
    allowance: the case page and sheet say the relatives may pay them (D158 Art. 21(3)(a))."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from ansinh.policy import parse_history, survivors

    result = survivors(parse_history([
        {"from": "2015-01", "to": "2029-06", "salary": 8_000_000, "kind": "compulsory"}]),
        date(2029, 7, 15))
    assert result.relatives_may_pay_months == 6
    said = " ".join(render_to_string("retention/_survivors.html",
                                     {"c": SimpleNamespace(survivors=result)}).split())
    assert "đóng một lần 6 tháng BHXH bắt buộc còn thiếu (10.560.000" in said
    with translation.override("en"):
        said = " ".join(render_to_string("retention/_survivors.html",
                                         {"c": SimpleNamespace(survivors=result)}).split())
    assert "pay the 6 missing months of compulsory SI in one sum (10,560,000" in said
