"""The demo has returning workers (issue 16 §4): compulsory years declared from VssID before
they joined here, most of them counselled and kept; the counselling sheet for one of them shows
what `ansinh calc` gives for the same history."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from ansinh.retention.comparison import compare, history_rows
from ansinh.retention.models import DeclaredPeriod, Outcome, Reason, RetentionCase
from ansinh.rules.tree import current_tree

AS_OF = date(2026, 3, 31)


def _calc(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("calc", *args, "--json", stdout=out)
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def test_returning_workers_are_counselled_and_their_sheet_matches_ansinh_calc(
        world: Any, client: Any) -> None:
    from ansinh.demo.money import seed_demo as seed_money
    from ansinh.demo.retention import seed_demo as seed_retention

    office = world["office"]
    seed_money(office, AS_OF, 7)
    seed_retention(office, AS_OF, 7)
    returning = set(DeclaredPeriod.objects.values_list("person_id", flat=True))
    assert len(returning) >= 3
    assert set(DeclaredPeriod.objects.values_list("kind", flat=True)) == {"compulsory"}
    cases = RetentionCase.objects.filter(person_id__in=returning, reason=Reason.WANTS_LUMP_SUM)
    assert cases.filter(outcome=Outcome.RETAINED).exists()
    case = cases.select_related("person", "participation").order_by("id").first()
    assert case is not None
    comparison = compare(case.person, case.participation, AS_OF, current_tree(office))
    assert comparison.compulsory_months > 0
    rows = history_rows(case.participation)
    cash = _calc("lump-sum", "--history", json.dumps(rows), "--claim-on", AS_OF.isoformat(),
                 "--ground", "twelve_months_out", "--sex", case.person.sex,
                 "--birth", case.person.birth_date.isoformat())
    assert comparison.cash is not None
    assert comparison.cash.amount == cash["amount"]
    plan = [*rows, {"from": f"{comparison.resume:%Y-%m}",
                    "to": f"{comparison.kept.reached_month:%Y-%m}",
                    "income": comparison.plan_income, "category": comparison.plan_category}]
    kept = _calc("pension", "--sex", case.person.sex, "--birth",
                 case.person.birth_date.isoformat(), "--history", json.dumps(plan),
                 "--today", AS_OF.isoformat())
    assert comparison.kept.monthly_pension == kept["monthly_pension"]
    past = [r for r in rows if r["from"] <= f"{AS_OF:%Y-%m}"]
    survivors = _calc("survivors", "--history", json.dumps(past), "--death-on",
                      AS_OF.isoformat())
    assert comparison.survivors is not None
    assert comparison.survivors.one_time_allowance == survivors["one_time_allowance"]
    # the page a counsellor opens shows those numbers
    from ansinh.core.templatetags.money import format_vnd

    client.force_login(world["users"]["giamdoc"])
    page = client.get(reverse("retention:case_detail", args=[case.pk]),
                      {"ground": "twelve_months_out"}).content.decode()
    assert format_vnd(cash["amount"]) in page
    assert format_vnd(survivors["one_time_allowance"]) in page
    assert 'id="declared-months"' in page
