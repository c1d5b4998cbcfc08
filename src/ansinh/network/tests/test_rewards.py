"""The rewards register: decisions with the figures they rest on; exports."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ansinh.core.models import User
from ansinh.network.actions import record_reward
from ansinh.network.errors import NetworkError
from ansinh.network.models import CollectionOrganisation, RecipientKind, Reward


def test_director_records_a_reward_with_its_figures(client: Any, director: User) -> None:
    client.force_login(director)
    org = CollectionOrganisation.objects.get(code="UB-AL3")
    figures = {"ratio": 0.62, "fair_rank": 1}
    response = client.post("/chi-tieu/khen-thuong/moi/", {
        "recipient_kind": "organisation", "recipient_name": org.name, "organisation": org.pk,
        "title": "Giấy khen", "reason": "Vượt chỉ tiêu", "period": "2026-Q1",
        "decision_number": "21/QĐ-BHXH", "decision_date": "2026-04-05",
        "figures": json.dumps(figures)})
    assert response.status_code == 302
    reward = Reward.objects.get()
    assert reward.figures == figures and reward.organisation == org
    assert reward.period_start == date(2026, 1, 1) and reward.period_kind == "quarter"
    page = client.get("/chi-tieu/khen-thuong/").content.decode()
    assert "21/QĐ-BHXH" in page and "hạng công bằng: 1" in page
    assert "62,0 %" in page
    client.cookies["django_language"] = "en"  # one decimal separator per page (issue 11)
    page = client.get("/chi-tieu/khen-thuong/").content.decode()
    assert "62.0 %" in page and "62,0 %" not in page


def test_a_reward_needs_a_decision_number(director: User, world: dict[str, Any]) -> None:
    with pytest.raises(NetworkError):
        record_reward(office=world["office"], recipient_kind=RecipientKind.COLLECTIVE,
                      recipient_name="Tổ A", title="Giấy khen", reason="x",
                      decision_number=" ", decision_date=date(2026, 1, 1), actor=director)


def test_rewards_export_xlsx_and_pdf(client: Any, director: User, world: dict[str, Any],
                                     tmp_path: Any) -> None:
    import subprocess

    from openpyxl import load_workbook

    record_reward(office=world["office"], recipient_kind=RecipientKind.PERSON,
                  recipient_name="Hồ Thị Lan", person=world["users"]["canbo1"],
                  title="Giấy khen", reason="Duy trì đóng cao nhất", decision_number="7/QĐ",
                  decision_date=date(2026, 2, 1), actor=director)
    client.force_login(world["users"]["xa1"])  # the register is public within the office
    xlsx = client.get("/chi-tieu/khen-thuong/?export=xlsx")
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx.content)
    values = [cell for row in load_workbook(path).active.iter_rows(values_only=True)
              for cell in row]
    assert "Hồ Thị Lan" in values and "Duy trì đóng cao nhất" in values
    pdf = client.get("/chi-tieu/khen-thuong/?export=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Hồ Thị Lan" in text and "SỔ KHEN THƯỞNG" in text  # the title, as on official forms
