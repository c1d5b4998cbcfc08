"""Every URL answers a hostile query string (issue 13): each URL of the URL conf, GET as every
role (and anonymously), with hostile values in every query parameter a page reads, answers
with the page's default or a 4xx, never a 5xx, on SQLite and on PostgreSQL.

The parameters a page reads are found two ways: a list of every name the views and their forms
read (PARAMETERS, from request.GET and the forms' fields), sent to every URL at once; and, per
URL and role, the names the page actually asked its query for (every QueryDict read is
recorded while the page runs), each then tried alone, so that one bad value answered early
(a 400 for a bad `as_of`) cannot hide a crash on another parameter.

The pages run in the world of the page-language test (matrix_world, built once for the
module); the path arguments are its KWARGS. One test per URL, so a failure names the URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.http import QueryDict
from django.urls import reverse

from .matrix import Persona, url_names
from .matrix_world import NOW
from .test_page_language import KWARGS, ROLES, Kwargs, Site, client_for, role_name, site

__all__ = ["site"]  # the module's world, shared with the page-language test

# Every name a view or a form of the project reads from a query string (grep request.GET and
# the forms the pages fill from it), and Django admin's own.
PARAMETERS = sorted({
    "agent", "as_of", "birth", "by", "category", "channel", "claim_on", "close", "code",
    "commune", "date_from", "date_to", "days", "due", "ethnicity", "export", "from",
    "future_income", "ground", "household", "income", "kind", "lang", "last_paid", "members",
    "metric", "mode", "month", "months", "next", "office", "on", "organisation", "page",
    "paid_months", "paid_years", "participation", "past_income", "period", "person", "product",
    "prospect", "q", "reason", "sex", "sort", "span", "stage", "start", "status", "to", "unit",
    "village", "year", "years", "cursor", "limit", "since", "full_name", "national_id",
    "birth_date", "phone", "note", "amount", "paid_on", "number", "start_month", "first_month",
    "compulsory_years", "compulsory_months", "compulsory_salary", "compulsory_end",
    # Django admin's changelist
    "o", "p", "e", "_changelist_filters", "_popup", "_to_field", "all",
})

LONG = "Nguyễn" * 2000  # 12,000 characters
HUGE = "99999999999999999999"
# Tried by every role that sees the page, each value in every parameter at once.
CORE: tuple[str, ...] = ("0001-01-01", "9999-12-31", HUGE, "-1", "\x00", "abc", LONG)
# The other roles that see the page, at once.
LITE: tuple[str, ...] = (HUGE, "9999-12-31", "\x00")
# Django's admin (its own code, but our ModelAdmins): the administrator, at once.
ADMIN: tuple[str, ...] = ("", HUGE, "9999-12-31", "\x00", LONG)
# Shared out between the roles that see the page (each value tried by one of them).
MORE: tuple[str, ...] = (
    "2026-02-30", "0000-00-00", "0000-00", "9999-12", "2026-13", "1899-12", "-" + HUGE,
    str(2**63), str(2**63 - 1), "0", "-5", "Hồ\x00Văn", "1\x00", "1.5", "1e309", "NaN",
    "Nguyễn Thị Ánh Tuyết ưởng", "'; drop table core_user; --", "", "%", "commune:" + HUGE,
    "village:abc", "../../etc/passwd", "<script>x</script>", "10000", "03/0000", "99/99999",
    "²", "١٢", "1900-01", "2101-01-01", "2026-Q5", "0000", "9999",
)
# Tried alone in each parameter the page was seen to read, by one role that sees the page.
ALONE: tuple[str, ...] = ("9999-12-31", HUGE, "\x00", "²")  # ² is a digit to str.isdigit
# The page-language test's path arguments, and those of a download it skips but whose
# parameters are read all the same.
PATH_KWARGS: dict[str, Kwargs] = {
    **KWARGS, "registry:person_data": lambda place: {"pk": place.prospect.pk}}
# Path arguments of a pattern the page-language test does not visit (POST-only, no record in
# its world): any number; a missing record must be a 404.
OTHER_KWARGS: dict[str, dict[str, Any]] = {
    "retention:si_history": {"pk": 1},
    "admin:auth_user_password_change": {"id": 1},
    "api:revoke": {"device_id": 1},
    "device_revoke": {"pk": 1},
    "registry:import_status": {"pk": 1},
    "registry:import_errors": {"pk": 1},
    "registry:export_status": {"pk": 1},
    "registry:export_download": {"pk": 1},
    "sync_conflicts:resolve": {"pk": 1},
    "registry:merge_undo": {"pk": 1},
    "registry:merge_reviewed": {"pk": 1},
}


def admin_kwargs(name: str) -> dict[str, Any] | None:
    """The path arguments of an admin URL: an object of its model, the app's label."""
    short = name.removeprefix("admin:")
    if short == "app_list":
        return {"app_label": "registry"}
    if short in ("view_on_site",):
        return {"content_type_id": 1, "object_id": 1}
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix):
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return {"object_id": first if first is not None else 1}
    return None


# The admin's unnamed catch-all patterns, by the address they answer.
UNNAMED = {
    "admin:<(?P<url>.*)$>": "/admin/no/such/page/",
    "admin:<<path:object_id>/>": "/admin/registry/person/1/",
}


def path_of(name: str, site: Site) -> str:
    if name in UNNAMED:
        return UNNAMED[name]
    place = site.world.places[next(iter(site.world.places))]
    if name in PATH_KWARGS:
        return reverse(name, kwargs=PATH_KWARGS[name](place))
    if name in OTHER_KWARGS:
        return reverse(name, kwargs=OTHER_KWARGS[name])
    try:
        return reverse(name)
    except Exception:
        kwargs = admin_kwargs(name) if name.startswith("admin:") else None
        assert kwargs is not None, f"{name}: give it path arguments in OTHER_KWARGS"
        return reverse(name, kwargs=kwargs)


def huge_path(name: str, site: Site) -> str | None:
    """The same URL with each number of its path made huge (a record that cannot exist)."""
    place = site.world.places[next(iter(site.world.places))]
    kwargs = (PATH_KWARGS[name](place) if name in PATH_KWARGS else OTHER_KWARGS.get(name))
    if name in UNNAMED or not kwargs or not any(isinstance(v, int) for v in kwargs.values()):
        return None
    return reverse(name, kwargs={k: int(HUGE) if isinstance(v, int) else v
                                 for k, v in kwargs.items()})


# ---------------------------------------------------------------------------------------------
# The parameters a page reads


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Every key read from any QueryDict (request.GET, its copies) while the block runs."""
    seen: set[str] = set()
    originals = {name: getattr(QueryDict, name)
                 for name in ("get", "getlist", "__getitem__", "__contains__", "pop")}

    def wrap(name: str) -> Any:
        original = originals[name]

        def reading(self: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                seen.add(key)
            return original(self, key, *args, **kwargs)
        return reading

    for name in originals:
        setattr(QueryDict, name, wrap(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


# ---------------------------------------------------------------------------------------------
# The test


class Tally:
    requests = 0
    seconds = 0.0


def at_once(value: str, read: set[str]) -> str:
    """`value` in every parameter (the very long one only in those the page reads)."""
    names = sorted(set(PARAMETERS) | read)
    return urlencode({name: value if value != LONG or name in read else value[:300]
                      for name in names})


def queries(name: str, read: set[str], turn: int, turns: int) -> Iterator[str]:
    """The hostile query strings for the `turn`-th of `turns` roles that see a page reading
    `read`. The first role: the CORE values in every parameter at once, each parameter
    repeated (a good value then bad ones), each parameter alone; the others: a few values at
    once; each role its share of MORE. On Django's admin, the first role a few values."""
    if name.startswith("admin:"):
        if turn == 0:
            for value in ADMIN:
                yield at_once(value, read)
        return
    for value in CORE if turn == 0 else LITE:
        yield at_once(value, read)
    for value in MORE[turn::turns]:
        yield at_once(value, read)
    if turn == 0:
        names = sorted(set(PARAMETERS) | read)
        yield urlencode([(key, v) for key in names for v in ("1", HUGE, "\x00")])
        for key in sorted(read):
            for value in ALONE:
                yield urlencode({key: value})


def crashes(site: Site, name: str) -> tuple[list[str], int]:
    problems: list[str] = []
    count = 0
    path = path_of(name, site)
    extra = huge_path(name, site)
    seeing: list[tuple[Persona | None, set[str]]] = []
    for role in ROLES:
        client = client_for(site, role, "vi")
        with recording_reads() as read:
            first = client.get(path)
        count += 1
        if first.status_code >= 500:
            problems.append(f"{role_name(role)} GET {path}: HTTP {first.status_code}")
        if first.status_code == 200:
            seeing.append((role, read))
            continue
        if name.startswith("admin:") and role is not None:
            continue  # the admin's sign-in page, as for anonymous below
        # not this role's page (a redirect to sign in, a refusal): its parameters are never
        # read; a hostile query all at once, and a huge record number, are enough
        hostile = urlencode({**{key: HUGE for key in PARAMETERS}, "q": "\x00", "next": LONG})
        for url in (f"{path}?{hostile}", extra):
            if url:
                count += 1
                problems += crash(client, role, url)
    for turn, (role, read) in enumerate(seeing):
        client = client_for(site, role, "vi")
        attempts = [f"{path}?{query}" for query in queries(name, read, turn, len(seeing))]
        if extra:
            attempts.append(extra)
        for url in attempts:
            count += 1
            problems += crash(client, role, url)
    return problems, count


def crash(client: Any, role: Persona | None, url: str) -> list[str]:
    response = client.get(url)
    if response.status_code < 500:
        return []
    exc = getattr(response, "exc_info", None)
    cause = f"{exc[0].__name__}: {str(exc[1])[:160]}" if exc else ""
    return [f"{role_name(role)} GET {url[:200]}: HTTP {response.status_code} {cause}"]


@pytest.fixture(scope="module", autouse=True)
def _count(request: Any) -> Iterator[None]:
    """The number of requests made, printed at the end of the module (for the issue's note)."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin(
        "capturemanager")
    if reporter is not None and capture is not None and Tally.requests:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nhostile queries: {Tally.requests} requests "
                                f"in {Tally.seconds:.0f} s")


@pytest.mark.parametrize("name", url_names())
def test_every_url_answers_a_hostile_query(site: Site, db: None, name: str) -> None:
    start = time.monotonic()
    with time_machine.travel(NOW, tick=False):
        problems, count = crashes(site, name)
    Tally.requests += count
    Tally.seconds += time.monotonic() - start
    assert not problems, f"{len(problems)} server errors:\n" + "\n".join(problems[:20])


def test_the_recorder_sees_what_a_page_reads(site: Site, db: None) -> None:
    """The per-parameter tries rest on the recorder: the register's list reads `q`, `commune`,
    `page` (a form field the same way)."""
    client = client_for(site, Persona.DIRECTOR, "vi")
    with time_machine.travel(NOW, tick=False), recording_reads() as read:
        assert client.get(reverse("registry:person_list")).status_code == 200
    assert {"q", "commune", "page"} <= read


def test_the_parameter_list_names_every_form_field_of_the_calculator() -> None:
    from ansinh.calculator import forms

    fields = set()
    for form in (forms.PayForm, forms.PensionForm, forms.CashOutForm):
        fields |= set(form.base_fields)
    assert fields <= set(PARAMETERS), fields - set(PARAMETERS)
    assert apps.is_installed("django.contrib.admin")
