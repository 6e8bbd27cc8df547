"""Pro bookings tab: page 1 of a venue with 100,000 bookings.

Issue target: the bookings list for a venue with 100,000 bookings renders page 1 in a bounded
number of queries and in < 300 ms on SQLite.

Project: ``bookings.listing.bookings_page`` + ``bookings.listing.status_counts`` — what
``/pro/reservations/`` asks the database for: the 50 newest rows of each kind (individual
and collective, by (date, id) keyset, with who / what / when joined in) merged in Python,
and the counts per status (one aggregate query per kind). The HTTP page itself (django
test Client, logged-in pro: session, filter form choices, list, counts, status histories,
the whole DSFR template) is timed too and reported in the notes with p50 / p90.

Ceiling: the same four statements hand-written in SQL (same tables, joins, scope, order,
limit, grouping) with the bare driver — sqlite3 or psycopg — fetching every row.

Data: a throwaway database (temporary directory for SQLite; on PostgreSQL the database
named by BENCH_BOOKINGS_TAB_PG_DB, default ``passculture_bench_bookings_tab``, created then
dropped), migrated, then filled with ``bulk_create``: one structure and venue with 20 event
offers × 3 price categories × 10 dates, 20,000 young people with 5 bookings each (100,000
bookings over 18 months, 10 % duo, statuses mixed), one "booking.created" audit entry per
booking, and 1,000 collective bookings of the same venue; plus another structure with
10,000 bookings the scope must skip.

Environment: BENCH_BOOKINGS_TAB_SIZE (100000), BENCH_BOOKINGS_TAB_REPEAT (30),
BENCH_DATABASE_URL (PostgreSQL server to use instead of 127.0.0.1:5432).
"""

import json
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

PG_BENCH_DB = os.environ.get("BENCH_BOOKINGS_TAB_PG_DB", "passculture_bench_bookings_tab")
TARGET_S = 0.300
PRO_EMAIL = "bench-reservations@theatre.fr"

MEMBER = (
    "SELECT v.id FROM offerers_venue v WHERE v.offerer_id IN (SELECT m.offerer_id "
    "FROM offerers_membership m WHERE m.user_id = {p} AND m.status = 'validated')"
)
INDIVIDUAL_SCOPE = f"b.offer_id IN (SELECT o.id FROM offers_offer o WHERE o.venue_id IN ({MEMBER}))"
COLLECTIVE_SCOPE = (
    f"b.offer_id IN (SELECT o.id FROM collective_collectiveoffer o WHERE o.venue_id IN ({MEMBER}))"
)


def _counts(table: str, scope: str, statuses: list[str]) -> str:
    # One filtered COUNT per status: the (offer, status) index alone answers it.
    columns = ", ".join(f"COUNT(b.id) FILTER (WHERE b.status = '{s}')" for s in statuses)
    return f"SELECT {columns} FROM {table} b WHERE {scope}"


CEILING_SQL = [
    """SELECT b.id, b.token, b.status, b.quantity, b.amount, b.created_at, b.cancellation_limit,
              b.cancellation_comment, u.first_name, u.last_name, u.email, s.beginning_datetime,
              pc.label, o.name, v.name, v.public_name
       FROM bookings_booking b JOIN offers_offer o ON o.id = b.offer_id
       JOIN offerers_venue v ON v.id = o.venue_id JOIN accounts_user u ON u.id = b.user_id
       JOIN offers_stock s ON s.id = b.stock_id
       LEFT JOIN offers_pricecategory pc ON pc.id = s.price_category_id
       WHERE """
    + INDIVIDUAL_SCOPE
    + " ORDER BY b.created_at DESC, b.id DESC LIMIT 51",
    """SELECT b.id, b.status, b.price, b.created_at, b.cancellation_comment, sc.name, sc.phone,
              t.first_name, t.last_name, t.email, s.start_datetime, s.end_datetime, o.name,
              v.name, v.public_name
       FROM collective_collectivebooking b JOIN collective_collectiveoffer o ON o.id = b.offer_id
       JOIN offerers_venue v ON v.id = o.venue_id JOIN collective_school sc ON sc.id = b.school_id
       JOIN accounts_user t ON t.id = b.teacher_id
       JOIN collective_collectivestock s ON s.id = b.stock_id
       WHERE """
    + COLLECTIVE_SCOPE
    + " ORDER BY b.created_at DESC, b.id DESC LIMIT 51",
    _counts("bookings_booking", INDIVIDUAL_SCOPE, ["confirmed", "used", "reimbursed", "cancelled"]),
    _counts(
        "collective_collectivebooking",
        COLLECTIVE_SCOPE,
        ["pending", "confirmed", "used", "reimbursed", "cancelled"],
    ),
]


# --- child process (DJANGO_SETTINGS_MODULE and DATABASE_URL set by the parent) -------------


def _token(n: int) -> str:
    from passculture.bookings.rules import TOKEN_ALPHABET

    chars = []
    for _ in range(6):
        n, digit = divmod(n, len(TOKEN_ALPHABET))
        chars.append(TOKEN_ALPHABET[digit])
    return "".join(chars)


def _structure(index: int, pro: Any) -> Any:
    from decimal import Decimal

    from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue
    from passculture.offerers.rules import luhn_check_digit

    siren = f"{20_000_000 + index:08d}"
    offerer = Offerer.objects.create(
        siren=siren + luhn_check_digit(siren), name=f"Théâtre n° {index}",
        street="8 place des Célestins", postal_code="69002", city="Lyon",
        department_code="69", validation_status=ValidationStatus.VALIDATED,
    )  # fmt: skip
    Membership.objects.create(user=pro, offerer=offerer, status=ValidationStatus.VALIDATED)
    return Venue.objects.create(
        offerer=offerer, name=f"Grande salle {index}", no_siret_reason="banc d’essai",
        venue_type="theatre", street="8 place des Célestins", postal_code="69002",
        city="Lyon", department_code="69", latitude=Decimal("45.76000"),
        longitude=Decimal("4.83000"),
    )  # fmt: skip


def _individual(venue: Any, bookings: int, first_user: int, first_token: int) -> None:
    """`bookings` individual bookings of the venue: 5 per young person, 20 offers."""
    import datetime as dt
    import random

    from passculture.accounts.models import Role, User
    from passculture.bookings.models import Booking
    from passculture.core import clock
    from passculture.core.models import AuditEntry
    from passculture.offers.models import Offer, PriceCategory, Stock, Validation

    rng = random.Random(first_user)
    now = clock.now()
    offers = Offer.objects.bulk_create(
        Offer(
            venue=venue,
            subcategory_id="SPECTACLE_REPRESENTATION",
            name=f"Spectacle n° {n}",
            extra_data={"showType": "THEATRE-CLASSIQUE"},
            validation=Validation.APPROVED,
            is_duo=True,
        )  # fmt: skip
        for n in range(20)
    )
    stocks_by_offer: dict[int, list[Stock]] = {}
    for offer in offers:
        categories = PriceCategory.objects.bulk_create(
            PriceCategory(offer=offer, label=label, price=price)
            for label, price in (("Plein tarif", 2_500), ("Tarif réduit", 1_500), ("Jeune", 900))
        )
        stocks_by_offer[offer.pk] = Stock.objects.bulk_create(
            Stock(
                offer=offer,
                price_category=category,
                price=category.price,
                quantity=100_000,
                beginning_datetime=now + dt.timedelta(days=day * 30 - 270, hours=20),
            )  # fmt: skip
            for day in range(10)
            for category in categories
        )
    users = User.objects.bulk_create(
        User(
            email=f"jeune{first_user + n}@exemple.fr",
            first_name="Zoé",
            last_name=f"Lefèvre-Nguyễn {first_user + n}",
            role=Role.BENEFICIARY,
            password="!",
            postal_code="69003",
            city="Lyon",
            department_code="69",
        )  # fmt: skip
        for n in range(bookings // 5)
    )
    statuses = ["confirmed"] * 5 + ["used"] * 3 + ["cancelled", "reimbursed"]
    rows = []
    for n in range(bookings):
        user = users[n // 5]
        offer = offers[(n % 5) * 4 + (n // 5) % 4]  # 5 different offers per young person
        stock = rng.choice(stocks_by_offer[offer.pk])
        status = rng.choice(statuses)
        created = now - dt.timedelta(seconds=rng.randrange(0, 540 * 86_400))
        rows.append(
            Booking(
                user=user,
                stock=stock,
                offer=offer,
                quantity=2 if n % 10 == 0 else 1,
                amount=stock.price,
                token=_token(first_token + n),
                status=status,
                created_at=created,
                cancellation_limit=created + dt.timedelta(hours=48),
                cancelled_at=created + dt.timedelta(days=1) if status == "cancelled" else None,
                cancellation_reason="beneficiary" if status == "cancelled" else "",
                used_at=created + dt.timedelta(days=3)
                if status in ("used", "reimbursed")
                else None,
            )  # fmt: skip
        )
    created_rows = Booking.objects.bulk_create(rows, batch_size=2_000)
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor_label=users[n // 5].email,
                action="booking.created",
                object_type="bookings.booking",
                object_id=str(b.pk),
                created_at=b.created_at,
                after={"status": "confirmed"},
            )  # fmt: skip
            for n, b in enumerate(created_rows)
        ),
        batch_size=2_000,
    )


def _collective(venue: Any, count: int) -> None:
    import datetime as dt

    from passculture.accounts.models import Role, User
    from passculture.collective import rules
    from passculture.collective.models import (
        CollectiveBooking,
        CollectiveOffer,
        CollectiveStock,
        School,
    )
    from passculture.collective.services.schools import year_for
    from passculture.core import clock
    from passculture.offers.models import Validation

    now = clock.now()
    school = School.objects.create(
        uai="0690001" + rules.uai_key("0690001"), name="Collège Jean-Moulin",
        school_type="college", city="Lyon", postal_code="69005", department_code="69",
        academy="Lyon", phone="04 78 42 37 52",
    )  # fmt: skip
    teacher = User.objects.create(
        email="agnes.lemaitre@ac-lyon.fr", first_name="Agnès", last_name="Lemaître",
        role=Role.TEACHER, password="!",
    )  # fmt: skip
    offers = CollectiveOffer.objects.bulk_create(
        CollectiveOffer(
            venue=venue,
            name=f"Atelier n° {n}",
            description="Atelier.",
            domains=["theatre"],
            levels=["4e"],
            formats=["atelier"],
            validation=Validation.APPROVED,
        )  # fmt: skip
        for n in range(count)
    )
    stocks = CollectiveStock.objects.bulk_create(
        CollectiveStock(
            offer=offer,
            start_datetime=now + dt.timedelta(days=n % 200 - 100),
            end_datetime=now + dt.timedelta(days=n % 200 - 100, hours=2),
            booking_limit_datetime=now + dt.timedelta(days=n % 200 - 107),
            price=30_000,
            number_of_pupils=28,
        )  # fmt: skip
        for n, offer in enumerate(offers)
    )
    years = {}
    rows = []
    for n, stock in enumerate(stocks):
        code = rules.year_of(stock.start_datetime)
        years.setdefault(code, year_for(code))
        rows.append(
            CollectiveBooking(
                stock=stock,
                offer_id=stock.offer_id,
                school=school,
                year=years[code],
                teacher=teacher,
                price=stock.price,
                status="confirmed" if n % 3 else "pending",
                created_at=now - dt.timedelta(minutes=n * 700),
                confirmation_limit=stock.booking_limit_datetime,
            )  # fmt: skip
        )
    CollectiveBooking.objects.bulk_create(rows, batch_size=2_000)


def _seed(size: int) -> None:
    from passculture.accounts.models import Role, User

    pro = User.objects.create_user(PRO_EMAIL, None, role=Role.PRO, first_name="Inès")
    venue = _structure(1, pro)
    _individual(venue, size, first_user=0, first_token=0)
    _collective(venue, 1_000)
    other = User.objects.create_user("autre@exemple.fr", None, role=Role.PRO)
    _individual(_structure(2, other), 10_000, first_user=size, first_token=size)


def _ceiling(vendor: str, name: str, pro_id: int) -> tuple[float, int]:
    if vendor == "sqlite":
        db: Any = sqlite3.connect(name)
        statements = [(sql.format(p="?"), [pro_id]) for sql in CEILING_SQL]
    else:
        import psycopg

        db = psycopg.connect(os.environ["DATABASE_URL"])
        statements = [(sql.format(p="%s"), [pro_id]) for sql in CEILING_SQL]
    db.execute("SELECT 1")
    started = time.perf_counter()
    rows = [len(db.execute(sql, params).fetchall()) for sql, params in statements]
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, rows[0] + rows[1]


def measure_child(size: int, repeat: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from passculture.accounts.models import User
    from passculture.bookings import listing
    from passculture.bookings.models import Booking

    # The page links its CSS through staticfiles: no collectstatic manifest in a throwaway
    # environment, so plain storage (the URLs only; no file is served here).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _seed(size)
    seed_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    vendor = connection.vendor
    name = str(connection.settings_dict["NAME"])
    pro = User.objects.get(email=PRO_EMAIL)
    filters = listing.BookingFilters()

    setup_test_environment()
    client = Client()
    client.force_login(pro)

    def selector() -> tuple[float, int]:
        started = time.perf_counter()
        page = listing.bookings_page(pro, filters)
        listing.status_counts(pro, filters)
        return time.perf_counter() - started, len(page.rows)

    def view() -> float:
        started = time.perf_counter()
        response = client.get("/pro/reservations/")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"<tr data-booking=") == listing.PAGE_SIZE
        return elapsed

    _, rows = selector()
    view()
    _, ceiling_rows = _ceiling(vendor, name, pro.pk)
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        view()
    project_s, view_s, ceiling_s = [], [], []
    for _ in range(repeat):  # interleaved: every side sees the same machine weather
        project_s.append(selector()[0])
        view_s.append(view())
        ceiling_s.append(_ceiling(vendor, name, pro.pk)[0])
    # Deep page: the keyset keeps it as cheap as page 1 (no OFFSET).
    oldest = Booking.objects.order_by("created_at", "pk").values_list("created_at", "pk")[500]
    deep = listing.Cursor(oldest[0], 1, oldest[1])
    started = time.perf_counter()
    deep_rows = len(listing.bookings_page(pro, filters, before=deep).rows)
    deep_s = time.perf_counter() - started
    plan: list[str] = []
    if vendor == "sqlite":
        db = sqlite3.connect(name)
        plan = [
            r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + CEILING_SQL[0].format(p="?"), [0])
        ]
        db.close()
    print(
        json.dumps(
            {
                "rows": rows,
                "ceiling_rows": ceiling_rows,
                "project_s": project_s,
                "view_s": view_s,
                "ceiling_s": ceiling_s,
                "view_queries": len(queries),
                "deep_s": deep_s,
                "deep_rows": deep_rows,
                "seed_s": seed_s,
                "plan": plan,
                "load": os.getloadavg()[0],
                "bookings": Booking.objects.count(),
            }
        )
    )


# --- parent -----------------------------------------------------------------------------------


def _child(env: dict[str, str], size: int, repeat: int) -> dict[str, Any]:
    done = _call([sys.executable, __file__, "measure", str(size), str(repeat)], env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _measurement(engine: str, result: dict[str, Any], how: str) -> Measurement:
    if result["rows"] != 50 or result["ceiling_rows"] != 102:
        raise RuntimeError(f"unexpected row counts: {result}")
    view = result["view_s"]
    view_p50, view_p90 = statistics.median(view), statistics.quantiles(view, n=10)[-1]
    project = result["project_s"]
    met = "**met**" if view_p90 < TARGET_S else "**not met**"
    ceiling = min(result["ceiling_s"])
    notes = [
        f"issue target, page 1 in < 300 ms: {met} — the HTTP page (test Client, logged-in pro) "
        f"p50 {_ms(view_p50)}, p90 {_ms(view_p90)}, best {_ms(min(view))}, worst "
        f"{_ms(max(view))} (load average {result['load']:.1f} on this shared machine); "
        f"{result['view_queries']} queries for the whole page, whatever the number of bookings",
        f"selectors `bookings_page` + `status_counts`: p50 {_ms(statistics.median(project))}, "
        f"p90 {_ms(statistics.quantiles(project, n=10)[-1])}; bare SQL ({how}): best "
        f"{_ms(ceiling)} — ratio **{min(project) / ceiling:.1f}×**; the page is "
        f"**{min(view) / ceiling:.1f}×** the bare SQL",
        f"a page near the end of the list (cursor at the 501st oldest booking) took "
        f"{_ms(result['deep_s'])} for "
        f"{result['deep_rows']} rows: keyset, no OFFSET",
        f"{result['bookings']} individual bookings in the table (the pro's venue and another "
        f"structure's); {len(project)} interleaved runs per side after one warm-up; seeding "
        f"(bulk_create) took {result['seed_s']:.0f} s",
    ]
    if result["plan"]:
        notes.append(
            "SQLite plan of the bare list query: " + "; ".join(f"`{p}`" for p in result["plan"])
        )
    return Measurement(engine=engine, project_s=project, ceiling_s=result["ceiling_s"], notes=notes)


def _pg_run(admin: str, size: int, repeat: int, var: Path) -> dict[str, Any]:
    with pg_databases.database(admin, PG_BENCH_DB) as url:
        return _child(_subprocess_env(url, var), size, repeat)


def run() -> BenchResult:
    size = _env_int("BENCH_BOOKINGS_TAB_SIZE", 100_000)
    repeat = max(10, _env_int("BENCH_BOOKINGS_TAB_REPEAT", 30))
    measurements: list[Measurement] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="passculture-bench-tab-") as tmp:
        base = Path(tmp)
        print(f"-- SQLite {sqlite3.sqlite_version}", flush=True)
        env = _subprocess_env(f"sqlite:///{base / 'tab.sqlite3'}", base / "var")
        result = _child(env, size, repeat)
        engine = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
        measurements.append(_measurement(engine, result, "sqlite3, the same 4 statements"))
        admin_url, pg_version = pg_databases.server(PG_BENCH_DB)
        if pg_version:
            print(f"-- PostgreSQL {pg_version}", flush=True)
            result = _pg_run(admin_url, size, repeat, base / "var")
            measurements.append(
                _measurement(f"PostgreSQL {pg_version}", result, "psycopg, the same 4 statements")
            )
        else:
            skipped.append(
                "PostgreSQL: nothing answers on 127.0.0.1:5432 (set BENCH_DATABASE_URL)."
            )
    return BenchResult(
        name="bookings_tab",
        title="Pro bookings tab: page 1 of a venue with 100 000 bookings",
        command=(
            "GET /pro/reservations/ → bookings.listing.bookings_page(pro, BookingFilters()) "
            "+ bookings.listing.status_counts(pro, BookingFilters())"
        ),
        project=(
            "the two selectors in-process: 50 newest rows of each kind by keyset, joined, "
            "merged in Python, and the counts per status; the HTTP page is in the notes"
        ),
        ceiling=(
            "the same four statements hand-written in SQL — same joins, scope, order, limit "
            "and filtered counts — with the bare driver, every row fetched"
        ),
        sizes={
            "bookings on the venue": size,
            "collective bookings": 1_000,
            "other structure's bookings": 10_000,
        },
        measurements=measurements,
        skipped=skipped,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "measure":
        measure_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(run(), indent=2))
