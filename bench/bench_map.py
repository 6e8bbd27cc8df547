"""Teacher catalogue map: a city-sized map-bounds query over 5,000 collective offers.

Issue target: the catalogue with 5,000 offers answers a map-bounds query in < 200 ms on SQLite.

Project: ``collective.catalogue.search_catalogue`` — what ``/enseignants/catalogue.json``
calls when the map moves — for the bounds of Lyon (about 13 × 13 km) and no other filter:
the school's catalogue scope (approved, active, not archived offers of validated
structures; showcase offers, and bookable ones still open, not booked and not targeted at
another school), the box cut on where each offer happens (its address, or its venue), the
approximate distance order in SQL, then the rows built in Python with the exact distance.
The HTTP view itself (django test Client, logged-in teacher: session, membership, search,
favourites, the JSON with the markers and the list's HTML) is timed too and reported.

Ceiling: the same query hand-written in SQL (same tables, same joins and conditions, same
bounds, same order, same rows) run with the bare driver — sqlite3 or psycopg — fetching
every row; the row count is checked against the project's.

Data: a throwaway database (temporary directory for SQLite, ``passculture_bench_map`` on
PostgreSQL, dropped afterwards), migrated, then filled with ``bulk_create``: 100
validated structures × 5 venues spread over the seed's ~80 French cities, 5,000 offers
(80 % bookable with their stock, 20 % showcase; 70 % at the venue, 10 % at the school,
20 % at another address nearby), 250 of them already booked by another school, 200 targeted
at another school, plus 500 draft offers that the scope must skip.

Environment: BENCH_MAP_OFFERS (5000), BENCH_MAP_REPEAT (30), BENCH_DATABASE_URL
(PostgreSQL server to use instead of 127.0.0.1:5432).
"""

import datetime as dt
import json
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pg_databases
from bench_seed import _call, _env_int, _subprocess_env
from run_all import BenchResult, Measurement

PG_BENCH_DB = "passculture_bench_map"
TARGET_S = 0.200
LYON = {"south": 45.70, "west": 4.75, "north": 45.82, "east": 4.92}
SCHOOL = (45.75960, 4.82210)  # a Lyon school: the origin of the distance order
TEACHER_EMAIL = "bench-map@ac-lyon.fr"

CEILING_SQL = """
SELECT o.id, o.name, o.is_template, o.location_type, o.target_school_id, o.domains, o.formats,
       o.venue_id, v.name, v.public_name, v.city, v.latitude, v.longitude,
       o.address_id, a.city, a.latitude, a.longitude,
       s.start_datetime, s.price, s.number_of_pupils
FROM collective_collectiveoffer o
JOIN offerers_venue v ON v.id = o.venue_id
JOIN offerers_offerer f ON f.id = v.offerer_id
LEFT JOIN offerers_address a ON a.id = o.address_id
LEFT JOIN collective_collectivestock s ON s.offer_id = o.id
WHERE o.validation = 'approved' AND o.is_active AND o.archived_at IS NULL
  AND f.validation_status = 'validated'
  AND (o.is_template OR (s.id IS NOT NULL AND s.booking_limit_datetime >= {p}
       AND NOT EXISTS (SELECT 1 FROM collective_collectivebooking b
                       WHERE b.offer_id = o.id
                         AND b.status IN ('pending', 'confirmed', 'used', 'reimbursed'))))
  AND (o.target_school_id IS NULL OR o.target_school_id = {p})
  AND (((o.location_type = 'school' OR o.address_id IS NULL)
        AND v.latitude BETWEEN {p} AND {p} AND v.longitude BETWEEN {p} AND {p})
    OR (o.location_type <> 'school' AND o.address_id IS NOT NULL
        AND a.latitude BETWEEN {p} AND {p} AND a.longitude BETWEEN {p} AND {p}))
ORDER BY (CASE WHEN o.location_type = 'school' OR o.address_id IS NULL THEN v.latitude
               ELSE a.latitude END - {p}) * (CASE WHEN o.location_type = 'school'
               OR o.address_id IS NULL THEN v.latitude ELSE a.latitude END - {p})
       + (CASE WHEN o.location_type = 'school' OR o.address_id IS NULL THEN v.longitude
               ELSE a.longitude END - {p}) * (CASE WHEN o.location_type = 'school'
               OR o.address_id IS NULL THEN v.longitude ELSE a.longitude END - {p}) * {p},
         o.name, o.id
LIMIT 2001
"""


# --- child process (DJANGO_SETTINGS_MODULE and DATABASE_URL set by the parent) -------------


def _seed(offers: int) -> dict[str, Any]:
    """Fill the database with bulk_create; returns the ids the measurement needs."""
    import random
    from decimal import Decimal

    from passculture.accounts.models import Role, User
    from passculture.collective import rules
    from passculture.collective.models import (
        CollectiveBooking,
        CollectiveOffer,
        CollectiveStock,
        LocationType,
        School,
        SchoolMember,
    )
    from passculture.collective.services.schools import year_for
    from passculture.core import clock
    from passculture.offerers.models import Address, Offerer, ValidationStatus, Venue
    from passculture.offerers.rules import department_from_postal_code, luhn_check_digit
    from passculture.offers.models import Validation
    from passculture.ops.seeddata import CITIES, jittered_coordinates

    rng = random.Random(20270104)
    now = clock.now()
    user = User.objects.create_user(TEACHER_EMAIL, None, role=Role.TEACHER, first_name="B")
    pro = User.objects.create_user("bench-map-pro@exemple.fr", None, role=Role.PRO)
    school = School.objects.create(
        uai="0690001" + rules.uai_key("0690001"), name="Collège du banc d’essai",
        school_type="college", city="Lyon", postal_code="69005", department_code="69",
        academy="Lyon", latitude=Decimal(str(SCHOOL[0])), longitude=Decimal(str(SCHOOL[1])),
    )  # fmt: skip
    other = School.objects.create(
        uai="0690002" + rules.uai_key("0690002"), name="Autre collège", school_type="college",
        city="Lyon", postal_code="69003", department_code="69", academy="Lyon",
    )  # fmt: skip
    SchoolMember.objects.create(user=user, school=school, role="teacher")
    SchoolMember.objects.create(user=pro, school=other, role="teacher")
    offerers = Offerer.objects.bulk_create(
        Offerer(
            siren=f"{10_000_000 + n:08d}" + luhn_check_digit(f"{10_000_000 + n:08d}"),
            name=f"Structure {n}",
            street="1 rue de la Paix",
            postal_code="75002",
            city="Paris",
            department_code="75",
            validation_status=ValidationStatus.VALIDATED,
        )  # fmt: skip
        for n in range(100)
    )
    venues, addresses = [], []
    for n, offerer in enumerate(offerers * 5):
        city = CITIES[n % len(CITIES)]
        lat, lon = jittered_coordinates(rng, city, spread=0.03)
        department = department_from_postal_code(city.postal_code) or "75"
        venues.append(
            Venue(
                offerer=offerer,
                name=f"Lieu {n}",
                no_siret_reason="banc d’essai",
                venue_type="theatre",
                street="1 place du Théâtre",
                postal_code=city.postal_code,
                city=city.name,
                department_code=department,
                latitude=lat,
                longitude=lon,
            )  # fmt: skip
        )
        lat, lon = jittered_coordinates(rng, city, spread=0.05)
        addresses.append(
            Address(
                street="2 rue du Spectacle",
                postal_code=city.postal_code,
                city=city.name,
                department_code=department,
                latitude=lat,
                longitude=lon,
            )  # fmt: skip
        )
    venues = Venue.objects.bulk_create(venues)
    addresses = Address.objects.bulk_create(addresses)
    rows, kinds = [], []
    for n in range(offers + 500):
        index = rng.randrange(len(venues))
        draft = n >= offers
        template = rng.random() < 0.2
        where = rng.random()
        location = (
            LocationType.VENUE
            if where < 0.7
            else LocationType.SCHOOL
            if where < 0.8
            else LocationType.ADDRESS
        )
        rows.append(
            CollectiveOffer(
                venue=venues[index],
                is_template=template,
                name=f"Offre collective {n}",
                description="Atelier de pratique et rencontre avec les artistes.",
                domains=[rng.choice(["theatre", "music", "dance", "cinema", "heritage"])],
                levels=["4e", "3e"],
                formats=["atelier"],
                location_type=location,
                address=addresses[index] if location == LocationType.ADDRESS else None,
                intervention_departments=["69"] if location == LocationType.SCHOOL else [],
                validation=Validation.DRAFT if draft else Validation.APPROVED,
                target_school=other if not template and n % 25 == 0 else None,
            )  # fmt: skip
        )
        kinds.append(template)
    created = CollectiveOffer.objects.bulk_create(rows, batch_size=1000)
    stocks = []
    for offer, template in zip(created, kinds, strict=True):
        if template:
            continue
        start = now + dt.timedelta(days=rng.randint(20, 200), hours=rng.randint(0, 8))
        stocks.append(
            CollectiveStock(
                offer=offer,
                start_datetime=start,
                end_datetime=start + dt.timedelta(hours=2),
                booking_limit_datetime=start - dt.timedelta(days=7),
                price=rng.randrange(10_000, 150_000, 500),
                number_of_pupils=rng.randint(15, 35),
            )  # fmt: skip
        )
    stocks = CollectiveStock.objects.bulk_create(stocks, batch_size=1000)
    booked = [s for s in stocks if s.offer.target_school_id is None][:250]
    CollectiveBooking.objects.bulk_create(
        CollectiveBooking(
            stock=stock,
            offer_id=stock.offer_id,
            school=other,
            year=year_for(rules.year_of(stock.start_datetime)),
            teacher=pro,
            price=stock.price,
            confirmation_limit=stock.booking_limit_datetime,
        )  # fmt: skip
        for stock in booked
    )
    return {"school": school.pk, "now": now.isoformat()}


def _ceiling(vendor: str, settings_name: str, school_id: int, now: Any) -> tuple[float, int]:
    """The bare query with the bare driver: seconds and rows of one run."""
    box = LYON
    shrink = math.cos(math.radians(SCHOOL[0])) ** 2
    params = [
        now, school_id, box["south"], box["north"], box["west"], box["east"],
        box["south"], box["north"], box["west"], box["east"],
        SCHOOL[0], SCHOOL[0], SCHOOL[1], SCHOOL[1], shrink,
    ]  # fmt: skip
    if vendor == "sqlite":
        # Django stores aware datetimes as naive UTC text on SQLite.
        params[0] = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        db = sqlite3.connect(settings_name)
        started = time.perf_counter()
        rows = db.execute(CEILING_SQL.format(p="?"), params).fetchall()
        elapsed = time.perf_counter() - started
        db.close()
        return elapsed, len(rows)
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        db.execute("SELECT 1")
        started = time.perf_counter()
        rows = db.execute(CEILING_SQL.format(p="%s"), params).fetchall()  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
    return elapsed, len(rows)


def measure_child(offers: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from passculture.accounts.models import User
    from passculture.collective import catalogue
    from passculture.collective.models import CollectiveOffer, School

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ids = _seed(offers)
    seed_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; without statistics the planner
        # estimates 1 row everywhere and nests loops (both sides would suffer alike).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    school = School.objects.get(pk=ids["school"])
    now = dt.datetime.fromisoformat(ids["now"])
    filters = catalogue.CatalogueFilters(bounds=catalogue.Bounds(**LYON))
    vendor = connection.vendor
    name = str(connection.settings_dict["NAME"])

    setup_test_environment()  # the test Client on "testserver", without DEBUG
    client = Client()
    client.force_login(User.objects.get(email=TEACHER_EMAIL))
    query = {"s": LYON["south"], "w": LYON["west"], "n": LYON["north"], "e": LYON["east"]}

    def selector() -> tuple[float, int]:
        started = time.perf_counter()
        result = catalogue.search_catalogue(school=school, filters=filters, now=now)
        return time.perf_counter() - started, result.count

    def view() -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get("/enseignants/catalogue.json", query)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed, int(response.json()["count"])

    # Warm-up: connection, statement caches, template loading.
    _, rows = selector()
    _, view_rows = view()
    _, ceiling_rows = _ceiling(vendor, name, school.pk, now)
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        view()
    project_s, view_s, ceiling_s = [], [], []
    for _ in range(repeat):  # interleaved, so every side sees the same machine weather
        project_s.append(selector()[0])
        view_s.append(view()[0])
        ceiling_s.append(_ceiling(vendor, name, school.pk, now)[0])
    plan = []
    if vendor == "sqlite":
        db = sqlite3.connect(name)
        params = [0] * CEILING_SQL.count("{p}")
        plan = [
            r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + CEILING_SQL.format(p="?"), params)
        ]
        db.close()
    counts = {"offers": CollectiveOffer.objects.count()}
    print(
        json.dumps(
            {
                "engine": vendor,
                "rows": rows,
                "view_rows": view_rows,
                "ceiling_rows": ceiling_rows,
                "project_s": project_s,
                "view_s": view_s,
                "ceiling_s": ceiling_s,
                "view_queries": len(queries),
                "seed_s": seed_s,
                "plan": plan,
                "load": os.getloadavg()[0],
                "counts": counts,
            }
        )
    )


# --- parent -----------------------------------------------------------------------------------


def _child(env: dict[str, str], offers: int, repeat: int) -> dict[str, Any]:
    done = _call([sys.executable, __file__, "measure", str(offers), str(repeat)], env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _measurement(engine: str, result: dict[str, Any], how: str) -> Measurement:
    if not result["rows"] == result["view_rows"] == result["ceiling_rows"]:
        raise RuntimeError(f"row counts differ: {result}")
    best, view_best, ceiling_best = (
        min(result["project_s"]),
        min(result["view_s"]),
        min(result["ceiling_s"]),
    )
    median = statistics.median(result["project_s"])
    view_median = statistics.median(result["view_s"])
    view_p90 = statistics.quantiles(result["view_s"], n=10)[-1]
    worst_view = max(result["view_s"])
    # The machine is shared: judge on the 90th percentile, and show the worst run too.
    met = "**met**" if view_p90 < TARGET_S else "**not met**"
    notes = [
        f"issue target, a map-bounds query answered in < 200 ms: {met} — the JSON endpoint "
        f"(HTTP view through the test Client) best {view_best * 1000:.1f} ms, median "
        f"{view_median * 1000:.1f} ms, 90th percentile {view_p90 * 1000:.1f} ms, worst "
        f"{worst_view * 1000:.1f} ms (load average {result['load']:.1f} on this shared machine) "
        f"({result['view_queries']} queries: session, user, membership, search, favourites)",
        f"selector `search_catalogue`: best {best * 1000:.1f} ms, median {median * 1000:.1f} "
        f"ms; bare query ({how}): best {ceiling_best * 1000:.2f} ms — "
        f"**{best / ceiling_best:.1f}×**; the view is **{view_best / ceiling_best:.1f}×** the "
        "bare query",
        f"{result['rows']} offers in the Lyon box (13 × 13 km) out of "
        f"{result['counts']['offers']} offers in the table; the same count on all three sides",
        f"{len(result['project_s'])} interleaved runs per side after one warm-up; seeding the "
        f"throwaway database (bulk_create) took {result['seed_s']:.1f} s",
    ]
    if result["plan"]:
        notes.append(
            "SQLite plan of the bare query: " + "; ".join(f"`{p}`" for p in result["plan"])
        )
    return Measurement(
        engine=engine, project_s=result["project_s"], ceiling_s=result["ceiling_s"], notes=notes
    )


def _pg_run(admin: str, offers: int, repeat: int, var: Path) -> dict[str, Any]:
    with pg_databases.database(admin, PG_BENCH_DB) as url:
        return _child(_subprocess_env(url, var), offers, repeat)


def run() -> BenchResult:
    offers = _env_int("BENCH_MAP_OFFERS", 5000)
    repeat = max(3, _env_int("BENCH_MAP_REPEAT", 30))
    measurements: list[Measurement] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="passculture-bench-map-") as tmp:
        base = Path(tmp)
        print(f"-- SQLite {sqlite3.sqlite_version}", flush=True)
        env = _subprocess_env(f"sqlite:///{base / 'map.sqlite3'}", base / "var")
        result = _child(env, offers, repeat)
        measurements.append(
            _measurement(
                f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)",
                result,
                "sqlite3, the same SQL",
            )
        )
        admin_url, pg_version = pg_databases.server(PG_BENCH_DB)
        if pg_version:
            print(f"-- PostgreSQL {pg_version}", flush=True)
            result = _pg_run(admin_url, offers, repeat, base / "var")
            measurements.append(
                _measurement(f"PostgreSQL {pg_version}", result, "psycopg, the same SQL")
            )
        else:
            skipped.append(
                "PostgreSQL: nothing answers on 127.0.0.1:5432 (set BENCH_DATABASE_URL)."
            )
    return BenchResult(
        name="map",
        title="Teacher catalogue: a map-bounds query over 5 000 collective offers",
        command=(
            "GET /enseignants/catalogue.json?s=45.70&w=4.75&n=45.82&e=4.92 → "
            "collective.catalogue.search_catalogue(school, CatalogueFilters(bounds=Lyon))"
        ),
        project=(
            "the selector in-process (scope, box on the offer's place, approximate distance "
            "order in SQL, rows built in Python with the exact distance); the HTTP view is in "
            "the notes"
        ),
        ceiling=(
            "the same query hand-written in SQL — same tables, joins, conditions, bounds, "
            "order and rows — with the bare driver, every row fetched"
        ),
        sizes={"offers": offers, "draft offers": 500, "venues": 500, "booked": 250},
        measurements=measurements,
        skipped=skipped,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "measure":
        measure_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(run(), indent=2))
