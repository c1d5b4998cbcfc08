"""Counselling: the comparison from the person's own history matches `ansinh calc`; sessions
close cases; lapses and payouts open them; persistence and success tables."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from ansinh.collection.lifecycle import stop
from ansinh.core.templatetags.money import format_vnd
from ansinh.outreach.tests.helpers import pay, prospects
from ansinh.participation.actions import enrol, mark_late
from ansinh.participation.models import Participation
from ansinh.retention import actions
from ansinh.retention.comparison import compare, history_rows
from ansinh.retention.models import CaseStatus, Reason, RetentionCase
from ansinh.retention.persistence import case_success, persistence

ON = date(2026, 3, 31)


def _calc(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("calc", *args, "--json", stdout=out)
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


@pytest.fixture
def paying(prospect_al3: Any, agent_al3: Any) -> Participation:
    """Enrolled January 2025 with 24 months paid before ansinh, twelve months paid here."""
    participation = enrol(prospect_al3, start_month=date(2025, 1, 1), income=2_000_000,
                          mode="quarterly", actor=agent_al3, enrolled_on=date(2025, 1, 5),
                          prior_months=24, prior_supported_months=12)
    for quarter in (1, 4, 7, 10):
        months = [date(2025, quarter + i, 1) for i in range(3)]
        pay(participation, months, agent_al3, date(2025, quarter, 20))
    return participation


def test_the_sheet_figures_match_ansinh_calc(paying: Participation) -> None:
    from ansinh.rules.tree import current_tree

    person = paying.person
    rows = history_rows(paying)
    assert sum(int(r["to"][5:]) - int(r["from"][5:]) + 12 * (int(r["to"][:4]) - int(r["from"][:4]))
               + 1 for r in rows) == 36
    comparison = compare(person, paying, ON, current_tree(paying.office))
    history = json.dumps(rows)
    cash = _calc("lump-sum", "--history", history, "--claim-on", ON.isoformat(),
                 "--ground", "twelve_months_out", "--sex", person.sex,
                 "--birth", person.birth_date.isoformat())
    assert comparison.cash is not None
    assert comparison.cash.amount == cash["amount"]
    assert comparison.cash.contributions_paid == cash["contributions_paid"]
    assert comparison.cash.support_deducted == cash["state_support_received"]
    plan = [*rows, {"from": f"{comparison.resume:%Y-%m}",
                    "to": f"{comparison.kept.reached_month:%Y-%m}",
                    "income": comparison.plan_income, "category": comparison.plan_category}]
    kept = _calc("pension", "--sex", person.sex, "--birth", person.birth_date.isoformat(),
                 "--history", json.dumps(plan), "--today", ON.isoformat())
    assert comparison.kept.monthly_pension == kept["monthly_pension"] > 0
    assert comparison.ledger_paid == sum(
        m.net for m in paying.paid_months.filter(released_by__isnull=True))


def test_the_case_sheet_pdf_shows_the_same_numbers(client: Any, paying: Participation,
                                                   agent_al3: Any, tmp_path: Path) -> None:
    case = actions.open_case(person=paying.person, reason=Reason.WANTS_LUMP_SUM, on=ON,
                             actor=agent_al3)
    client.force_login(agent_al3)
    response = client.get(f"/tu-van/{case.pk}/phieu.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.replace("\u00a0", " ").split())
    from ansinh.rules.tree import current_tree

    comparison = compare(paying.person, paying, timezone.localdate(),
                         current_tree(paying.office))
    assert comparison.cash is not None
    for amount in (comparison.cash.amount, comparison.kept.monthly_pension):
        assert format_vnd(amount).replace("\u00a0", " ") in text
    assert paying.person.full_name in text and "Căn cứ pháp lý" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans" in fonts


def test_a_session_closes_the_case_unless_undecided(client: Any, paying: Participation,
                                                    agent_al3: Any) -> None:
    case = actions.open_case(person=paying.person, reason=Reason.WANTS_LUMP_SUM, on=ON,
                             actor=agent_al3)
    assert actions.open_case(person=paying.person, reason=Reason.LAPSED, on=ON,
                             actor=agent_al3) == case  # one open case a person
    client.force_login(agent_al3)
    page = client.get(f"/tu-van/{case.pk}/")
    assert page.status_code == 200 and 'id="lump-sum"' in page.content.decode()
    client.post(f"/tu-van/{case.pk}/", {"on": "2026-03-31", "outcome": "undecided",
                                       "next_step": "Gặp lại cả gia đình",
                                       "next_step_on": "2026-04-07"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.next_step_on == date(2026, 4, 7)
    client.post(f"/tu-van/{case.pk}/", {"on": "2026-04-07", "outcome": "retained"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, "retained")
    sessions = list(case.sessions.all())
    assert len(sessions) == 2 and sessions[0].figures["lump_sum"] >= 0
    assert sessions[0].figures["monthly_pension"] > 0
    rows = {r.label: r for r in case_success(RetentionCase.objects.all(), "reason")}
    assert rows["Muốn rút BHXH một lần"].retained == 1


def test_lapses_and_payouts_open_cases(paying: Participation, agent_al3: Any,
                                       director: Any) -> None:
    other = prospects("AL3", 1, exclude=(paying.person_id,))[0]
    left = enrol(other, start_month=date(2025, 1, 1), income=2_000_000, mode="monthly",
                 actor=agent_al3, enrolled_on=date(2025, 1, 5))
    stop(left, reason="lump_sum", on=date(2026, 2, 1), actor=director)  # the office records it
    mark_late(paying, on=ON, actor=agent_al3, reason="test")
    assert actions.open_lapse_cases(paying.office, ON) == 2
    assert actions.open_lapse_cases(paying.office, ON) == 0  # idempotent
    cases = {c.person_id: c for c in RetentionCase.objects.all()}
    assert (cases[paying.person_id].reason, cases[paying.person_id].participation) == (
        Reason.LAPSED, paying)
    assert cases[other.pk].reason == Reason.AFTER_PAYOUT


def test_persistence_counts_month_thirteen(paying: Participation, agent_al3: Any) -> None:
    _rows, total = persistence(Participation.objects.all(), "commune", ON)
    assert (total.enrolled, total.due12, total.kept12) == (1, 1, 0)
    pay(paying, [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)], agent_al3,
        date(2026, 1, 10))
    _rows, total = persistence(Participation.objects.all(), "cohort", ON)
    assert (total.due12, total.kept12, total.due24) == (1, 1, 0)
    assert str(total.share12) == "1.000"


def test_viewers_cannot_record_sessions(client: Any, world: Any, viewer_al1: Any,
                                        agent_al3: Any, paying: Participation) -> None:
    case = actions.open_case(person=paying.person, reason=Reason.WANTS_LUMP_SUM, on=ON,
                             actor=agent_al3)
    client.force_login(viewer_al1)
    assert client.get(f"/tu-van/{case.pk}/").status_code == 404  # another commune
    assert client.post("/tu-van/mo/", {"person": paying.person.pk}).status_code == 403
    assert client.get("/tu-van/duy-tri/").status_code == 200


def test_the_command_opens_the_cases(paying: Participation, agent_al3: Any) -> None:
    mark_late(paying, on=ON, actor=agent_al3, reason="test")
    out = StringIO()
    call_command("open-retention-cases", "--on", ON.isoformat(), stdout=out)
    assert "AL: 1" in out.getvalue()
    assert RetentionCase.objects.filter(person=paying.person, reason=Reason.LAPSED).exists()


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(content)
    # reading order (no -layout): the two columns of the comparison are not interleaved
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.replace("\u00a0", " ").split())


def test_the_lump_sum_in_months_of_pension_is_never_rounded_up() -> None:
    from ansinh.rules.presenting import lump_sum_in_pensions

    # 5,06 months once read "khoảng 6 tháng lương hưu"
    assert lump_sum_in_pensions(5_060_000, 1_000_000) == (
        "Số tiền rút một lần chỉ bằng hơn 5 tháng lương hưu.")
    assert "gần 6 tháng" in lump_sum_in_pensions(5_600_000, 1_000_000)
    assert "đúng 5 tháng" in lump_sum_in_pensions(5_000_000, 1_000_000)
    assert "chưa bằng 1 tháng" in lump_sum_in_pensions(600_000, 1_000_000)
    assert lump_sum_in_pensions(0, 1_000_000) == ""


def test_the_sheet_says_the_months_of_pension_exactly_and_the_top_up_per_month(
        client: Any, paying: Participation, agent_al3: Any, tmp_path: Path) -> None:
    from ansinh.policy.money import month_index
    from ansinh.rules.tree import current_tree

    case = actions.open_case(person=paying.person, reason=Reason.WANTS_LUMP_SUM, on=ON,
                             actor=agent_al3)
    client.force_login(agent_al3)
    today = timezone.localdate()
    c = compare(paying.person, paying, today, current_tree(paying.office), ground="emigration")
    assert c.cash is not None and c.cash.amount > 0 and c.allowance is not None
    whole, rest = divmod(c.cash.amount, c.kept.monthly_pension)
    said = (f"hơn {whole} tháng lương hưu" if 2 * rest < c.kept.monthly_pension
            else f"gần {whole + 1} tháng lương hưu")
    total = c.allowance.top_up_to_social_pension_age
    assert total > 0  # a young person: decades to social-pension age
    months = month_index(c.kept.reached_month) - month_index(today)
    assert c.top_up is not None and c.top_up.monthly * c.top_up.months >= total
    assert c.top_up.monthly - 1000 < total / c.top_up.months
    assert abs(c.top_up.months - months) <= 1  # from now to retirement age
    monthly = format_vnd(c.top_up.monthly).replace("\u00a0", " ")
    pages = {
        "sheet": _pdf_text(client.get(f"/tu-van/{case.pk}/phieu.pdf?ground=emigration").content,
                           tmp_path),
        "page": " ".join(client.get(f"/tu-van/{case.pk}/?ground=emigration").content.decode()
                         .replace("\u00a0", " ").split()),
    }
    for name, text in pages.items():
        assert said in text, name
        assert "khoảng" not in text.split("tháng lương hưu")[0][-40:], name
        assert f"để dành {monthly} mỗi tháng trong {c.top_up.duration}" in text, name
        assert "Đóng thêm để được nhận" not in text, name


def test_a_refused_lump_sum_on_the_sheet_says_why_instead_of_zero(
        client: Any, paying: Participation, agent_al3: Any, tmp_path: Path) -> None:
    """Paid up to last month: the months out are too few for the default ground."""
    case = actions.open_case(person=paying.person, reason=Reason.WANTS_LUMP_SUM, on=ON,
                             actor=agent_al3)
    client.force_login(agent_al3)
    text = _pdf_text(client.get(f"/tu-van/{case.pk}/phieu.pdf").content, tmp_path)
    assert "Bây giờ chưa được rút, nên chưa nhận được đồng nào." in text
    assert not re.search(r"(?<![\d.])0 ₫", text)  # no amount of nothing
