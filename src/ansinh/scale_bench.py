"""`make bench-scale`: the national-scale figures, in one run on a fresh PostgreSQL database.

    python -m ansinh.scale_bench --persons 10000000 --ledger 50000000 [--keep] [--out F]

1. The data set (`ansinh.scale_generate`): the A Lưới demo (`seed-demo`), then generated
   provinces, offices, persons, participations and ledger rows (receipts + paid months)
   through COPY, indexes rebuilt after. Goal: 10M persons and 50M ledger rows in ≤ 30 min.
2. The nightly steps, `--jobs` offices side by side (default: the CPUs): the summary cells
   built for every office, rebuilt in full once more (an office's turn), then what the
   schedule runs every night, `rebuild-figures --nightly` and `refresh-priorities` (goal:
   < 10 min for those two). A command this branch does not have is "not available", never
   timed.
3. Pages through Django's test client on the same database: the director's dashboard
   (`reports:dashboard`, giamdoc) and the agents' worklists (`outreach:worklist`, thu11..thu52),
   warm-up then N requests each, p50 / p95; and a province-wide roll-up over the summary table
   of the reports app when there is one.
4. The import of up to 1M persons (A Lưới's, exported by `export_persons` and given new
   national IDs and household codes) into an empty office register, against a bare COPY of
   the same rows into the same table (`ansinh.bench.import_against_copy`).

The figures are printed as a table and written as JSON (default var/bench-scale-<time>.json)
with the environment: CPU count, PostgreSQL version, shared_buffers. The database is dropped at
the end unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PG = ("psql", "-h", "127.0.0.1", "-U", "postgres", "-qAt")
AS_OF = "2026-12-02"
NOT_AVAILABLE = "not available"


def _log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run([*PG, "-c", sql, database], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


# ---------------------------------------------------------------------------------------------
# Steps (run inside Django, on the bench database)


def build(persons: int, ledger: int, demo_persons: int, seed: int,
          al_share: float | None) -> dict[str, Any]:
    from django.core.management import call_command

    from ansinh.scale_generate import generate

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures["migrate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("seed-demo", persons=demo_persons, as_of=date.fromisoformat(AS_OF),
                 seed=seed, verbosity=0)
    figures["seed_demo_s"] = time.perf_counter() - started
    started = time.perf_counter()
    figures.update(generate(persons, ledger, as_of=date.fromisoformat(AS_OF), seed=seed,
                            log=_log, al_share=al_share))
    figures["generate_s"] = time.perf_counter() - started
    figures["total_s"] = figures["migrate_s"] + figures["seed_demo_s"] + figures["generate_s"]
    return figures


YESTERDAY = "yesterday"  # in a step's arguments: the day before the bench's
NIGHTLY_STEPS = (  # (name, command and arguments); the nightly is the last two
    ("first build of the summary cells", ("rebuild-figures",)),
    ("full rebuild, every office (its turn)", ("rebuild-figures",)),
    ("first computation of the priorities, yesterday",
     ("refresh-priorities", "--full", "--as-of", YESTERDAY)),
    ("rebuild-figures --nightly", ("rebuild-figures", "--nightly")),
    ("refresh-priorities", ("refresh-priorities",)),
)


def nightly(jobs: int, steady_full: bool = True) -> dict[str, Any]:
    """The summary cells built for every office, rebuilt in full once more (what an office's
    turn costs), then what the schedule runs every night: the cells of the day (a seventh of
    the offices in full) and the worklist priorities, with `jobs` offices side by side.
    A command this branch does not have is "not available", never timed."""
    from django.core.management import call_command, get_commands
    from django.utils import timezone

    figures: dict[str, Any] = {"jobs": jobs}
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    for name, (command, *arguments) in NIGHTLY_STEPS:
        options = [yesterday if option == YESTERDAY else option for option in arguments]
        if name == NIGHTLY_STEPS[1][0] and not steady_full:
            figures[name] = "skipped (--no-steady-full)"
            continue
        if command not in get_commands():
            figures[name] = NOT_AVAILABLE
            _log(f"{command}: {NOT_AVAILABLE} on this branch")
            continue
        out = io.StringIO()
        started = time.perf_counter()
        call_command(command, *options, "--jobs", str(jobs), "--json", stdout=out)
        total = time.perf_counter() - started
        results = json.loads(out.getvalue())
        found: dict[str, Any] = {"offices": len(results), "total_s": round(total, 2)}
        if results and "seconds" in results[0]:
            slowest = max(results, key=lambda result: result["seconds"])
            found |= {"slowest": slowest["office"], "slowest_s": slowest["seconds"],
                      "full": sum(result.get("mode") == "full" or result.get("full", 0) > 0
                                  for result in results)}
            if "recomputed" in results[0]:  # the priorities: persons carried forward
                found["recomputed"] = sum(result["recomputed"] for result in results)
        figures[name] = found
        _log(f"{name}: {total:.1f} s for {len(results)} offices")
    timed = [figures[name]["total_s"] for name, _command in NIGHTLY_STEPS[-2:]
             if isinstance(figures[name], dict)]
    figures["total_s"] = round(sum(timed), 2) if len(timed) == 2 else NOT_AVAILABLE
    return figures


def _time_get(clients: list[Any], url: str, requests: int, warmup: int) -> dict[str, Any]:
    samples: list[float] = []
    for index in range(warmup + requests):
        client = clients[index % len(clients)]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return {"error": f"HTTP {response.status_code}"}
        if index >= warmup:
            samples.append(elapsed)
    return percentiles(samples)


def pages(requests: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from ansinh.core.models import User

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    figures: dict[str, Any] = {}
    # signed in directly: the login page (and its lockout backend) is not what is timed
    director = Client()
    director.force_login(User.objects.get(username="giamdoc"))
    figures["dashboard"] = _time_get([director], reverse("reports:dashboard"), requests, 3)
    agents = []
    for commune in range(1, 6):
        for slot in (1, 2):
            client = Client()
            client.force_login(User.objects.get(username=f"thu{commune}{slot}"))
            agents.append(client)
    # each agent warms its own worklist once, then the requests go round the ten agents
    figures["worklist"] = _time_get(agents, reverse("outreach:worklist"), requests, len(agents))
    figures["province_rollup"] = province_rollup(requests)
    return figures


def province_rollup(requests: int) -> dict[str, Any] | str:
    """The province page (`reports:province`, an administrator, Huế): every office of the
    province side by side from the summary cells, as its user opens it."""
    from django.test import Client
    from django.urls import reverse

    from ansinh.core.models import User

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return NOT_AVAILABLE
    client = Client()
    client.force_login(admin)
    return _time_get([client], reverse("reports:province") + "?province=46", requests, 3)


def import_ratio(limit: int) -> dict[str, Any]:
    """Export up to `limit` A Lưới persons, give them new national IDs and household codes,
    then import them into a new office with the same communes and villages (empty), against a
    bare COPY of the same rows (ansinh.bench.import_against_copy)."""
    from django.db import transaction

    from ansinh.bench import import_against_copy
    from ansinh.core.models import Office
    from ansinh.core.spreadsheet import csv_writer
    from ansinh.registry.columns import COLUMNS
    from ansinh.registry.exporting import export_persons
    from ansinh.registry.models import Commune, Person, Village

    al = Office.objects.get(code="AL")
    ids = list(Person.objects.filter(office=al).order_by("id").values_list("id", flat=True)
               [:limit])
    folder = Path(tempfile.mkdtemp(prefix="ansinh-scale-"))
    exported = folder / "export.csv"
    started = time.perf_counter()
    export_persons(exported, Person.objects.filter(id__in=ids) if len(ids) < 200_000 else
                   Person.objects.filter(office=al, id__lte=ids[-1]))
    export_s = time.perf_counter() - started
    figures: dict[str, Any] = {"rows": len(ids), "export_s": round(export_s, 2),
                               "export_rows_per_s": round(len(ids) / export_s)}
    keys = [column.key for column in COLUMNS]
    national, household = keys.index("national_id"), keys.index("household_code")
    prepared = folder / "import.csv"
    with exported.open(encoding="utf-8-sig", newline="") as source, \
            prepared.open("w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv_writer(target)
        writer.writerow(next(reader))
        for row in reader:
            if row[national]:
                row[national] = "096" + row[national][3:]  # a province no generated person is in
            if row[household]:
                row[household] = "N-" + row[household]
            writer.writerow(row)
    exported.unlink()
    with transaction.atomic():
        office = Office.objects.create(code="NHAP", name="BHXH cơ sở (nhập thử)")
        for commune in Commune.objects.filter(office=al):
            copy = Commune.objects.create(office=office, province_id=commune.province_id,
                                          code=f"N-{commune.code}", name=commune.name)
            Village.objects.bulk_create([
                Village(commune=copy, code=f"N-{v.code}", name=v.name,
                        name_folded=v.name_folded, former_commune=v.former_commune,
                        remoteness=v.remoteness)
                for v in Village.objects.filter(commune=commune)])
    figures.update(import_against_copy(prepared, Village.objects.filter(commune__office=office),
                                       Person.objects.filter(office=office), len(ids)))
    prepared.unlink()
    return figures


def environment() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        # the server's defaults (the load raises maintenance_work_mem to 2GB for itself)
        # autovacuum: off on this kind of machine's CI cluster, where only the explicit vacuums
        # after bulk rewrites keep the index-only reads (figures.vacuum_after)
        settings_wanted = ("shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size",
                           "max_parallel_workers_per_gather", "autovacuum")
        found = {}
        for name in settings_wanted:
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
    # the machine is shared: its load when the run started says how far to trust the times
    return {"cpus": os.cpu_count(), "postgresql": version.split(" on ")[0], **found,
            "load_average_at_start": round(os.getloadavg()[0], 1)}


def database_size() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return {"database_size": cursor.fetchone()[0]}


def flat_worker(persons: int, requests: int, seed: int) -> dict[str, Any]:
    """One size of the flatness check. `persons` > 0: seed the A Lưới demo of that size (its
    summary cells built by the seeder) and today's priorities; 0: time the director's
    dashboard and the worklists on the database as it is."""
    from django.core.management import call_command

    if not persons:
        return pages(requests)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed-demo", persons=persons, as_of=date.fromisoformat(AS_OF), seed=seed,
                 verbosity=0)
    call_command("refresh-priorities", stdout=io.StringIO())
    seeded = time.perf_counter() - started
    _log(f"{persons:,} persons seeded in {seeded:.0f} s")
    return {"persons": persons, "seed_s": round(seeded, 1)}


def worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    django.setup()
    if args.flat_size is not None:
        return flat_worker(args.flat_size, args.requests, args.seed)
    figures: dict[str, Any] = {"persons": args.persons, "ledger_target": args.ledger,
                               "environment": environment()}
    partial = Path(os.environ["ANSINH_SCALE_PARTIAL"]) if os.environ.get(
        "ANSINH_SCALE_PARTIAL") else None

    def keep() -> None:  # a run stopped half-way keeps the figures it has
        if partial:
            partial.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))

    figures["build"] = build(args.persons, args.ledger, args.demo_persons, args.seed,
                             args.al_share)
    figures["size"] = database_size()
    figures["environment"]["load_average_after_build"] = round(os.getloadavg()[0], 1)
    _log(f"built in {figures['build']['total_s']:.0f} s; {figures['size']['database_size']}")
    keep()
    figures["nightly"] = nightly(args.jobs, args.steady_full)
    keep()
    figures["pages"] = pages(args.requests)
    keep()
    _log("pages timed")
    if args.import_rows:
        figures["import"] = import_ratio(args.import_rows)
        _log("import timed")
    return figures


# ---------------------------------------------------------------------------------------------
# Report


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "—"


def table(figures: dict[str, Any]) -> str:
    build_ = figures["build"]
    rows = build_.get("rows", {})
    lines = [
        f"ansinh bench-scale — {figures['persons']:,} persons, ledger target "
        f"{figures['ledger_target']:,} (as of {AS_OF})",
        "environment: " + ", ".join(f"{k}={v}" for k, v in figures["environment"].items()),
        f"{'step':<44}{'seconds':>10}{'rows':>14}{'rows/s':>12}",
    ]

    def line(label: str, seconds: Any, count: int | None = None) -> None:
        if not isinstance(seconds, int | float):
            lines.append(f"{label:<44}{seconds!s:>10}")
            return
        counted = f"{count:>14,}{_rate(count, seconds):>12}" if count else ""
        lines.append(f"{label:<44}{seconds:>10.1f}{counted}")

    line("migrate", build_["migrate_s"])
    line("seed-demo (A Lưới)", build_["seed_demo_s"])
    line("reference rows (provinces, offices, …)", build_["places_s"])
    line("drop secondary indexes", build_["drop_indexes_s"])
    line("generate + COPY (wall)", build_["copy_wall_s"], build_["rows_total"])
    for name, count in rows.items():
        lines.append(f"  {name:<42}{'':>10}{count:>14,}")
    lines.append(f"  {'ledger rows (receipts + paid months)':<42}{'':>10}"
                 f"{build_['ledger_rows']:>14,}")
    line("  of which Python generating", build_["python_generate_s"])
    line("  of which COPY on the server", build_["copy_server_s"])
    line("rebuild indexes and constraints", build_["rebuild_indexes_s"])
    line("refresh A Lưới's period closes", build_["refresh_period_closes_s"])
    line("ANALYZE", build_["analyze_s"])
    line("data set in all (goal ≤ 1800 s)", build_["total_s"], build_["rows_total"])
    lines.append(f"database size: {figures['size']['database_size']}")
    nightly_ = figures["nightly"]
    lines.append(f"nightly steps, {nightly_['jobs']} offices side by side (--jobs):")
    for name, _command in NIGHTLY_STEPS:
        found = nightly_[name]
        if isinstance(found, dict):
            slowest = (f", slowest {found['slowest']} {found['slowest_s']} s"
                       if "slowest" in found else "")
            full = f", {found['full']} in full" if "full" in found else ""
            carried = (f", {found['recomputed']:,} persons recomputed"
                       if "recomputed" in found else "")
            line(f"  {name} ({found['offices']} offices{full}{carried}{slowest})",
                 found["total_s"])
        else:
            line(f"  {name}", found)
    line("nightly in all: the last two (goal < 600 s)", nightly_["total_s"])
    for name, found in figures["pages"].items():
        if isinstance(found, dict) and "p50_ms" in found:
            lines.append(f"{name + ' (ms)':<44}p50 {found['p50_ms']:>8} p95 {found['p95_ms']:>8}"
                         f" (n={found['n']})")
        else:
            lines.append(f"{name:<44}{found}")
    imported = figures.get("import")
    if imported:
        line("export persons (CSV)", imported["export_s"], imported["rows"])
        line("import persons", imported["import_s"], imported["rows"])
        for key, label in (("dedup_check_s", "  of which the duplicate check"),
                           ("write_s", "  of which writing")):
            if key in imported:
                line(label, imported[key])
        line("bare COPY of the same rows", imported["raw_insert_s"], imported["rows"])
        lines.append(f"{'import / bare COPY (rows/s ratio, goal ≥ 0.5)':<44}"
                     f"{imported['import_to_raw']:>10.2f}")
    return "\n".join(lines)


def _run_worker(name: str, arguments: list[str], failed: str = "",
                **environment: str) -> dict[str, Any]:
    """Run the worker with `arguments` (and `environment`) on database `name`; its figures.
    A failed worker ends the bench with its exit code and `failed` said after it."""
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
               ANSINH_MANIFEST_STATIC="false", ANSINH_VAR_DIR=tempfile.mkdtemp(), **environment)
    done = subprocess.run([sys.executable, "-m", "ansinh.scale_bench", "--worker", *arguments],
                          env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench-scale failed (exit {done.returncode}){failed}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


FLAT_ROUNDS = 3


def flat(sizes: list[int], requests: int, seed: int) -> None:
    """The director's dashboard and an agent's worklist at each demo size: each size seeded
    on its own database, then the sizes timed in turn, FLAT_ROUNDS rounds (whatever else
    runs on the machine weighs on every size alike); the median p50 and p95 of the rounds,
    and each size's ratio to the smallest (the goal: at most 2)."""
    sizes = sorted(sizes)
    names = [f"ansinh_flat_{os.getpid()}_{size}" for size in sizes]
    runs: list[dict[str, Any]] = []
    try:
        for name, size in zip(names, sizes, strict=True):
            _psql(f"CREATE DATABASE {name}")
            runs.append(_run_worker(name, ["--flat-size", str(size), "--seed", str(seed)]))
        timed: list[list[dict[str, Any]]] = [[] for _ in sizes]
        for round_ in range(FLAT_ROUNDS):
            for index, name in enumerate(names):
                timed[index].append(_run_worker(name, ["--flat-size", "0", "--requests",
                                                       str(requests)]))
            _log(f"round {round_ + 1} of {FLAT_ROUNDS} timed")
    finally:
        for name in names:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for run, rounds in zip(runs, timed, strict=True):
        for page in ("dashboard", "worklist"):
            run[page] = {key: statistics.median(found[page][key] for found in rounds)
                         for key in ("p50_ms", "p95_ms")} | {"rounds": [
                             found[page] for found in rounds]}
    first = runs[0]
    print(f"{'persons':>10}{'seed s':>8}  {'page':<10}{'p50 ms':>8}{'p95 ms':>8}"
          f"{'p50 × smallest':>16}")
    for run in runs:
        for page in ("dashboard", "worklist"):
            found = run[page]
            ratio = found["p50_ms"] / first[page]["p50_ms"]
            print(f"{run['persons']:>10,}{run['seed_s']:>8.0f}  {page:<10}"
                  f"{found['p50_ms']:>8}{found['p95_ms']:>8}{ratio:>16.2f}")
    out = Path(os.environ.get("ANSINH_VAR_DIR", "var")) / (
        f"bench-flat-{datetime.now(UTC):%Y%m%d-%H%M%S}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(runs, indent=2, default=str) + "\n")
    print(f"JSON: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--ledger", type=int, default=50_000_000,
                        help="receipts + paid months to generate")
    parser.add_argument("--demo-persons", type=int, default=20_000,
                        help="the A Lưới demo's size (seed-demo --persons)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--al-share", type=float, default=None,
                        help="the A Lưới office's share of the persons (default a tenth; "
                             "0.5 of 2M persons: the 10M set's A Lưới in a smaller set)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="persons for the import ratio (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--no-steady-full", dest="steady_full", action="store_false",
                        help="skip the second full rebuild (the nightly step has its turns)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="offices side by side in the nightly steps (default: the CPUs)")
    parser.add_argument("--database", default=None, help="database name (default: new)")
    parser.add_argument("--out", default=None, help="JSON file (default var/bench-scale-*.json)")
    parser.add_argument("--flat", type=int, nargs="+", default=None, metavar="PERSONS",
                        help="instead: the dashboard and the worklist at these demo sizes, "
                             "each on a fresh database (issue 14: at most 2x apart)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--flat-size", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args), default=str))
        return
    if args.flat:
        flat(args.flat, args.requests, args.seed)
        return
    name = args.database or f"ansinh_scale_{os.getpid()}"
    _psql(f"CREATE DATABASE {name}")
    _log(f"database {name} created")
    out = Path(args.out) if args.out else Path(os.environ.get("ANSINH_VAR_DIR", "var")) / (
        f"bench-scale-{datetime.now(UTC):%Y%m%d-%H%M%S}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        figures = _run_worker(
            name, sys.argv[1:], f"; database {name} " + ("kept" if args.keep else "dropped"),
            ANSINH_SCALE_PARTIAL=str(out.with_suffix(".partial.json")))
    finally:
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            _log(f"database {name} dropped")
    figures["database"] = name if args.keep else f"{name} (dropped)"
    print(table(figures))
    out.with_suffix(".partial.json").unlink(missing_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"JSON: {out}")


if __name__ == "__main__":
    main()
