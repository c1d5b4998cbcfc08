"""In a real browser, on a phone-sized page: the offline field app (`/thuc-dia/`) downloads the
territory with a progress bar, works with the network off (search without diacritics, a receipt
with its reserved number shown at once, a contact), keeps its outbox across a reload, and syncs
it in order when the network comes back, a refused item landing in "cần xử lý".

The API (docs/field-sync.md) is faked here with Playwright's routing, answering per the
contract, so this test checks the phone's side of it: what it asks, what it posts, in which
order, and what it does with each answer.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from ansinh.calculator.snapshot import parameters_snapshot
from ansinh.core.tests.browser import sign_in
from ansinh.policy.contribution import contribution_quote
from ansinh.rules.tree import current_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "token-of-this-phone"
REFUSAL = "Người này ngoài địa bàn của bạn"
CONFLICT = "Hồ sơ đã đổi ở văn phòng"
NAMES = ["Hồ Thị Hoa", "Nguyễn Văn Đức", "Lê Thị Bích", "Kê Văn Sơn", "Hồ Văn Tâm", "A Viết Lợi",
         "Quỳnh Thị Mai", "Trần Đình Dũng"]
PAGE = 50  # the fake's page size (the server may answer fewer than `limit`)
QUEUED = "document.querySelectorAll('#outbox-queued .row.item').length"
REFUSED = "document.querySelectorAll('#outbox-refused .row.item').length"


def canonical_hash(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class FakeApi:
    """/api/ as docs/field-sync.md describes it, for one agent's territory of 120 persons."""

    def __init__(self) -> None:
        self.persons = []
        for i in range(1, 121):
            name = NAMES[i % len(NAMES)] if i > 8 else NAMES[i - 1]
            person: dict[str, Any] = {
                "id": i, "uuid": f"00000000-0000-4000-8000-{i:012d}", "version": 10 + i,
                "full_name": name, "name_folded": "",
                "birth_date": f"{1970 + i % 30}-05-0{1 + i % 9}",
                "birth_year_only": False, "sex": "F" if "Thị" in name else "M", "ethnicity": "31",
                "village": 1 + i % 3, "household": 500 + i, "phone": f"09050000{i:02d}",
                "si_status": "none", "category": "ethnic_minority", "participation": None,
                "follow_ups": [], "last_contact": None}
            self.persons.append(person)
        self.persons[0]["participation"] = {
            "id": 7, "uuid": "11111111-1111-4111-8111-111111111111", "status": "late",
            "mode": "monthly", "income": 1_500_000, "start_month": "2026-01-01",
            "periods": [
                {"months": ["2026-02-01"], "amount": 231_000, "support": 99_000,
                 "deadline": "2026-02-28", "overdue": True},
                {"months": ["2026-03-01"], "amount": 231_000, "support": 99_000,
                 "deadline": "2026-03-31", "overdue": False}]}
        self.persons[0]["follow_ups"] = [{"contact": "22222222-2222-4222-8222-222222222222",
                                          "on": "2026-03-30", "note": "Hẹn sau vụ mùa",
                                          "owner": "thu31"}]
        self.requests: list[str] = []
        self.devices: list[dict[str, Any]] = []
        self.syncs: list[dict[str, Any]] = []
        self.next_number = 101
        self.recorded: set[str] = set()
        self.cut_next_sync = False  # record the batch, then drop the connection before answering
        self.cursors: list[str] = []
        self.token = TOKEN
        self.reset = False
        self.new_persons: list[dict[str, Any]] = []

    def changes(self, route: Any) -> None:
        """Since cursor c-42: Hoa's February is paid, the new person is in the register, and the
        last person has left the territory."""
        hoa = json.loads(json.dumps(self.persons[0]))
        hoa["version"] = 500
        hoa["participation"]["periods"] = hoa["participation"]["periods"][1:]
        self.answer(route, {"reset": False, "cursor": "c-43", "total": 1 + len(self.new_persons),
                            "next_after": None, "villages": [], "households": [],
                            "persons": [hoa, *self.new_persons],
                            "removed": [self.persons[-1]["uuid"]]})

    def answer(self, route: Any, body: Any, status: int = 200) -> None:
        route.fulfill(status=status, content_type="application/json",
                      body=json.dumps(body, ensure_ascii=False))

    def handle(self, route: Any, request: Any) -> None:
        url = urlparse(request.url)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.requests.append(f"{request.method} {url.path}")
        if url.path == "/api/devices" and request.method == "POST":
            self.devices.append({"csrf": request.headers.get("x-csrftoken", ""),
                                 "body": json.loads(request.post_data or "{}")})
            self.answer(route, {"id": 3, "name": "phone", "token": self.token})
            return
        if request.headers.get("authorization") != f"Bearer {self.token}":
            self.answer(route, {"detail": "Unauthorized"}, 401)
            return
        if url.path == "/api/territory":
            self.cursors.append(query.get("cursor", ""))
            if query.get("cursor") == "c-42" and not self.reset:
                self.changes(route)
                return
            after = int(query.get("after") or 0)
            rest = [p for p in self.persons if p["id"] > after]
            page = rest[:PAGE]
            first = after == 0
            self.answer(route, {
                "reset": self.reset, "cursor": "c-42", "total": len(self.persons),
                "next_after": page[-1]["id"] if len(rest) > PAGE else None,
                "villages": [{"id": v, "name": f"Thôn {v}", "commune": "A Lưới 3"}
                             for v in (1, 2, 3)] if first else [],
                "households": [{"id": p["household"], "village": p["village"], "head": p["id"]}
                               for p in page],
                "persons": page, "removed": []})
        elif url.path == "/api/worklist":
            self.answer(route, [{"person": p["uuid"], "kinds": ["late" if p["participation"] else
                                                                 "never_visited"],
                                 "reasons": ["Chậm đóng" if p["participation"] else
                                             "Chưa ai đến thăm"],
                                 "score": 90 - i, "village": p["village"]}
                                for i, p in enumerate(self.persons[:70])])
        elif url.path == "/api/policy":
            # the real snapshot: the phone prices with the real engine.js
            on = date.fromisoformat(query["on"]) if query.get("on") else timezone.localdate()
            self.answer(route, parameters_snapshot(on, current_tree()))
        elif url.path == "/api/receipt-numbers":
            count = json.loads(request.post_data)["count"]
            numbers = [f"AL3-{n:07d}" for n in range(self.next_number, self.next_number + count)]
            self.next_number += count
            self.answer(route, {"numbers": numbers})
        elif url.path == "/api/sync":
            body = json.loads(request.post_data)
            self.syncs.append(body)
            results = []
            for item in body["items"]:
                refused = item["kind"] == "contact" and item["data"]["outcome"] == "not_interested"
                # the enrolment's person changed at the office since the download
                stale = item["kind"] == "enrol" and item["base_version"] < 300
                status = ("already" if item["client_uuid"] in self.recorded else
                          "refused" if refused else "conflict" if stale else "recorded")
                if status == "recorded":
                    self.recorded.add(item["client_uuid"])
                    if item["kind"] == "person":
                        self.new_persons.append({
                            **self.persons[1], **item["data"], "id": 1000,
                            "uuid": item["client_uuid"], "version": 501, "name_folded": ""})
                results.append({"client_uuid": item["client_uuid"], "status": status,
                                "reason": REFUSAL if refused else CONFLICT if stale else "",
                                "number": item["data"].get("number") or "", "version": 999})
            if self.cut_next_sync:
                self.cut_next_sync = False
                route.abort("connectionreset")
                return
            self.answer(route, {"results": results})
        else:
            self.answer(route, {"detail": "Not Found"}, 404)


# Stand-ins for the calculator's engine and the receipts' words until their scripts are merged:
# the real ones, loaded by the page after this, replace them.
def _login(page: Any, live_server: Any, username: str) -> None:
    sign_in(page, live_server.url, username)


def _until(page: Any, promise: str, seconds: float = 15) -> None:
    """Wait until a promise of the page's store gives true (wait_for_function does not wait
    for a promise: the promise itself is truthy)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(promise):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {promise}")


def _small_targets(page: Any) -> list[str]:
    """Visible things to tap that are less than 44 px high (a box or a radio is tapped by its
    label, which is measured instead)."""
    return list(page.evaluate("""() => Array.from(document.querySelectorAll(
            'a, button, select, input:not([type=checkbox]):not([type=radio]), textarea, label'))
        .filter(el => el.offsetParent !== null && !el.closest('.reasons, dl, .muted, .small'))
        .filter(el => el.getBoundingClientRect().height < 44)
        .map(el => el.tagName + ' ' + (el.textContent || el.name || '').trim().slice(0, 30))"""))


def test_the_offline_day_on_the_phone(phone_page: Any, live_server: Any, agent_al3: Any,
                                      screenshot: Any) -> None:
    page = phone_page
    api = FakeApi()
    page.context.route("**/api/**", api.handle)
    _login(page, live_server, "thu31")

    # first load (its weight, compressed as served in production: test_field_app.py and
    # `make bench`), and the service worker takes the page
    page.goto(f"{live_server.url}/thuc-dia/")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller"
                           " !== null || (location.reload(), false)", timeout=15000)
    # the phone registered itself with the session's CSRF token
    page.wait_for_function("() => !!document.querySelector('#net')")
    assert api.devices and api.devices[0]["csrf"]

    # download the territory: three pages, with progress and size
    page.click(".tabs a[data-tab=download]")
    page.click("#download-button")
    page.wait_for_function(
        "() => document.getElementById('download-status').textContent.includes('120 / 120')")
    assert page.get_attribute("#download-progress", "value") == "120"
    assert "KB" in page.inner_text("#download-status")  # the progress: persons, then size
    screenshot(page, "field-app-downloading")
    page.wait_for_selector("#banner.ok")
    assert "120" in page.inner_text("#banner")
    assert [r for r in api.requests if r.endswith("/api/territory")] == ["GET /api/territory"] * 3
    assert "POST /api/receipt-numbers" in api.requests
    page.wait_for_selector("#numbers-left")
    assert page.inner_text("#numbers-left").startswith("50")
    screenshot(page, "field-app-download")
    assert not _small_targets(page)

    # the worklist: filtered by kind, paginated
    page.click(".tabs a[data-tab=worklist]")
    page.wait_for_selector(".row[data-person]")
    assert page.locator(".row[data-person]").count() == 30
    page.click("button.chip[data-kind=late]")
    assert page.locator(".row[data-person]").count() == 1
    page.click("button.chip[data-kind='']")
    page.click("button.more")
    assert page.locator(".row[data-person]").count() == 60
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "field-app-worklist")
    assert not _small_targets(page)

    # offline from here: the app opens from the service worker
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector(".net.off")
    # the public calculator was kept by the service worker, never opened before: it opens
    # offline with its engine (calculator/tests/test_offline_browser.py tests its answers)
    page.goto(f"{live_server.url}/tinh/dong-bao-nhieu/")
    page.wait_for_selector("input[name=income]")
    assert page.evaluate("typeof window.AnsinhEngine.contribution") == "function"
    page.goto(f"{live_server.url}/thuc-dia/")
    page.wait_for_selector(".net.off")

    # search without diacritics
    page.goto(f"{live_server.url}/thuc-dia/#/tim")
    page.fill("input[name=q]", "ho thi hoa")
    page.wait_for_selector("#results a.hit")
    hits = page.locator("#results a.hit").all_inner_texts()
    assert hits and all("Hồ Thị Hoa" in hit for hit in hits)
    screenshot(page, "field-app-search")

    # "Thu tiền" straight from the due row; the receipt shows its number at once
    hoa = api.persons[0]
    page.goto(f"{live_server.url}/thuc-dia/#/nguoi/{hoa['uuid']}")
    page.wait_for_selector(".due a.button.primary")
    screenshot(page, "field-app-person")
    assert not _small_targets(page)
    page.locator(".due a.button.primary").first.click()
    page.wait_for_selector("input[name=amount]")
    assert page.input_value("input[name=amount]") == "231000"
    page.click("form button[type=submit]")
    page.wait_for_selector("#receipt-number")
    assert page.inner_text("#receipt-number") == "AL3-0000101"
    assert "231.000" in page.inner_text("#receipt-amount")
    assert "AL3-0000101" in page.inner_text("#share-text")
    assert page.inner_text("#receipt-words")  # the amount in words
    screenshot(page, "field-app-receipt")
    assert not _small_targets(page)

    # the paid month shows as queued and cannot be ticked again
    page.goto(f"{live_server.url}/thuc-dia/#/nguoi/{hoa['uuid']}")
    page.wait_for_selector(".due.paid")
    assert page.locator(".due.paid .tag.queued").count() == 1
    assert page.locator(".due a.button.primary").count() == 1  # only March is left to collect
    page.locator(".due a.button.primary").first.click()
    page.wait_for_selector("input[name=period]")
    assert page.locator("input[name=period][disabled]").count() == 1
    screenshot(page, "field-app-receipt-form")
    assert not _small_targets(page)

    # Hoa's follow-up is done
    page.goto(f"{live_server.url}/thuc-dia/#/nguoi/{hoa['uuid']}")
    page.click(".follow button.primary")
    page.wait_for_selector(".follow .tag.queued")

    # two contacts: one the server will record, one it will refuse
    for person, outcome in ((api.persons[1], "interested"), (api.persons[2], "not_interested")):
        page.goto(f"{live_server.url}/thuc-dia/#/tiep-xuc/{person['uuid']}")
        page.wait_for_selector("form input[name=outcome]")
        page.check(f"input[name=outcome][value={outcome}]", force=True)
        page.fill("textarea[name=note]", "Gặp ở nhà")
        page.click("form button[type=submit]")
        page.wait_for_selector(f"h1:has-text('{person['full_name']}')")
    screenshot(page, "field-app-contact-saved")

    # an enrolment, priced on the phone
    enrolled = api.persons[3]
    page.goto(f"{live_server.url}/thuc-dia/#/dang-ky/{enrolled['uuid']}")
    page.fill("input[name=income]", "2000000")
    page.wait_for_selector("#price dd.money")
    today = date.fromisoformat(page.evaluate("JSON.parse(document.getElementById('field-me')"
                                             ".textContent).today"))
    quote = contribution_quote(today, 2_000_000, (enrolled["category"],), "monthly",
                               tree=current_tree())
    assert f"{quote.total:,}".replace(",", ".") in page.inner_text("#price"), \
        "the phone's price is the engine's"
    screenshot(page, "field-app-enrol")
    assert not _small_targets(page)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{enrolled['full_name']}')")

    # a new person who may already be in the register: the phone says so first
    page.goto(f"{live_server.url}/thuc-dia/#/moi")
    page.select_option("select[name=village]", str(hoa["village"]))
    page.fill("input[name=full_name]", "Ho thi  HOA")
    page.fill("input[name=birth_date]", hoa["birth_date"])
    page.check("input[name=sex][value=F]", force=True)
    page.click("form button[type=submit]")
    page.wait_for_selector(".warn-box:not([hidden])")
    assert "Hồ Thị Hoa" in page.inner_text(".warn-box")
    screenshot(page, "field-app-duplicate")
    page.click(".warn-box button")
    page.wait_for_selector("h1:has-text('Ho thi HOA')")

    # the outbox survives a reload, in the order of submission
    page.reload()
    page.goto(f"{live_server.url}/thuc-dia/#/hang-cho")
    page.wait_for_selector("#outbox-queued")
    kinds = ["receipt", "follow_up", "contact", "contact", "enrol", "person"]
    queued = page.locator("#outbox-queued .row.item")
    assert [queued.nth(i).get_attribute("data-kind") for i in range(queued.count())] == kinds
    screenshot(page, "field-app-outbox-offline")

    # a queued item never sent is edited in place: same uuid
    row = page.locator("#outbox-queued .row.item").nth(2)
    uuid_before = row.get_attribute("data-uuid")
    row.locator("a.button").click()
    page.wait_for_selector("textarea[name=note]")
    page.fill("textarea[name=note]", "Gặp ở nhà, hẹn tháng sau")
    page.click("form button[type=submit]")
    page.wait_for_function("() => location.hash.startsWith('#/nguoi/')")
    page.goto(f"{live_server.url}/thuc-dia/#/hang-cho")
    page.wait_for_selector("#outbox-queued")
    assert page.locator("#outbox-queued .row.item").nth(2).get_attribute("data-uuid") == uuid_before
    assert not api.syncs

    # back online, and the connection drops while the server answers: nothing is lost
    api.cut_next_sync = True
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('banner').className.includes('warn')",
                           timeout=15000)
    assert len(api.syncs) == 1
    assert page.locator("#outbox-queued .row.item").count() == 6
    assert page.locator("#outbox-queued a.button:has-text('Sửa')").count() == 0  # sent: no edit

    # sync again: the same items, in order, each with its own uuid and hash; the server has
    # them already
    page.click("main button.primary.big")
    page.wait_for_function(f"() => {QUEUED} === 0 && {REFUSED} === 1", timeout=15000)
    first, second = api.syncs[0]["items"], api.syncs[1]["items"]
    assert [item["kind"] for item in first] == kinds
    assert [item["client_uuid"] for item in first] == [item["client_uuid"] for item in second]
    assert [item["hash"] for item in first] == [item["hash"] for item in second]
    assert len({item["client_uuid"] for item in first}) == 6
    for item in first:
        assert item["hash"] == canonical_hash(item["data"])
    receipt, done, met, refused, enrol, newcomer = first
    assert done["data"] == {"contact": hoa["follow_ups"][0]["contact"], "done": True,
                            "next_on": None, "note": ""}
    assert receipt["data"] == {"participation": hoa["participation"]["uuid"], "months": ["2026-02"],
                               "amount": 231_000, "paid_on": receipt["data"]["paid_on"],
                               "channel": "cash", "number": "AL3-0000101", "note": ""}
    assert receipt["base_version"] == hoa["version"]
    assert met["data"]["person"] == api.persons[1]["uuid"]
    assert met["data"]["outcome"] == "interested"
    assert met["data"]["note"] == "Gặp ở nhà, hẹn tháng sau" and met["client_uuid"] == uuid_before
    assert refused["data"]["outcome"] == "not_interested"
    assert enrol["data"]["person"] == enrolled["uuid"] and enrol["data"]["income"] == 2_000_000
    assert enrol["data"]["mode"] == "monthly"
    assert newcomer["data"]["full_name"] == "Ho thi HOA" and newcomer["base_version"] is None
    assert newcomer["data"]["village"] == hoa["village"]
    assert REFUSAL in page.inner_text("#outbox-refused")
    assert CONFLICT in page.inner_text("#outbox-conflict")  # waits for the office
    assert "đã có" in page.inner_text("#outbox-sent")
    screenshot(page, "field-app-outbox-refused")
    assert not _small_targets(page)

    # after the sync, only the changes came down: the person who left is gone, the new person
    # is the server's now, and Hoa owes only March
    assert api.cursors == ["", "", "", "c-42"]
    assert page.evaluate(f"AnsinhStore.get('persons', '{api.persons[-1]['uuid']}')") is None
    assert page.evaluate(f"AnsinhStore.get('persons', '{newcomer['client_uuid']}')"
                         ".then(p => p.version)") == 501
    page.goto(f"{live_server.url}/thuc-dia/#/nguoi/{hoa['uuid']}")
    page.wait_for_selector(".due")
    assert page.locator(".due").count() == 1 and page.locator(".due.paid").count() == 0
    page.goto(f"{live_server.url}/thuc-dia/#/hang-cho")

    # the refused contact, edited, goes again as a new submission with a new uuid
    page.click("#outbox-refused a.button")
    page.wait_for_selector("form input[name=outcome]")
    page.check("input[name=outcome][value=follow_up]", force=True)
    page.click("form button[type=submit]")
    page.wait_for_function("() => location.hash.startsWith('#/nguoi/')")
    page.goto(f"{live_server.url}/thuc-dia/#/hang-cho")
    page.wait_for_function(f"() => {QUEUED} === 0 && {REFUSED} === 0", timeout=15000)
    again = api.syncs[-1]["items"][-1]
    assert again["kind"] == "contact" and again["data"]["outcome"] == "follow_up"
    assert again["client_uuid"] != refused["client_uuid"]

    # the agent gives back the unused numbers: they go with the next sync, then 50 new ones
    page.goto(f"{live_server.url}/thuc-dia/#/tai")
    unused = page.evaluate("AnsinhStore.meta('numbers')")
    assert len(unused) == 50 and "AL3-0000101" not in unused
    page.click("main button:not(.primary)")
    _until(page, "AnsinhStore.meta('release').then(r => !!r && r.length === 0)")
    assert api.syncs[-1]["release"] == unused
    _until(page, "AnsinhStore.meta('numbers').then(n => n.length === 50)")
    assert set(page.evaluate("AnsinhStore.meta('numbers')")).isdisjoint(unused)


def test_a_reset_replaces_the_copy_and_a_revoked_token_registers_again(
    phone_page: Any, live_server: Any, agent_al3: Any
) -> None:
    page = phone_page
    api = FakeApi()
    page.context.route("**/api/**", api.handle)
    _login(page, live_server, "thu31")
    page.goto(f"{live_server.url}/thuc-dia/#/tai")
    page.click("#download-button")
    _until(page, "AnsinhStore.meta('cursor').then(c => c === 'c-42')")
    assert page.evaluate("AnsinhStore.all('persons').then(p => p.length)") == 120

    # the office moved the agent: the server cannot use the cursor and sends the new territory
    # in full; and the phone's token was revoked meanwhile
    api.persons = api.persons[:80]
    api.reset = True
    api.token = "a-new-token"
    page.click("#download-button")
    _until(page, "AnsinhStore.meta('token').then(t => t === 'a-new-token')")
    _until(page, "AnsinhStore.all('persons').then(p => p.length === 80)")
    assert len(api.devices) == 2  # registered again after the 401
    # a full download in three pages, then the reset one in two: after a reset, the next
    # pages ask for everything
    assert api.cursors == ["", "", "", "c-42", ""]
