"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) against the real pages in
Debian's chromium: the main pages of a staff member, an agent and the administrator break no
directive, and their scripts still work under it (the contact's id, the dashboard's charts,
htmx swaps, the filters that send themselves, the quick dates, the field app and its service
worker, the admin, the API docs).

Chromium reports a violation twice, both caught here: the console's "Refused to ..." and the
page's `securitypolicyviolation` event (logged by an init script of the context). The server is
the demo (`ansinh seed-demo`, `ansinh runserver`) in its own process, with its CSP as in
production."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ansinh.core.tests.browser import sign_in
from ansinh.field.tests.demo_server import DemoServer

pytestmark = [pytest.mark.browser]

PERSONS = 1500
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
REPORT = ("(() => addEventListener('securitypolicyviolation', (e) => console.error("
          "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' '"
          " + e.sourceFile + ':' + e.lineNumber)))()")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    demo = DemoServer(tmp_path_factory.mktemp("csp-demo"))
    demo.seed(PERSONS, TODAY)
    demo.start()
    yield demo
    demo.stop()


class Browser:
    """A context whose pages report every CSP violation and uncaught script error."""

    def __init__(self, chromium: Any, base: str) -> None:
        self.base = base
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                            locale="vi-VN")
        self.context.add_init_script(REPORT)
        self.problems: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        text = message.text
        if "Refused to" in text or "CSP violation" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def open(self, path: str) -> Any:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status < 400, (path, response and
                                                                 response.status)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


def _participation_of(server: DemoServer, username: str) -> int:
    return int(server.scalar(
        "SELECT p.id FROM participation_participation p"
        " JOIN network_agent a ON a.id = p.agent_id JOIN core_user u ON u.id = a.user_id"
        " WHERE u.username = ? AND p.status = 'active' ORDER BY p.id LIMIT 1", username))


def _worklist_and_contact(browser: Browser) -> None:
    page = browser.open("/van-dong/viec-can-lam/")
    # a filter sends its form when a choice is made (data-autosubmit, page-actions.js): staff
    # pick an agent's list, then a village
    if page.locator("select[name=agent]").count():
        agent = page.locator("select[name=agent] option").nth(1).get_attribute("value")
        with page.expect_navigation():
            page.select_option("select[name=agent]", agent)
        assert f"agent={agent}" in page.url
    villages = page.locator("select[name=village] option").evaluate_all(
        "options => options.filter(o => o.value && !o.text.endsWith('(0)')).map(o => o.value)")
    assert villages
    with page.expect_navigation():
        page.select_option("select[name=village]", villages[0])
    assert f"village={villages[0]}" in page.url
    page.locator("a:has-text('Ghi tiếp xúc')").first.click()
    page.wait_for_url(re.compile(r".*/van-dong/tiep-xuc/moi/\d+/.*"))
    page.wait_for_load_state("networkidle")
    # the contact's id, made by contact-form.js
    uuid = page.input_value("#contact-uuid")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", uuid)
    # a quick date fills the follow-up field (data-fill)
    quick = page.locator(".quick-dates button").first
    quick.click()
    assert page.input_value("#id_next_follow_up_on") == quick.get_attribute("data-value")


def _receipt_form(browser: Browser, participation: int) -> None:
    page = browser.open(f"/thu/bien-lai/moi/?participation={participation}")
    page.locator("input[name=period]").first.check()
    page.wait_for_selector("#amount [data-key=amount]")  # htmx swapped the amount in


def _calculator(browser: Browser) -> None:
    page = browser.open("/tinh/dong-bao-nhieu/")
    page.fill("input[name=income]", "3.000.000")
    page.wait_for_selector("[data-key=net_monthly]")  # htmx, as the person types


def test_a_staff_member_s_pages_break_no_directive(chromium_browser: Any,
                                                   server: DemoServer) -> None:
    browser = Browser(chromium_browser, server.url)
    try:
        sign_in(browser.page, server.url, "canbo1")
        page = browser.open("/bao-cao/")
        drawn = page.evaluate(
            "['trend', 'communes'].map(id => !!(window.Chart && "
            "Chart.getChart(document.getElementById(id))))")
        assert drawn == [True, True]
        label = page.evaluate("Chart.getChart(document.getElementById('trend'))"
                              ".data.datasets.map(d => d.label)")
        assert "Chỉ tiêu" in label  # the label came from the canvas's data- attribute
        _worklist_and_contact(browser)
        _receipt_form(browser, _participation_of(server, "thu11"))
        _calculator(browser)
        browser.open("/so-doi-tuong/")
        page = browser.open("/van-dong/")  # the outreach events, filtered by kind
        kind = page.locator("select[name=kind] option").nth(1).get_attribute("value")
        with page.expect_navigation():
            page.select_option("select[name=kind]", kind)
        assert f"kind={kind}" in page.url
        receipt = server.scalar(  # one of A Lưới 1's, which canbo1 may see
            "SELECT r.id FROM collection_receipt r JOIN network_agent a ON a.id = r.agent_id"
            " JOIN core_user u ON u.id = a.user_id WHERE u.username = 'thu11'"
            " ORDER BY r.id LIMIT 1")
        page = browser.open(f"/thu/bien-lai/{receipt}/in/")  # the printable sheet
        page.evaluate("() => { window.print = () => { window.printed = true; }; }")
        page.click("button[data-print]")  # an inline onclick would be refused here
        assert page.evaluate("() => window.printed === true")
        assert browser.problems == []
    finally:
        browser.close()


def test_an_agent_s_pages_and_the_field_app_break_no_directive(chromium_browser: Any,
                                                               server: DemoServer) -> None:
    browser = Browser(chromium_browser, server.url)
    try:
        sign_in(browser.page, server.url, "thu11")
        _worklist_and_contact(browser)
        _receipt_form(browser, _participation_of(server, "thu11"))
        page = browser.open("/thuc-dia/")
        # the service worker takes the page, and the app draws its tabs from IndexedDB
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
            " || (location.reload(), false)", timeout=15000)
        page.wait_for_function("() => !!document.querySelector('#net')")
        page.click(".tabs a[data-tab=download]")
        page.click("#download-button")
        page.wait_for_selector("#banner.ok", timeout=60000)
        page.click(".tabs a[data-tab=worklist]")
        page.wait_for_selector(".row[data-person]")
        page.locator(".row[data-person] a.who").first.click()
        page.wait_for_url(re.compile(r".*#/nguoi/.+"))
        page.locator("a.back").first.click()  # no javascript: link (refused by the CSP)
        page.wait_for_url(lambda url: "#/nguoi/" not in url)
        page.wait_for_selector(".row[data-person]")
        assert browser.problems == []
    finally:
        browser.close()


def test_the_admin_and_the_api_docs_break_no_directive(chromium_browser: Any,
                                                       server: DemoServer) -> None:
    browser = Browser(chromium_browser, server.url)
    try:
        page = browser.open("/admin/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "ansinh2026")
        page.click("input[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        page = browser.open("/admin/core/user/")
        page.locator("#result_list tbody th a").first.click()
        # admin's SelectFilter2.js builds the two-box chooser of a user's permissions
        page.wait_for_selector("#id_user_permissions_from")
        page.fill("#id_user_permissions_input", "receipt")
        assert page.locator("#id_user_permissions_from option").count() > 0
        page = browser.open("/admin/core/office/1/change/")
        page = browser.open("/api/docs")
        page.wait_for_selector("#swagger-ui .info .title")  # Swagger UI drew the API
        assert browser.problems == []
    finally:
        browser.close()


def test_a_violation_is_caught(chromium_browser: Any, server: DemoServer,
                               tmp_path: Path) -> None:
    """The listeners above are not blind: an inline script on a served page is reported."""
    browser = Browser(chromium_browser, server.url)
    try:
        page = browser.open("/tinh/")
        page.evaluate("() => { const s = document.createElement('script');"
                      " s.textContent = 'window.ran = true'; document.body.append(s); }")
        page.wait_for_timeout(300)
        assert page.evaluate("window.ran === undefined")
        assert any("script-src" in problem for problem in browser.problems), browser.problems
    finally:
        browser.close()
