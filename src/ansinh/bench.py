"""`make bench`: how the bulk paths scale (10k, 100k, 1M persons), beside the raw limit; and
the agent's pages on slow 3G in chromium (ansinh.pages_bench; `--only pages` runs just that).

Each size runs in a fresh database (a temporary SQLite file; with --postgres also a fresh
PostgreSQL database) in its own process. For each it times `seed-demo`, the export, and the
import of that export into an empty register, and then the bare insert of the very same rows
(`executemany` on SQLite, `COPY` on PostgreSQL) into the same table: the ratio import / raw is
the figure to watch (goal: at least 0.5). Policy-engine timings come from ansinh.policy.bench.

A second process per size seeds the same demo and runs each app's `bench.measure()` (money,
progress reports, worklists and funnels), each of which times its own work beside the bare SQL
that does the same.

A third (`--only dedup`; ansinh.dedup_bench) generates a seeded register with known
duplicates per size, in memory, and times the duplicate detection beside one blocked rapidfuzz
pass over the same blocks, with its precision and recall at the default threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PERSON_COLUMNS = (
    "office_id", "village_id", "household_id", "uuid", "full_name", "name_folded", "birth_date",
    "birth_year_only", "sex", "ethnicity", "local_group", "national_id", "si_number", "phone",
    "relation_to_head", "si_status", "si_status_source", "si_status_as_of", "created_at",
    "updated_at", "created_by_id",
)


# Read-only benches first: the collection bench enrols and records more rows.
APP_BENCHES = (
    ("reports", "ansinh.reports.bench"),
    ("outreach", "ansinh.outreach.bench"),
    ("collection", "ansinh.collection.bench"),
    ("api", "ansinh.api.bench"),  # the phone's download (after the others: it writes 50 edits)
)


def apps_worker(persons: int) -> dict[str, Any]:
    """Seed the demo, then run each app's measure() in turn."""
    import importlib
    import importlib.util

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed-demo", persons=persons, verbosity=0)
    figures: dict[str, Any] = {"persons": persons, "seed_all_s": time.perf_counter() - started}
    wanted = os.environ.get("ANSINH_BENCH_APPS", "")
    for label, module in APP_BENCHES:
        if wanted and label not in wanted.split(","):
            continue
        if importlib.util.find_spec(module) is None:
            continue
        figures[label] = importlib.import_module(module).measure()
    return figures


def worker(persons: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ansinh.registry.exporting import export_persons
    from ansinh.registry.models import Person, Village

    call_command("migrate", verbosity=0)
    figures: dict[str, Any] = {"persons": persons, "database": connection.vendor}
    started = time.perf_counter()
    call_command("seed-demo", persons=persons, register_only=True, verbosity=0)
    figures["seed_s"] = time.perf_counter() - started

    export_path = Path(tempfile.mkdtemp()) / "register.csv"
    started = time.perf_counter()
    export_persons(export_path, Person.objects.all())
    figures["export_s"] = time.perf_counter() - started

    # the import creates every row again into an empty register
    Person.objects.all()._raw_delete(Person.objects.db)
    figures.update(import_against_copy(export_path, Village.objects.all(), Person.objects.all(),
                                       persons))
    figures["seed_rows_per_s"] = persons / figures["seed_s"]
    return figures


def import_against_copy(export_path: Path, territory: Any, register: Any,
                        persons: int) -> dict[str, Any]:
    """Time `ansinh import` of `export_path` into the empty `register` (a Person queryset)
    within `territory`, then a bare insert (COPY on PostgreSQL) of the very same rows into the
    same table; the register is left holding those rows."""
    from django.db import connection, transaction

    from ansinh.core.bulk import insert_rows
    from ansinh.registry.importing import import_persons
    from ansinh.registry.models import DuplicatePair, Person
    from ansinh.registry.reading import OPERATOR

    figures: dict[str, Any] = {}
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    # skip_invalid: generated registers hold a few namesakes born the same day in one village,
    # which a file may not list twice (a row error); the rest is written
    result = import_persons(export_path, territory=territory, limits=OPERATOR,
                            progress=progress, skip_invalid=True)
    ended = time.perf_counter()
    figures["import_s"] = ended - started
    # the duplicate check: from its first progress report to the writer's; the writing: from
    # the writer's first report to the end
    if "dedup" in stages:
        figures["dedup_check_s"] = stages.get("write", ended) - stages["dedup"]
    if "write" in stages:
        figures["write_s"] = ended - stages["write"]
    # a row that is probably a person of an earlier row is held back for the duplicate queue
    # (registry.dedup: the demo's namesakes); every row is created or held
    assert result.imported and result.created + result.held + result.invalid == persons, \
        result.as_dict()
    figures["held_as_duplicates"] = result.held
    figures["invalid"] = result.invalid

    rows = list(register.order_by("id").values_list(*PERSON_COLUMNS))
    if connection.vendor == "sqlite":
        from ansinh.core.bulk import db_datetime

        rows = [(*row[:3], row[3].hex, *row[4:18], db_datetime(row[18]), db_datetime(row[19]),
                 row[20]) for row in rows]
    DuplicatePair.objects.all()._raw_delete(DuplicatePair.objects.db)  # the held rows' pairs
    register._raw_delete(Person.objects.db)
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(Person._meta.db_table, PERSON_COLUMNS, rows)
    figures["raw_insert_s"] = time.perf_counter() - started
    figures["import_rows_per_s"] = persons / figures["import_s"]
    figures["raw_rows_per_s"] = len(rows) / figures["raw_insert_s"]
    figures["import_to_raw"] = figures["import_rows_per_s"] / figures["raw_rows_per_s"]
    return figures


def _run_size(persons: int, database_url: str | None, part: str = "--worker") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as var_dir:
        env = dict(os.environ, ANSINH_VAR_DIR=var_dir)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        done = subprocess.run(
            [sys.executable, "-m", "ansinh.bench", part, str(persons)],
            env=env, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"bench worker failed for {persons}:\n{done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _postgres_database(persons: int) -> tuple[str, str]:
    name = f"ansinh_bench_{persons}_{os.getpid()}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}",
                    "postgres"], check=True)
    return name, f"postgres://postgres@127.0.0.1:5432/{name}"


def _drop(name: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", "postgres"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--apps-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dedup-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("register", "apps", "pages", "dedup"), default=None,
                        help="run only the register bulk paths, the apps' benches, the "
                             "pages on slow 3G in chromium (ansinh.pages_bench), or the "
                             "duplicate detection (ansinh.dedup_bench)")
    parser.add_argument("--dedup-names", choices=("wide", "demo"), default="wide",
                        help="the dedup bench's given names: the demo's pools and common "
                             "ones besides (wide, default), or the demo's pools only")
    parser.add_argument("--pages-persons", type=int, default=50_000,
                        help="the demo's size for the pages bench (default: `make demo`'s)")
    parser.add_argument("--pages-var", default=None,
                        help="serve this already seeded demo folder (ANSINH_VAR_DIR) instead "
                             "of seeding a new one for the pages bench")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--apps", default="",
                        help="comma-separated apps' benches to run (default all: "
                             + ",".join(label for label, _m in APP_BENCHES) + ")")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    if args.apps_worker:
        print(json.dumps(apps_worker(args.apps_worker), default=str))
        return
    if args.dedup_worker:
        print(json.dumps(dedup_worker(args.dedup_worker, args.dedup_names)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.apps:
        os.environ["ANSINH_BENCH_APPS"] = args.apps
    targets: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        targets.append(("postgresql", "pg"))
    if args.only in (None, "register"):
        _register_bench(sizes, targets)
    if args.only in (None, "apps"):
        _apps_bench(sizes, targets)
    if args.only in (None, "dedup"):
        _dedup_bench(sizes, args.dedup_names)
    if args.only in (None, "pages"):
        from ansinh import pages_bench

        pages_bench.run(args.pages_persons, var_dir=args.pages_var)


def _in_database(kind: str | None, persons: int, part: str) -> dict[str, Any]:
    name = None
    url = None
    if kind:
        name, url = _postgres_database(persons)
    try:
        return _run_size(persons, url, part)
    finally:
        if name:
            _drop(name)


def _register_bench(sizes: list[int], targets: list[tuple[str, str | None]]) -> None:
    print("ansinh bench — register bulk paths (rows/s; ratio = import / raw insert, goal ≥ 0.5; "
          "the import checks each new row for a probable duplicate: held = rows held back)")
    header = (f"{'db':<10}{'persons':>10}{'seed/s':>12}{'import/s':>12}{'raw/s':>12}{'ratio':>8}"
              f"{'held':>8}{'dedup s':>10}{'import s':>10}")
    print(header)
    for label, kind in targets:
        for persons in sizes:
            figures = _in_database(kind, persons, "--worker")
            print(f"{label:<10}{persons:>10,}{figures['seed_rows_per_s']:>12,.0f}"
                  f"{figures['import_rows_per_s']:>12,.0f}{figures['raw_rows_per_s']:>12,.0f}"
                  f"{figures['import_to_raw']:>8.2f}{figures['held_as_duplicates']:>8,}"
                  f"{figures.get('dedup_check_s', 0):>10.1f}{figures['import_s']:>10.1f}",
                  flush=True)
    try:
        from ansinh.policy import bench as policy_bench
    except ImportError:
        return
    print("policy engine:", json.dumps(policy_bench.run()))


def _apps_bench(sizes: list[int], targets: list[tuple[str, str | None]]) -> None:
    print("ansinh bench — apps (seconds; x_to_bare = the app's time / bare SQL of the same rows)")
    for label, kind in targets:
        for persons in sizes:
            figures = _in_database(kind, persons, "--apps-worker")
            print(f"{label} {persons:,} persons: "
                  + json.dumps(_rounded(figures), ensure_ascii=False), flush=True)


def dedup_worker(persons: int, names: str) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    django.setup()
    from ansinh import dedup_bench

    return dedup_bench.measure(persons, names=names)


def _dedup_bench(sizes: list[int], names: str) -> None:
    print(f"ansinh bench — duplicate detection ({names} names; ratio = dedup / one blocked "
          "rapidfuzz pass; goal precision and recall ≥ 0.98)")
    print(f"{'records':>10}{'pairs':>8}{'dedup s':>10}{'rapidfuzz s':>13}{'ratio':>8}"
          f"{'precision':>11}{'recall':>8}")
    for persons in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "ansinh.bench", "--dedup-worker", str(persons),
             "--dedup-names", names],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"dedup bench failed for {persons}:\n{done.stderr[-3000:]}")
        f = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{f['records']:>10,}{f['true_pairs']:>8,}{f['dedup_s']:>10.1f}"
              f"{f['rapidfuzz_pass_s']:>13.1f}{f['ratio']:>8.1f}{f['precision']:>11.4f}"
              f"{f['recall']:>8.4f}", flush=True)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    main()
