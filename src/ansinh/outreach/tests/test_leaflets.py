"""Leaflets: an A5 PDF whose numbers come from the engine for the day, with the agent's name;
an office's own version in a local language replaces the built-in text."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from ansinh.core.templatetags.money import format_vnd
from ansinh.outreach import actions, leaflets
from ansinh.policy import contribution_quote, income_bounds, load_default_tree


def _text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return " ".join(text.replace("\u00a0", " ").split()), info


def test_the_leaflet_is_a5_with_the_engines_numbers_and_the_agent(
    client: Any, agent_al3: Any, tmp_path: Path
) -> None:
    agent_al3.phone = "0912345678"
    agent_al3.save()
    client.force_login(agent_al3)
    on = date(2026, 3, 31)
    response = client.get("/van-dong/to-roi.pdf", {"on": on.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, info = _text(response.content, tmp_path)
    assert "419.528 x 595.276 pts" in info  # A5: 148 × 210 mm
    tree = load_default_tree()
    floor = income_bounds(on, tree).floor
    for category in ("poor", "near_poor", "ethnic_minority", "other"):
        net = contribution_quote(on, floor, (category,), tree=tree).net_monthly
        assert format_vnd(net).replace("\u00a0", " ") in text, category
    assert agent_al3.display_name in text and "0912345678" in text
    assert "Vì sao không nên rút" in text


def test_the_numbers_follow_the_day(world: Any) -> None:
    tree = load_default_tree()
    before = leaflets.facts(date(2025, 6, 30), tree)
    after = leaflets.facts(date(2026, 3, 31), tree)
    assert before.floor == income_bounds(date(2025, 6, 30), tree).floor
    assert [p[1] for p in after.payments] == [
        contribution_quote(date(2026, 3, 31), after.floor, (c,), tree=tree).net_monthly
        for c in ("poor", "near_poor", "ethnic_minority", "other")]


def test_an_office_version_in_ta_oi(client: Any, director: Any, agent_al3: Any,
                                   tmp_path: Path) -> None:
    client.force_login(director)
    response = client.post("/van-dong/to-roi/", {
        "language": "ta_oi", "title": "BHXH tự nguyện (tiếng Tà Ôi)",
        "body": "# Đóng bao nhiêu\n{bang_muc_dong}\n\nHỏi {nhan_vien} <b>nhé</b>"})
    assert response.status_code == 302
    actions.save_leaflet_template(director.office, actor=director, language="ta_oi",
                                  title="Bản 2", body="Bản thứ hai {thu_nhap_thap_nhat}")
    assert leaflets.template_for(director.office_id, "ta_oi")[2] == 2
    client.force_login(agent_al3)
    text, _info = _text(client.get("/van-dong/to-roi.pdf", {"lang": "ta_oi"}).content, tmp_path)
    assert "Bản 2" in text and "Bản thứ hai" in text
    html = leaflets.render_body("Hỏi {nhan_vien} <b>nhé</b>", leaflets.facts(
        date(2026, 3, 31), load_default_tree()), "A <Lưới>", "")
    assert "&lt;b&gt;" in html and "A &lt;Lưới&gt;" in html  # typed text is never markup
    assert client.post("/van-dong/to-roi/", {"language": "vi", "title": "x",
                                             "body": "y"}).status_code == 403


def test_a_language_without_the_offices_text_is_not_offered_and_is_refused(
    client: Any, agent_al3: Any
) -> None:
    client.force_login(agent_al3)
    page = client.get("/van-dong/to-roi/").content.decode()
    for code in ("ta_oi", "pa_ko", "co_tu"):
        assert f'<option value="{code}" disabled>' in page, code
    assert "chưa có bản dịch" in page
    assert '<option value="vi" selected>' in page
    for code in ("ta_oi", "pa_ko", "co_tu", "klingon"):
        response = client.get("/van-dong/to-roi.pdf", {"lang": code})
        assert response.status_code == 400, code
        assert response["Content-Type"].startswith("text/html")
    refused = client.get("/van-dong/to-roi.pdf", {"lang": "pa_ko"}).content.decode()
    assert "Chưa có bản dịch tờ rơi sang tiếng Pa Kô" in refused


def test_with_the_offices_text_the_leaflet_is_in_that_language(
    client: Any, director: Any, agent_al3: Any, tmp_path: Path
) -> None:
    client.force_login(director)
    assert client.post("/van-dong/to-roi/", {
        "language": "co_tu", "title": "Bhiệc BHXH Cơ Tu",
        "body": "Ca-coong dzăm pr'loóng {thu_nhap_thap_nhat}\n{bang_muc_dong}"},
    ).status_code == 302
    client.force_login(agent_al3)
    page = client.get("/van-dong/to-roi/").content.decode()
    assert '<option value="co_tu">' in page and '<option value="ta_oi" disabled>' in page
    on = {"on": "2026-03-31"}
    katu = client.get("/van-dong/to-roi.pdf", {**on, "lang": "co_tu"})
    vietnamese = client.get("/van-dong/to-roi.pdf", {**on, "lang": "vi"})
    assert katu.status_code == vietnamese.status_code == 200
    katu_text, _info = _text(katu.content, tmp_path)
    vi_text, _info = _text(vietnamese.content, tmp_path)
    assert "Bhiệc BHXH Cơ Tu" in katu_text and "Ca-coong dzăm pr'loóng" in katu_text
    assert "Vì sao không nên rút" not in katu_text and "Vì sao không nên rút" in vi_text
    assert katu.content != vietnamese.content


def test_the_vietnamese_text_is_not_saved_as_a_translation(client: Any, director: Any) -> None:
    client.force_login(director)
    response = client.post("/van-dong/to-roi/?lang=ta_oi", {
        "language": "ta_oi", "title": leaflets.DEFAULT_TITLE, "body": leaflets.DEFAULT_BODY})
    assert response.status_code == 200
    assert "giống hệt bản tiếng Việt" in response.content.decode()
    assert "ta_oi" not in leaflets.latest_templates(director.office_id)
