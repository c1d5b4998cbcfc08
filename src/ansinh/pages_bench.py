"""Page weight: the agent's pages as a cheap phone on slow 3G gets them (`make bench`, or only
this part: `python -m ansinh.bench --only pages`).

A demo (the seeded A Lưới, `ansinh demo --no-serve`, static files collected as in production:
hashed names, gzip and brotli copies) is served by `ansinh runserver` in its own process.
Debian's chromium, driven by Playwright, signs in as an agent, then opens each page in a fresh
browser context (an empty HTTP cache, the same session cookie) with the network emulated over
the DevTools protocol: 400 ms round trip, 400 kbit/s down and up. For each page it reports

- the first load (cold cache): bytes transferred (headers included, as the radio carries them),
  requests, DOMContentLoaded (when the page can be used: the HTML parsed, its stylesheets and
  deferred scripts in) and load, in seconds from the start of the navigation;
- the repeat visit (warm cache): the same page opened again, as a link to it would.

Targets (issue 12): first load at most 100 KB, usable within 3 s. Service workers are blocked
so that every byte goes through the page's own network (a worker's precache would not be
counted, nor throttled); `/thuc-dia/` is skipped with a note when the site has no such page.

Nothing here imports the apps: the bench sees the site only through HTTP, as the phone does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE: Any = {"width": 390, "height": 844}  # Playwright's ViewportSize
# Chrome's own "slow 3G" is 400 ms / 400 kbit/s too; throughput is in bytes per second
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}
TARGET_BYTES = 100_000
TARGET_USABLE_S = 3.0
AGENT = "thu31"
PASSWORD = "ansinh2026"  # the demo's (demo.seeding.DEMO_PASSWORD)

PAGES: tuple[tuple[str, str], ...] = (
    ("landing (worklist)", "/"),
    ("worklist, week", "/van-dong/viec-can-lam/?span=week"),
    ("worklist, whole week", "/van-dong/viec-can-lam/?span=week&page=all"),
    ("receipt of a participant", "{receipt}"),
    ("calculator", "/tinh/"),
    ("register search", "/so-doi-tuong/?q=ho+thi"),
    ("offline app", "/thuc-dia/"),
)

TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, status: n.responseStatus,
          html_bytes: n.encodedBodySize, html_raw_bytes: n.decodedBodySize,
          fcp: paint ? paint.startTime : null,
          url: location.pathname + location.search};
}"""


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # the server answers
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


@contextmanager
def demo_server(var_dir: str | None, persons: int, port: int) -> Iterator[str]:
    """A demo served on ``port``: prepared in a temporary folder, or the one in ``var_dir``
    (seeded before; its static files are collected again)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = var_dir or tmp
        env = dict(os.environ, ANSINH_VAR_DIR=folder, ANSINH_MANIFEST_STATIC="true",
                   DJANGO_SETTINGS_MODULE="ansinh.settings")
        env.pop("DATABASE_URL", None)
        cli = [sys.executable, "-m", "ansinh.cli"]
        if var_dir is None:
            subprocess.run([*cli, "demo", "--persons", str(persons), "--no-serve"], env=env,
                           check=True, stdout=subprocess.DEVNULL)
        else:  # the static files as the code is now, not as they were when it was seeded
            subprocess.run([*cli, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        server = subprocess.Popen([*cli, "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/dang-nhap/")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


def _visit(page: Any, url: str, counter: dict[str, int]) -> dict[str, Any]:
    """Open ``url`` and wait for its load event; the bytes and requests the network carried."""
    counter.update(bytes=0, requests=0, cached=0)
    response = page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    page.wait_for_timeout(300)  # the last loadingFinished events
    timing = page.evaluate(TIMING)
    return {
        "status": response.status if response else None,
        "bytes": counter["bytes"], "requests": counter["requests"],
        "from_cache": counter["cached"],
        "dcl_s": round(timing["dcl"] / 1000, 2), "load_s": round(timing["load"] / 1000, 2),
        "fcp_s": round(timing["fcp"] / 1000, 2) if timing["fcp"] else None,
        "html_bytes": timing["html_bytes"], "html_raw_bytes": timing["html_raw_bytes"],
        "url": timing["url"],
    }


def _page_figures(browser: Any, state: Any, url: str) -> dict[str, Any]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", storage_state=state,
                                  service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    counter = {"bytes": 0, "requests": 0, "cached": 0}

    def finished(event: dict[str, Any]) -> None:
        counter["bytes"] += int(event.get("encodedDataLength", 0))
        counter["requests"] += 1

    def cached(_event: dict[str, Any]) -> None:
        counter["cached"] += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", cached)
    try:
        first = _visit(page, url, counter)
        repeat = _visit(page, url, counter)
    finally:
        context.close()
    return {"first": first, "repeat": repeat}


def measure(base: str, agent: str = AGENT) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian's chromium is missing (apt-get install chromium)")
    results: dict[str, Any] = {"network": "400 ms RTT, 400 kbit/s down and up",
                               "agent": agent, "pages": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        page = context.new_page()
        page.goto(base + "/dang-nhap/")
        page.fill("input[name=username]", agent)
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.wait_for_load_state()
        # a participant's receipt page as the agent reaches it: "Thu tiền" on a due row
        page.goto(base + "/van-dong/viec-can-lam/?span=week&page=all")
        link = page.locator("a[href*='/thu/bien-lai/moi/?participation=']").first
        receipt = (link.get_attribute("href") if link.count()
                   else "/thu/bien-lai/moi/")
        state = context.storage_state()
        context.close()
        for name, path in PAGES:
            url = base + path.format(receipt=receipt)
            if path == "/thuc-dia/":
                try:
                    urllib.request.urlopen(url, timeout=10).close()
                except urllib.error.HTTPError as error:
                    if error.code == 404:
                        results["pages"][name] = {"skipped": "404: no /thuc-dia/ on this site"}
                        continue
            figures = _page_figures(browser, state, url)
            first = figures["first"]
            figures["meets_targets"] = (first["bytes"] <= TARGET_BYTES
                                        and first["dcl_s"] <= TARGET_USABLE_S)
            results["pages"][name] = figures
        browser.close()
    return results


def report(results: dict[str, Any]) -> str:
    lines = [f"ansinh bench — pages on slow 3G ({results['network']}), agent {results['agent']}; "
             f"targets: first load ≤ {TARGET_BYTES // 1000} KB, usable ≤ {TARGET_USABLE_S:g} s",
             f"{'page':<26}{'first KB':>9}{'req':>5}{'DCL s':>7}{'load s':>7}{'HTML KB':>9}"
             f"{'(raw)':>8}{'repeat KB':>10}{'DCL s':>7}{'load s':>7}  ok"]
    for name, figures in results["pages"].items():
        if "skipped" in figures:
            lines.append(f"{name:<26}skipped: {figures['skipped']}")
            continue
        first, repeat = figures["first"], figures["repeat"]
        lines.append(
            f"{name:<26}{first['bytes'] / 1000:>9.1f}{first['requests']:>5}{first['dcl_s']:>7.2f}"
            f"{first['load_s']:>7.2f}{first['html_bytes'] / 1000:>9.1f}"
            f"{first['html_raw_bytes'] / 1000:>8.1f}{repeat['bytes'] / 1000:>10.1f}"
            f"{repeat['dcl_s']:>7.2f}{repeat['load_s']:>7.2f}  "
            f"{'yes' if figures['meets_targets'] else 'NO'}")
    return "\n".join(lines)


def run(persons: int, var_dir: str | None = None, port: int = 8765) -> dict[str, Any]:
    with demo_server(var_dir, persons, port) as base:
        results = measure(base)
    print(report(results), flush=True)
    print("pages: " + json.dumps(results, ensure_ascii=False), flush=True)
    return results
