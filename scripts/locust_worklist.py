"""Load test of the worklist: the demo's agents sign in and read their worklists.

    .venv/bin/locust -f scripts/locust_worklist.py --host http://127.0.0.1:8123 \
        --headless -u 50 -r 10 -t 60s

Each simulated user signs in as one of the demo agents (thu11 … thu52, password of
`demo.seeding.DEMO_PASSWORD`), then reads today's list, the week's list, one village of it
(from the page's village chooser) and the next page, as an agent walking a village does. The
demo must be seeded (`ansinh seed-demo`) and served, with its clock at the demo's date or the
precomputed rows refreshed for today (`ansinh refresh-priorities`).

Agents sign in once a day, not fifty in the same few seconds: a sign-in hashes the password
(hundreds of milliseconds of CPU by design). So every simulated agent signs in first and waits
for the others; the last one to sign in resets the statistics, and the figures are those of
the worklist pages read by fifty signed-in agents.

The load generator shares the server's cores here (loopback): it uses locust's FastHttpUser
(geventhttpclient), which spends several times less CPU a request than the requests-based
HttpUser, so that the figures are the server's more than the generator's.
"""

from __future__ import annotations

import itertools
import random
import re
from urllib.parse import urlencode

import gevent.event
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

AGENTS = [f"thu{commune}{slot}" for commune in range(1, 6) for slot in (1, 2)]
PASSWORD = "ansinh2026"  # demo.seeding.DEMO_PASSWORD (not imported: locust runs without Django)
URL = "/van-dong/viec-can-lam/"
_next_agent = itertools.cycle(AGENTS)
_signed_in = 0
_all_signed_in = gevent.event.Event()


class Agent(FastHttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.username = next(_next_agent)
        page = self.client.get("/dang-nhap/", name="sign-in form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        answer = self.client.post(
            "/dang-nhap/", name="sign in", allow_redirects=False,
            data=urlencode({"username": self.username, "password": PASSWORD,
                            "csrfmiddlewaretoken": token.group(1) if token else ""}),
            headers={"Referer": f"{self.host}/dang-nhap/",
                     "Content-Type": "application/x-www-form-urlencoded"})
        # signed in: a redirect away from the sign-in page (a refusal answers the form again)
        if answer.status_code != 302 or "dang-nhap" in answer.headers.get("Location", ""):
            raise RuntimeError(f"{self.username} could not sign in")
        self.villages: list[str] = []
        global _signed_in
        _signed_in += 1
        options = self.environment.parsed_options
        if _signed_in >= (options.num_users if options else 1):
            self.environment.stats.reset_all()  # the pages from here on
            _all_signed_in.set()
        _all_signed_in.wait()

    @task(4)
    def today(self) -> None:
        page = self.client.get(URL, name="worklist, today")
        if not self.villages:
            self.villages = re.findall(r'<option value="(\d+)"', page.text)

    @task(2)
    def week(self) -> None:
        self.client.get(f"{URL}?span=week", name="worklist, week")

    @task(3)
    def one_village(self) -> None:
        if self.villages:
            village = random.choice(self.villages)
            self.client.get(f"{URL}?span=week&village={village}", name="worklist, one village")

    @task(1)
    def next_page(self) -> None:
        self.client.get(f"{URL}?span=week&page=2", name="worklist, week, page 2")
