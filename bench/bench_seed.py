"""Bench-size seed vs the physical ceiling of writing the same rows.

Project: ``python -m passculture seed --size bench`` as a user runs it (interpreter and
Django start-up, data generation, ``bulk_create``), wall-clock time of the subprocess.

Ceiling: the very same rows (same generator, same seed, so same values) written into
the same tables of another freshly migrated database with the bare driver — sqlite3
``executemany`` in one transaction, or psycopg ``COPY`` — timing only the writes. The
rows are produced by running ``BenchLoader`` with ``bulk_create`` intercepted, so the
ceiling can never drift from what the seed really inserts.

Both sides run in subprocesses with their own DATABASE_URL and PASSCULTURE_VAR: the
benchmark never touches var/ nor the developer's database.

Environment: BENCH_STRUCTURES (10000), BENCH_VENUES_PER_STRUCTURE (3), BENCH_REPEAT (3),
BENCH_BUDGET_S (150: no new repetition starts past it), BENCH_DATABASE_URL (PostgreSQL
server to use instead of 127.0.0.1:5432).
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pg_databases
from run_all import BenchResult, Measurement

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "passculture_bench"
SUBPROCESS_TIMEOUT_S = 300  # one step; the overall bound is BENCH_BUDGET_S
LOADED_RE = re.compile(r"créé en ([\d.]+) s")
MEMBER_STRUCTURES = 100  # passculture.ops.seed_bench.BENCH_MEMBER_STRUCTURES

Row = tuple[Any, ...]
Table = tuple[str, list[str], list[Row]]  # (table, columns, rows)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _count(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _subprocess_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PASSCULTURE_VAR=str(var_dir),  # secret key and any file output go to the temp dir
        PASSCULTURE_ENV="embedded",  # the settings a developer runs the seed with
        DEBUG="0",  # DEBUG keeps every query in memory: not what we measure
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="passculture.settings",
    )
    return env


def _call(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def _migrate(env: dict[str, str]) -> None:
    _call([sys.executable, "-m", "passculture", "migrate", "--verbosity", "0"], env)


def _seed_args(structures: int, per_structure: int) -> list[str]:
    return [
        "seed",
        "--size",
        "bench",
        "--structures",
        str(structures),
        "--venues-per-structure",
        str(per_structure),
    ]


def _project(env: dict[str, str], structures: int, per_structure: int) -> tuple[float, float]:
    """Wall time of the seed command, and the load time it prints itself."""
    args = [sys.executable, "-m", "passculture", *_seed_args(structures, per_structure)]
    started = time.perf_counter()
    done = _call(args, env)
    elapsed = time.perf_counter() - started
    loaded = LOADED_RE.search(done.stdout)
    return elapsed, float(loaded.group(1)) if loaded else float("nan")


def _ceiling(env: dict[str, str], structures: int, per_structure: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "ceiling", str(structures), str(per_structure)]
    done = _call(args, env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- child process: generate the seed's rows, then write them with the bare driver ------------


def _generate_rows(structures: int, per_structure: int) -> list[Table]:
    """The rows `seed --size bench` inserts, in insertion order, as the driver receives them.

    BenchLoader runs for real with QuerySet.bulk_create swapped for a recorder that
    hands out primary keys, inside a transaction rolled back at the end (the loader
    also reads the database and creates its user with a real INSERT).
    """
    from unittest import mock

    from django.db import connection, models, transaction

    from passculture.accounts.models import User
    from passculture.ops.seed_bench import BENCH_DEFAULT_SEED, BenchLoader
    from passculture.ops.seeddata import BENCH_PRO_EMAIL

    recorded: dict[type[models.Model], list[models.Model]] = {}

    def record(
        queryset: models.QuerySet[Any], objs: Any, *args: Any, **kwargs: Any
    ) -> list[models.Model]:
        objs = list(objs)
        kept = recorded.setdefault(queryset.model, [])
        for obj in objs:
            if obj.pk is None:
                obj.pk = len(kept) + 1  # what a fresh table's sequence would hand out
            kept.append(obj)
        return objs

    with transaction.atomic():
        with mock.patch.object(models.QuerySet, "bulk_create", record):
            BenchLoader(BENCH_DEFAULT_SEED).load(structures, per_structure)
        user = User.objects.get(email=BENCH_PRO_EMAIL)
        transaction.set_rollback(True)

    tables: list[Table] = []
    for model, objs in [(User, [user]), *recorded.items()]:
        # The columns bulk_create writes, plus the id: explicit ids keep the foreign keys
        # right whatever the sequences did during the rolled-back generation.
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        rows = [
            # pre_save fills auto_now columns; get_db_prep_save is Django's own conversion.
            tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
            for obj in objs
        ]
        tables.append((model._meta.db_table, [f.column for f in fields], rows))
    connection.close()
    return tables


def _sqlite_write(path: str, tables: list[Table]) -> float:
    from decimal import Decimal

    # Django's sqlite backend registers Decimal -> str; convert now, outside the timing.
    tables = [
        (table, columns, [tuple(str(v) if isinstance(v, Decimal) else v for v in r) for r in rows])
        for table, columns, rows in tables
    ]
    db = sqlite3.connect(path, isolation_level=None)
    # The project's connection settings (settings.py, Django's sqlite backend).
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for table, columns, rows in tables:
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def _postgres_write(url: str, tables: list[Table]) -> float:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as db:
        started = time.perf_counter()
        with db.cursor() as cursor:
            for table, columns, rows in tables:
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
        db.commit()
        return time.perf_counter() - started


def ceiling_child(structures: int, per_structure: int) -> None:
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    tables = _generate_rows(structures, per_structure)
    generated = time.perf_counter() - started
    if connection.vendor == "sqlite":
        seconds = _sqlite_write(str(connection.settings_dict["NAME"]), tables)
    else:
        seconds = _postgres_write(os.environ["DATABASE_URL"], tables)
    rows = {table: len(rows) for table, _, rows in tables}
    print(json.dumps({"seconds": seconds, "generate_s": generated, "rows": rows}))


# --- parent: databases, repetitions, report ------------------------------------------------


def _sqlite_counts(path: Path, tables: list[str]) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _pg_counts(url: str, tables: list[str]) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    counts: dict[str, int] = {}
    with psycopg.connect(url) as db:
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            row = db.execute(query).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


class Runs:
    """Times of one engine's repetitions; checks both sides wrote the same rows."""

    def __init__(self) -> None:
        self.project: list[float] = []
        self.loaded: list[float] = []
        self.ceiling: list[float] = []
        self.generate: list[float] = []
        self.rows: dict[str, int] = {}

    def add_ceiling(self, result: dict[str, Any]) -> list[str]:
        self.ceiling.append(float(result["seconds"]))
        self.generate.append(float(result["generate_s"]))
        self.rows = dict(result["rows"])
        return list(self.rows)

    def check(self, side: str, counts: dict[str, int]) -> None:
        if counts != self.rows:
            raise RuntimeError(f"{side} wrote {counts}, the ceiling wrote {self.rows}")

    def measurement(self, engine: str, how: str) -> Measurement:
        rows = sum(self.rows.values())
        best_loaded, best_ceiling = min(self.loaded), min(self.ceiling)
        return Measurement(
            engine=engine,
            project_s=self.project,
            ceiling_s=self.ceiling,
            notes=[
                f"ceiling: {how}, {_count(rows)} rows ("
                + ", ".join(f"{t} {_count(n)}" for t, n in self.rows.items())
                + ")",
                f"load time printed by the command itself (generation, password hash of "
                f"the bench account, inserts; 0.1 s rounding): best {best_loaded:.1f} s, "
                f"i.e. **{best_loaded / best_ceiling:.1f}×** the ceiling; the rest of the "
                "wall time is interpreter and Django start-up and the final counts",
                # Where the gap comes from: the same loader with its inserts stubbed out.
                "the seed's work minus the writes (BenchLoader with `bulk_create` stubbed, "
                f"plus Django's value conversion; untimed side of the ceiling run): "
                f"{min(self.generate):.2f} s best",
            ],
        )


def _repeat(step: Callable[[], None], repeat: int, deadline: float) -> None:
    """Run `step` `repeat` times, but start no new run that would end past the deadline."""
    for index in range(repeat):
        started = time.monotonic()
        step()
        took = time.monotonic() - started
        print(f"   run {index + 1}/{repeat}: {took:.1f} s", flush=True)
        if time.monotonic() + took > deadline:
            break


def _bench_sqlite(structures: int, per_structure: int, repeat: int, deadline: float) -> Runs:
    runs = Runs()
    with tempfile.TemporaryDirectory(prefix="passculture-bench-") as tmp:
        base = Path(tmp)
        # Migrate once, then start every run from a copy: the same fresh schema, less time.
        template = base / "template.sqlite3"
        _migrate(_subprocess_env(f"sqlite:///{template}", base / "var-template"))

        def fresh(name: str) -> tuple[Path, dict[str, str]]:
            path = base / f"{name}.sqlite3"
            for leftover in base.glob(f"{name}.sqlite3*"):
                leftover.unlink()
            shutil.copyfile(template, path)
            return path, _subprocess_env(f"sqlite:///{path}", base / f"var-{name}")

        def step() -> None:
            path, env = fresh("ceiling")
            tables = runs.add_ceiling(_ceiling(env, structures, per_structure))
            runs.check("ceiling", _sqlite_counts(path, tables))
            path, env = fresh("project")
            elapsed, loaded = _project(env, structures, per_structure)
            runs.project.append(elapsed)
            runs.loaded.append(loaded)
            runs.check("seed", _sqlite_counts(path, tables))

        _repeat(step, repeat, deadline)
    return runs


def _bench_postgres(
    admin_url: str, structures: int, per_structure: int, repeat: int, deadline: float
) -> Runs:
    runs = Runs()
    with tempfile.TemporaryDirectory(prefix="passculture-bench-") as tmp:
        var = Path(tmp)

        def step() -> None:
            # Same database name on both sides: each gets its own fresh, migrated copy.
            with pg_databases.database(admin_url, PG_BENCH_DB) as url:
                env = _subprocess_env(url, var)
                _migrate(env)
                tables = runs.add_ceiling(_ceiling(env, structures, per_structure))
                runs.check("ceiling", _pg_counts(url, tables))
            with pg_databases.database(admin_url, PG_BENCH_DB) as url:
                env = _subprocess_env(url, var)
                _migrate(env)
                elapsed, loaded = _project(env, structures, per_structure)
                runs.project.append(elapsed)
                runs.loaded.append(loaded)
                runs.check("seed", _pg_counts(url, tables))

        _repeat(step, repeat, deadline)
    return runs


def run() -> BenchResult:
    structures = _env_int("BENCH_STRUCTURES", 10_000)
    per_structure = _env_int("BENCH_VENUES_PER_STRUCTURE", 3)
    repeat = max(1, _env_int("BENCH_REPEAT", 3))
    started = time.monotonic()
    deadline = started + _env_int("BENCH_BUDGET_S", 150)

    admin_url, pg_version = pg_databases.server(PG_BENCH_DB)
    engines = 2 if pg_version else 1

    measurements: list[Measurement] = []
    skipped: list[str] = []
    # Each engine gets its share of the budget so SQLite cannot starve PostgreSQL.
    print(f"-- SQLite {sqlite3.sqlite_version}", flush=True)
    sqlite_deadline = time.monotonic() + (deadline - time.monotonic()) / engines
    runs = _bench_sqlite(structures, per_structure, repeat, sqlite_deadline)
    measurements.append(
        runs.measurement(
            f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)",
            "sqlite3 `executemany`, one transaction",
        )
    )
    if pg_version:
        print(f"-- PostgreSQL {pg_version}", flush=True)
        runs = _bench_postgres(admin_url, structures, per_structure, repeat, deadline)
        measurements.append(
            runs.measurement(f"PostgreSQL {pg_version}", "psycopg `COPY … FROM STDIN`")
        )
    else:
        skipped.append(
            "PostgreSQL: nothing answers on 127.0.0.1:5432 (set BENCH_DATABASE_URL to a server)."
        )

    memberships = min(structures, MEMBER_STRUCTURES)
    return BenchResult(
        name="seed",
        title="Bench-size seed (`seed --size bench`)",
        command="python -m passculture " + " ".join(_seed_args(structures, per_structure)),
        project=(
            "wall time of the command in a subprocess on a freshly migrated throwaway "
            "database (start-up, data generation, `bulk_create` by batches of 2000, "
            "one transaction, final counts)"
        ),
        ceiling=(
            "the same rows (same generator and seed, values converted by Django beforehand), "
            "same columns, same tables, into another freshly migrated database, one "
            "transaction, bare driver; only the writes are timed"
        ),
        sizes={
            "structures": structures,
            "venues": structures * per_structure,
            "memberships": memberships,
            "users": 1,
        },
        measurements=measurements,
        skipped=skipped,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "ceiling":
        ceiling_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(run(), indent=2))
