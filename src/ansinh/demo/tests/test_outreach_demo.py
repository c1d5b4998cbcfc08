"""The demo data: events, contacts and retention cases consistent with the participations."""

from __future__ import annotations

from datetime import date
from typing import Any

from ansinh.outreach import funnel, worklist
from ansinh.outreach.models import Contact, Event

AS_OF = date(2026, 3, 31)


def test_demo_outreach_and_retention_follow_the_participations(world: Any,
                                                               agent_al3: Any) -> None:
    from ansinh.demo.money import seed_demo as seed_money
    from ansinh.demo.outreach import seed_demo
    from ansinh.demo.retention import seed_demo as seed_retention
    from ansinh.retention.models import RetentionCase
    from ansinh.retention.persistence import case_success

    office = world["office"]
    seed_money(office, AS_OF, 7)
    seed_demo(office, AS_OF, 7)
    seed_retention(office, AS_OF, 7)
    assert Event.objects.filter(kind="conference").exists()
    rows, total = funnel.funnel(Contact.objects.all(), Event.objects.all(), "kind",
                                as_of=AS_OF, window_days=90)
    kinds = {r.key: r for r in rows}
    assert kinds["conference"].enrolled > 0  # some conference enrolments
    assert kinds[None].enrolled > 0  # door-to-door visits (no event)
    assert total.first_paid > 0 and total.cost > 0
    outcomes = {r.label: r for r in case_success(RetentionCase.objects.all(), "reason")}
    assert sum(r.retained + r.changed for r in outcomes.values()) > 0
    assert sum(r.withdrew for r in outcomes.values()) >= 0
    assert RetentionCase.objects.exists()
    work = worklist.build(agent_al3, AS_OF, "week")
    assert work.lines > 0
    # deterministic: the same seed builds the same rows
    assert Contact.objects.count() == len(set(Contact.objects.values_list("id", flat=True)))


def test_bench_measures_the_worklist_and_the_funnel_beside_sql(world: Any, settings: Any) -> None:
    from ansinh.demo.money import seed_demo as seed_money
    from ansinh.demo.outreach import seed_demo
    from ansinh.outreach import bench

    settings.DEMO_AS_OF = AS_OF.isoformat()
    seed_money(world["office"], AS_OF, 7)
    seed_demo(world["office"], AS_OF, 7)
    figures = bench.measure()
    for key in ("worklist_one_agent_s", "worklist_all_agents_s", "worklist_sql_s",
                "funnel_s", "funnel_sql_s", "funnel_ratio", "worklist_ratio"):
        assert figures[key] > 0, key
    assert figures["contacts"] == Contact.objects.count()
