"""The offline day, end to end: a phone in chromium against a real server in its own process.

An agent downloads their territory, goes offline and works a day: 200 contacts, 50 receipts (two
of them for the same person from the same screen), 5 enrolments and 3 new persons. Then the
phone syncs while things go wrong:

- the server is killed (SIGKILL) after it recorded a batch and before it answered;
- the connection drops before a batch reaches the server;
- a batch is posted twice;
- an answer is lost and the agent reloads the app and syncs again.

The server must end with exactly the expected rows: every item once, nothing lost, nothing twice,
every receipt numbered from the numbers reserved to the phone. Service workers are blocked in
this test so that Playwright sees (and breaks) every request; the service worker's own offline
behaviour is tested in test_field_app_browser.py.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ansinh.core.tests.browser import sign_in

from .demo_server import DemoServer

pytestmark = [pytest.mark.browser]

PERSONS = 5000  # the agent thu11 then holds ~1,100 persons and ~60 participations
AGENT = "thu11"
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
CONTACTS, RECEIPTS, ENROLMENTS, NEW_PERSONS = 200, 50, 5, 3
TABLES = {"contacts": "outreach_contact", "receipts": "collection_receipt",
          "participations": "participation_participation", "persons": "registry_person"}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> DemoServer:
    server = DemoServer(tmp_path_factory.mktemp("offline-day-seed"))
    server.seed(PERSONS, TODAY)
    return server


def _hex(values: list[str]) -> list[str]:
    return [uuid.UUID(value).hex for value in values]


def _count_uuids(server: DemoServer, table: str, keys: list[str]) -> int:
    marks = ",".join("?" * len(keys))
    return int(server.scalar(f"SELECT count(*) FROM {table} WHERE uuid IN ({marks})",
                             *_hex(keys)))


# The day's plan, read from the phone's own copy of the territory (IndexedDB).
PLAN = """async ([contacts, receipts, enrolments, today]) => {
  const persons = await AnsinhStore.all("persons");
  const born = (p) => parseInt(p.birth_date.slice(0, 4), 10);
  const year = parseInt(today.slice(0, 4), 10);
  const payers = persons.filter((p) => p.participation && (p.participation.periods || []).length
      && ["active", "late", "awaiting"].includes(p.participation.status)
      && p.participation.periods.every((per) => typeof per.amount === "number"));
  const prospects = persons.filter((p) => !p.participation && p.si_status === "none"
      && year - born(p) >= 20 && year - born(p) <= 45);
  return {payers: payers.map((p) => ({uuid: p.uuid, version: p.version, name: p.full_name,
                                      part: p.participation.uuid,
                                      periods: p.participation.periods})),
          prospects: prospects.slice(0, enrolments).map(
              (p) => ({uuid: p.uuid, version: p.version})),
          contacts: persons.slice(0, contacts).map(
              (p) => ({uuid: p.uuid, version: p.version})),
          villages: [...new Set(persons.map((p) => p.village))]};
}"""

SUBMIT = """async ([kind, data, extra]) => {
  const item = await AnsinhStore.submit(kind, data, extra);
  return {client_uuid: item.client_uuid, number: item.data.number || null};
}"""

SYNC = """() => new Promise((resolve) => {
  AnsinhSync.sync(() => {}).then((s) => resolve({ok: true, state: s}),
                                 (e) => resolve({ok: false, error: String(e && (e.kind || e))}));
})"""

OUTBOX = """async () => (await AnsinhStore.all("outbox")).map(
  (i) => ({kind: i.kind, state: i.state, sent: i.sent, reason: i.reason}))"""


class Faults:
    """Breaks /api/sync requests by their order: the nth POST meets the nth fault."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        self.posts = 0
        self.log: list[str] = []

    def __call__(self, route: Any, request: Any) -> None:
        self.posts += 1
        n = self.posts
        if n == 2:  # the server records the batch, then dies before answering
            route.fetch()
            self.server.kill()
            self.log.append("killed after recording")
            route.abort("connectionreset")
        elif n == 4:  # the connection drops before the batch reaches the server
            self.log.append("dropped before sending")
            route.abort("internetdisconnected")
        elif n == 5:  # the same batch posted twice
            route.fetch()
            second = route.fetch()
            self.log.append("posted twice")
            route.fulfill(response=second)
        elif n == 7:  # the answer is lost; the agent reloads the app and syncs again
            route.fetch()
            self.log.append("answer lost")
            route.abort("connectionreset")
        else:
            route.continue_()


def _login(page: Any, url: str) -> None:
    sign_in(page, url, AGENT)


def _open_app(page: Any, url: str) -> None:
    page.goto(f"{url}/thuc-dia/#/tai")
    page.wait_for_function("() => window.AnsinhStore && window.AnsinhSync && "
                           "document.querySelector('#download-button')")


def test_the_offline_day_syncs_exactly_once(seeded: DemoServer, tmp_path: Path,
                                            chromium_browser: Any, screenshot: Any) -> None:
    server = seeded.copy_to(tmp_path / "server")
    url = server.start()
    before = {name: int(server.scalar(f"SELECT count(*) FROM {table}"))
              for name, table in TABLES.items()}
    try:
        with chromium_browser.new_context(
                viewport={"width": 390, "height": 844}, locale="vi-VN",
                timezone_id="Asia/Ho_Chi_Minh", service_workers="block") as context:
            page = context.new_page()
            _login(page, url)
            _open_app(page, url)

            # -- before leaving: the territory, with its progress and size ----------------------
            started = time.monotonic()
            page.click("#download-button")
            page.wait_for_function("() => document.querySelector('#download-status').textContent",
                                   timeout=60_000)
            progress = page.inner_text("#download-status")  # "n / total persons · size"
            page.wait_for_function("() => document.querySelector('#banner.ok:not([hidden])')",
                                   timeout=120_000)
            download_seconds = time.monotonic() - started
            done = page.inner_text("#banner")
            assert any(unit in progress for unit in ("KB", "MB")), progress
            assert any(unit in done for unit in ("KB", "MB")), done
            screenshot(page, "offline-day-downloaded")
            numbers = page.evaluate("AnsinhStore.meta('numbers')")
            assert len(numbers) >= RECEIPTS, "receipt numbers were reserved ahead"

            # -- the day, offline ---------------------------------------------------------------
            context.set_offline(True)
            plan = page.evaluate(PLAN, [CONTACTS, RECEIPTS, ENROLMENTS, TODAY.isoformat()])
            assert len(plan["contacts"]) == CONTACTS
            assert len(plan["prospects"]) == ENROLMENTS

            # two receipts for the same person from the same screen, through the form
            twice = next(p for p in plan["payers"] if len(p["periods"]) >= 2)
            made: dict[str, list[str]] = {"receipt": [], "contact": [], "enrol": [], "person": []}
            amounts = 0
            used_numbers: list[str] = []
            for index in (0, 1):
                page.evaluate(f"location.hash = '#/thu/{twice['uuid']}/{index}'")
                page.wait_for_selector("form button.primary")
                page.click("form button.primary")
                page.wait_for_selector("#receipt-number")
                number = page.inner_text("#receipt-number")
                assert number in numbers, "the receipt shows its reserved number at once"
                used_numbers.append(number)
                made["receipt"].append(page.evaluate("location.hash.split('/').pop()"))
                amounts += twice["periods"][index]["amount"]
            screenshot(page, "offline-day-receipt")

            # the other receipts: one per participant, oldest payable period first
            queue: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for payer in plan["payers"]:
                if payer["uuid"] != twice["uuid"]:
                    queue.append((payer, payer["periods"][0]))
            for payer in plan["payers"]:  # then a second period where there are not enough
                if payer["uuid"] != twice["uuid"] and len(payer["periods"]) > 1:
                    queue.append((payer, payer["periods"][1]))
            queue = queue[:RECEIPTS - 2]
            assert len(queue) == RECEIPTS - 2, "the territory has enough participants to pay"
            for payer, period in queue:
                data = {"participation": payer["part"],
                        "months": [m[:7] for m in period["months"]], "amount": period["amount"],
                        "paid_on": TODAY.isoformat(), "channel": "cash", "note": ""}
                item = page.evaluate(SUBMIT, ["receipt", data,
                                              {"base_version": payer["version"],
                                               "person": payer["uuid"], "label": payer["name"]}])
                made["receipt"].append(item["client_uuid"])
                used_numbers.append(item["number"])
                amounts += period["amount"]
            assert len(set(used_numbers)) == RECEIPTS and None not in used_numbers

            for person in plan["contacts"]:
                data = {"person": person["uuid"], "on": TODAY.isoformat(), "channel": "visit",
                        "outcome": "interested", "objection": "", "note": "Đã gặp tại nhà",
                        "next_follow_up_on": None}
                made["contact"].append(page.evaluate(SUBMIT, ["contact", data, {
                    "base_version": person["version"], "person": person["uuid"]}])["client_uuid"])
            for person in plan["prospects"]:
                data = {"person": person["uuid"], "start_month": TODAY.replace(day=1).isoformat(),
                        "income": 1_500_000, "mode": "monthly", "advance_years": None,
                        "enrolled_on": TODAY.isoformat()}
                made["enrol"].append(page.evaluate(SUBMIT, ["enrol", data, {
                    "base_version": person["version"], "person": person["uuid"]}])["client_uuid"])
            for i, name in enumerate(["Hồ Văn Mới", "Kê Thị Hiền", "A Viết Tươi"]):
                data = {"village": plan["villages"][i % len(plan["villages"])], "full_name": name,
                        "birth_date": f"{1985 + i}-03-0{1 + i}", "birth_year_only": False,
                        "sex": "F" if "Thị" in name else "M", "ethnicity": "31", "phone": "",
                        "national_id": "", "household": None}
                made["person"].append(page.evaluate(SUBMIT, ["person", data, {}])["client_uuid"])

            total = CONTACTS + RECEIPTS + ENROLMENTS + NEW_PERSONS
            assert len(page.evaluate(OUTBOX)) == total
            assert int(server.scalar("SELECT count(*) FROM collection_receipt")) \
                == before["receipts"], "nothing reached the server while offline"

            # -- evening: sync while things go wrong --------------------------------------------
            context.set_offline(False)
            page.route("**/api/sync", lambda route, request: route.abort())  # not yet
            page.reload()  # the outbox lives in IndexedDB, not in the page
            page.wait_for_function("() => window.AnsinhStore && window.AnsinhSync")
            assert len(page.evaluate(OUTBOX)) == total
            page.unroute("**/api/sync")
            faults = Faults(server)
            page.route("**/api/sync", faults)
            started = time.monotonic()
            attempts = []
            for _attempt in range(12):
                result = page.evaluate(SYNC)
                attempts.append(result)
                queued = [i for i in page.evaluate(OUTBOX) if i["state"] == "queued"]
                if result["ok"] and not queued:
                    break
                if server.process is None:
                    server.start()  # the server comes back (same port, same database)
                if faults.posts == 7:
                    page.reload()  # the agent reloads and syncs again
                    page.wait_for_function("() => window.AnsinhStore && window.AnsinhSync")
            sync_seconds = time.monotonic() - started
            left = page.evaluate(OUTBOX)
            assert left == [], f"items left on the phone: {left[:5]} (attempts: {attempts})"
            assert faults.log == ["killed after recording", "dropped before sending",
                                  "posted twice", "answer lost"]
    finally:
        server.stop()

    # -- the server holds exactly the day, once ----------------------------------------------
    after = {name: int(server.scalar(f"SELECT count(*) FROM {table}"))
             for name, table in TABLES.items()}
    assert after["contacts"] - before["contacts"] == CONTACTS
    assert after["receipts"] - before["receipts"] == RECEIPTS
    assert after["participations"] - before["participations"] == ENROLMENTS
    assert after["persons"] - before["persons"] == NEW_PERSONS
    assert _count_uuids(server, "outreach_contact", made["contact"]) == CONTACTS
    assert _count_uuids(server, "collection_receipt", made["receipt"]) == RECEIPTS
    assert _count_uuids(server, "participation_participation", made["enrol"]) == ENROLMENTS
    assert _count_uuids(server, "registry_person", made["person"]) == NEW_PERSONS
    marks = ",".join("?" * RECEIPTS)
    rows = server.query(f"SELECT number, amount FROM collection_receipt "
                        f"WHERE uuid IN ({marks})", *_hex(made["receipt"]))
    assert sorted(number for number, _amount in rows) == sorted(used_numbers), \
        "every receipt kept the number the phone printed on it"
    assert sum(amount for _number, amount in rows) == amounts
    print(f"\noffline day: download {download_seconds:.1f} s; "
          f"sync of {total} items with 4 faults {sync_seconds:.1f} s")
