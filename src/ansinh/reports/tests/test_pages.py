"""Progress pages per role: what each persona sees, drill-downs, exports, query counts."""

from __future__ import annotations

import subprocess
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ansinh.core.models import User
from ansinh.core.periods import parse_period
from ansinh.network.actions import set_target
from ansinh.network.models import Agent, Metric, Target, UnitKind
from ansinh.participation.models import Participation
from ansinh.registry.models import Commune

Q = {"as_of": "2026-03-31", "period": "2026"}


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_director_dashboard_shows_office_figure_over_target(client: Client, director: User,
                                                           targets: Target) -> None:
    response = _login(client, director).get("/bao-cao/", Q)
    assert response.status_code == 200
    main = response.context["main"]
    from ansinh.reports import metrics
    from ansinh.reports.metrics import Window

    assert director.office is not None
    active = metrics.total(director.office, Metric.ACTIVE,
                           Window(parse_period("2026"), date(2026, 3, 31)))
    assert main["row"].achieved == active and main["row"].target == 200
    assert f">{active}</a> <span class=\"of\">/ 200</span>" in response.content.decode()
    assert [name for name in response.context["chart"]["communes"]] == [
        "A Lưới 1", "A Lưới 2", "A Lưới 3", "A Lưới 4", "A Lưới 5"]


def test_viewer_sees_their_commune_only(client: Client, viewer_al1: User,
                                        targets: Target) -> None:
    _login(client, viewer_al1)
    dashboard = client.get("/bao-cao/", Q)
    assert dashboard.context["main"]["row"].unit.name == "A Lưới 1"
    assert dashboard.context["chart"]["communes"] == ["A Lưới 1"]
    table = client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    codes = [cells[0][1] for cells, _link in table.context["lines"]]
    assert codes == ["AL1"]
    # other breakdowns fall back to what a viewer may open
    agents = client.get("/bao-cao/tien-do/", {**Q, "by": "agent"})
    assert agents.context["params"].by == "commune"
    al2 = Commune.objects.get(code="AL2")
    assert client.get("/bao-cao/danh-sach/", {**Q, "unit": f"commune:{al2.id}"}).status_code \
        == 404
    assert client.get("/bao-cao/danh-sach/", {**Q, "unit": "office"}).status_code == 404
    al1 = Commune.objects.get(code="AL1")
    people = client.get("/bao-cao/danh-sach/", {**Q, "unit": f"commune:{al1.id}"})
    assert people.status_code == 200
    assert all(cells[3][1] == "A Lưới 1" for cells in people.context["display"])


def test_staff_sees_their_territory_and_own_target(client: Client, staff_al2: User,
                                                   targets: Target, director: User) -> None:
    assert staff_al2.office is not None
    set_target(office=staff_al2.office, period=parse_period("2026"), metric=Metric.ACTIVE,
               unit_kind=UnitKind.STAFF, unit=staff_al2, value=40,
               effective_on=date(2026, 1, 1), actor=director)
    _login(client, staff_al2)
    main = client.get("/bao-cao/", Q).context["main"]
    assert main["row"].unit.kind == "staff" and main["row"].target == 40
    expected = Participation.objects.filter(village__commune__code="AL2")
    assert main["row"].achieved <= expected.count()
    table = client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    assert [cells[0][1] for cells, _l in table.context["lines"]] == ["AL2"]
    staff = client.get("/bao-cao/tien-do/", {**Q, "by": "staff"})
    assert [cells[0][1] for cells, _l in staff.context["lines"]] == ["canbo2"]


def test_agent_sees_own_target_and_rank(client: Client, agent_al3: User, targets: Target,
                                        director: User) -> None:
    agent = Agent.objects.get(user=agent_al3)
    assert agent_al3.office is not None
    set_target(office=agent_al3.office, period=parse_period("2026"), metric=Metric.ACTIVE,
               unit_kind=UnitKind.AGENT, unit=agent, value=12,
               effective_on=date(2026, 1, 1), actor=director)
    _login(client, agent_al3)
    response = client.get("/bao-cao/", Q)
    main = response.context["main"]
    assert main["row"].unit.code == agent.code and main["row"].target == 12
    assert main["row"].achieved == len([
        p for p in Participation.objects.filter(agent=agent)
        if p.enrolled_on <= date(2026, 3, 31)
        and _status(p, date(2026, 3, 31)) in ("active", "late")])
    rank = response.context["rank"]
    assert rank["of"] == Agent.objects.count() and 1 <= rank["item"].fair_rank <= rank["of"]
    table = client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    assert [cells[0][1] for cells, _l in table.context["lines"]] == [agent.code]
    other = Agent.objects.exclude(pk=agent.pk).first()
    assert other is not None
    assert client.get("/bao-cao/danh-sach/", {**Q, "unit": f"agent:{other.pk}"}
                      ).status_code == 404
    own = client.get("/bao-cao/danh-sach/", {**Q, "unit": f"agent:{agent.pk}"})
    assert own.status_code == 200 and own.context["page"].paginator.count == main["row"].achieved


def _status(participation: Participation, day: date) -> str:
    changes = sorted((c for c in participation.status_changes.all() if c.on <= day),
                     key=lambda c: (c.on, c.id))
    return changes[-1].new_status if changes else ""


def test_drill_down_lists_exactly_the_people_counted(client: Client, director: User,
                                                     targets: Target) -> None:
    _login(client, director)
    table = client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    for cells, link in table.context["lines"]:
        achieved = int(cells[3][1].replace(".", ""))
        people = client.get(link)
        assert people.context["page"].paginator.count == achieved


def test_director_sees_every_breakdown_and_a_total_row(client: Client, director: User,
                                                       targets: Target) -> None:
    _login(client, director)
    for by in ("commune", "village", "staff", "agent", "organisation", "office"):
        response = client.get("/bao-cao/tien-do/", {**Q, "by": by})
        assert response.status_code == 200, by
    communes = client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    footer = communes.context["footer"][0]
    assert footer[2][1] == "200"


def test_progress_page_queries_do_not_grow_with_rows(client: Client, director: User,
                                                     targets: Target) -> None:
    _login(client, director)
    with CaptureQueriesContext(connection) as villages:
        client.get("/bao-cao/tien-do/", {**Q, "by": "village"})
    with CaptureQueriesContext(connection) as communes:
        client.get("/bao-cao/tien-do/", {**Q, "by": "commune"})
    assert len(villages) <= len(communes) + 1 < 20
    with CaptureQueriesContext(connection) as people:
        client.get("/bao-cao/danh-sach/", {**Q, "unit": "office"})
    assert len(people) < 10


@pytest.mark.parametrize("by", ["commune", "agent"])
def test_exports_carry_the_page_numbers_with_diacritics(client: Client, director: User,
                                                        targets: Target, tmp_path: Any,
                                                        by: str) -> None:
    from openpyxl import load_workbook

    _login(client, director)
    page = client.get("/bao-cao/tien-do/", {**Q, "by": by})
    names = [cells[1][1] for cells, _l in page.context["lines"]]
    xlsx = client.get("/bao-cao/tien-do/", {**Q, "by": by, "export": "xlsx"})
    (tmp_path / "t.xlsx").write_bytes(xlsx.content)
    values = [cell for row in load_workbook(tmp_path / "t.xlsx").active.iter_rows(
        values_only=True) for cell in row]
    assert all(name in values for name in names)
    pdf = client.get("/bao-cao/tien-do/", {**Q, "by": by, "export": "pdf"})
    (tmp_path / "t.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "TIẾN ĐỘ NGƯỜI ĐANG THAM GIA" in text  # the title, as on official forms
    assert all(name in text for name in names[:5])


def test_ranking_page_explains_and_proposes(client: Client, director: User,
                                            targets: Target) -> None:
    _login(client, director)
    response = client.get("/bao-cao/xep-hang/", {**Q, "by": "commune"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hệ số khó khăn = 1 +" in body and "cơ quan = 100" in body
    ranks = sorted(cells[0][1] for cells in response.context["display"])
    assert ranks == ["1", "2", "3", "4", "5"]
    for item, url in response.context["proposed"]:
        assert item.fair > 100 and url.startswith("/chi-tieu/khen-thuong/moi/?")
    pdf = client.get("/bao-cao/xep-hang/", {**Q, "by": "commune", "export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"


def test_viewers_are_read_only(client: Client, viewer_al1: User, targets: Target) -> None:
    _login(client, viewer_al1)
    assert client.post("/bao-cao/", Q).status_code == 405
    assert client.post("/bao-cao/tien-do/", Q).status_code == 405


@pytest.mark.parametrize("who", ["staff_al2", "viewer_al1", "agent_al3", "director",
                                 "one_village"])
def test_a_territory_dashboard_reads_its_villages_alone_and_shows_the_same(
        client: Client, targets: Target, world: dict[str, Any], who: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures by village are read for the villages the page shows (a territory's whole
    communes) and not the office's others; what it shows is what reading them all shows."""
    from ansinh.network.models import Assignment
    from ansinh.registry.models import Village
    from ansinh.reports import views

    if who == "one_village":  # a staff member answering for one village of a commune
        user = User.objects.create(username="canbo_thon", role="staff", office=world["office"])
        Assignment.objects.create(user=user, village=Village.objects.filter(
            commune__code="AL4").order_by("id").first(), starts_on=date(2025, 1, 1))
    else:
        user = world["users"][{"staff_al2": "canbo2", "viewer_al1": "xa1",
                               "agent_al3": "thu31", "director": "giamdoc"}[who]]
    _login(client, user)
    shown: list[set[int] | None] = []
    scoped = views._shown_villages

    def remembering(*args: Any) -> set[int] | None:
        shown.append(scoped(*args))
        return shown[-1]

    for query in (Q, {**Q, "metric": Metric.MONEY}, {**Q, "period": "2026-Q1"}):
        monkeypatch.setattr(views, "_shown_villages", remembering)
        page = client.get("/bao-cao/", query)
        monkeypatch.setattr(views, "_shown_villages", lambda *args: None)
        every = client.get("/bao-cao/", query)
        assert [(c["metric"], c["row"]) for c in page.context["cards"]] == \
            [(c["metric"], c["row"]) for c in every.context["cards"]]
        assert page.context["commune_rows"] == every.context["commune_rows"]
        assert page.context["chart"] == every.context["chart"]
    villages = Village.objects.filter(commune__office=world["office"]).count()
    if who == "director":
        assert shown[-1] is None
    else:  # fewer villages than the office's: the scope was taken
        assert shown[-1] is not None and len(shown[-1]) < villages
