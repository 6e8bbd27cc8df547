"""Bookings per second under 50 concurrent clients, service and HTTP, vs a raw transaction.

Issue target: bookings per second through the service and through HTTP on PostgreSQL with
50 concurrent clients, each as a ratio of a raw psycopg transaction doing the same locks
and writes, in the same run.

Data: a throwaway PostgreSQL database ``passculture_bench_bookings``, migrated, then filled
directly (no services): a validated structure and venue, young people each with a 150 €
deposit and a bearer token (signed with the run's secret key; one of them logs in through
``POST /api/app/v1/auth/token`` during the HTTP run), and two approved, published event
offers — "spread" with 50 stocks × 10,000 seats (booking *i* goes to stock *i* mod 50) and
"hot" with a single stock that every client books — plus a third one-stock offer booked by
one client alone (``SOLO_S``), the cost of one uncontended booking. Each side (ceiling,
service, HTTP) runs on its own fresh copy of that template (``CREATE DATABASE … TEMPLATE``)
and books the offers in turn, each for ``BENCH_SCENARIO_S`` seconds (or until every young
person has booked it: the one-live-booking-per-offer index forbids a second booking). The
clients take the young people in order, so each booking is a distinct person's. Afterwards
each copy is checked: every stock's ``booked_quantity`` equals its live bookings, no deposit
is overspent, and there is one booking (on the right offer), one audit entry and one queued
e-mail task per booking reported.

Project, service: ``bookings.services.book_offer(user=…, stock_id=…)`` from 50 threads of
one process, each with its own database connection, for distinct young people (the
``User`` in hand, as the view has it after authentication).

Project, HTTP: gunicorn (``--workers 4 --threads 8 --keep-alive 30``, embedded settings) and
50 client threads of another process, each with its own keep-alive ``http.client``
connection, posting ``POST /api/app/v1/bookings`` with the young person's bearer token;
latency p50/p95 per request.

Ceiling: 50 threads with their own psycopg connections, one transaction per booking with
the same locks and writes as ``book_offer``: the offer row ``FOR SHARE`` (found from
the stock, with its bookability columns), the stock row ``FOR UPDATE``, the current deposit
``FOR UPDATE``, the sum of the deposit's live bookings, the sold-out / credit checks in
Python, ``UPDATE offers_stock SET booked_quantity = booked_quantity + 1``, ``INSERT`` of the
booking (random token), of the audit entry and of the ``django_tasks_db`` task row of the
confirmation e-mail (same columns, same JSON payload shape), ``COMMIT``. It omits what only
re-reads: the already-booked ``EXISTS`` (the unique index refuses it anyway), the token
savepoint, the fill-alert re-read of the offer. A variant without the offer lock is
reported too, to show what that lock costs.

The timed quantity is the wall time from all 50 clients released at once to the last one
done (in-flight bookings finish after the deadline), reported per 1,000 bookings (the
table's seconds), with bookings/s and latencies in the notes.

Environment: BENCH_BOOKING_USERS (2500), BENCH_CLIENTS (50), BENCH_REPEAT (2),
BENCH_BUDGET_S (150: no repetition starts that would end past it), BENCH_SCENARIO_S (5: how
long the clients keep booking one offer), BENCH_DATABASE_URL (PostgreSQL server to use
instead of 127.0.0.1:5432).
"""

import datetime as dt
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pg_databases
from bench_seed import _call, _env_int, _migrate, _subprocess_env
from run_all import BenchResult, Measurement

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "passculture_bench_bookings"  # the template; scenarios use suffixed copies
SPREAD_STOCKS = 50
SEATS = 10_000
PRICE = 1_000  # cents
CREDIT = 15_000  # cents
WORKERS, THREADS = 4, 8  # gunicorn
PRO_EMAIL = "bench-bookings-pro@exemple.fr"
LOGIN_PASSWORD = "banc-d-essai-reservations"  # the one young person who logs in over HTTP
LAYOUTS = {  # reported in the table, with the 50 clients
    "spread": f"{SPREAD_STOCKS} stocks of one offer",
    "hot": "1 hot stock",
}
SOLO = "solo"  # a third offer, one stock, booked by one client alone: the cost of one booking
SOLO_S = 2.0

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ234567"  # bookings.rules
LIVE = ("confirmed", "used", "reimbursed")  # bookings.selectors.SPENDING
API = "/api/app/v1"

# --- child processes (DJANGO_SETTINGS_MODULE and DATABASE_URL set by the parent) ----------


def _statement_kind(sql: str) -> str:
    words = sql.split()
    kind = words[0].upper() if words else "?"
    if kind == "SELECT" and ("FOR UPDATE" in sql or "FOR SHARE" in sql):
        return "SELECT … FOR UPDATE"
    if kind in {"INSERT", "UPDATE", "DELETE"}:
        table = words[2] if kind in {"INSERT", "DELETE"} else words[1]
        return f"{kind} {table.strip(chr(34))}"
    return kind


def _same_columns(model: Any, statement: str) -> None:
    table = model._meta.db_table
    listed = statement.split("(", 1)[1].split(")", 1)[0]
    ours = {name.strip() for name in listed.split(",")}
    theirs = {field.column for field in model._meta.concrete_fields}
    if table not in statement or (ours != theirs - {"id"} and ours != theirs):
        raise RuntimeError(f"ceiling INSERT into {table} drifted: {sorted(ours ^ theirs)}")


def setup_child(users: int, fixtures_path: str) -> None:
    """Fill the template (rows created directly), issue the tokens, count one booking's SQL."""
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from passculture.accounts.models import Role, User
    from passculture.api.app_v1.auth import issue_token
    from passculture.bookings.models import Booking
    from passculture.bookings.services import book_offer
    from passculture.core import clock
    from passculture.core.models import AuditEntry
    from passculture.credit.models import Deposit, DepositKind
    from passculture.offerers import rules as offerer_rules
    from passculture.offerers.models import Offerer, ValidationStatus, Venue
    from passculture.offers.models import Offer, PriceCategory, Stock, Validation

    now = clock.now()
    User.objects.create_user(PRO_EMAIL, None, role=Role.PRO, first_name="B", last_name="R")
    siren = "87654321" + offerer_rules.luhn_check_digit("87654321")
    offerer = Offerer.objects.create(
        siren=siren,
        name="Théâtre du banc d’essai",
        street="8 place des Célestins",
        postal_code="69002",
        city="Lyon",
        department_code="69",
        validation_status=ValidationStatus.VALIDATED,
    )
    siret = siren + "0001" + offerer_rules.luhn_check_digit(siren + "0001")
    venue = Venue.objects.create(
        offerer=offerer,
        name="Grande salle",
        siret=siret,
        venue_type="theatre",
        street="8 place des Célestins",
        postal_code="69002",
        city="Lyon",
        department_code="69",
        latitude=Decimal("45.76000"),
        longitude=Decimal("4.83000"),
        booking_email="billetterie@exemple.fr",
    )
    stocks: dict[str, list[int]] = {}
    first_date = now.replace(microsecond=0) + dt.timedelta(days=30)
    offers = (("spread", SPREAD_STOCKS, SEATS), ("hot", 1, 10 * SEATS), (SOLO, 1, 10 * SEATS))
    for layout, count, seats in offers:
        offer = Offer.objects.create(
            venue=venue,
            subcategory_id="SPECTACLE_REPRESENTATION",
            name=f"Le banc d’essai ({layout})",
            extra_data={"showType": "THEATRE-CONTEMPORAIN"},
            validation=Validation.APPROVED,
            publication_datetime=now - dt.timedelta(days=1),
        )
        category = PriceCategory.objects.create(offer=offer, label="Plein tarif", price=PRICE)
        created = Stock.objects.bulk_create(
            Stock(
                offer=offer,
                price_category=category,
                price=PRICE,
                quantity=seats,
                beginning_datetime=first_date + dt.timedelta(hours=index),
                booking_limit_datetime=first_date + dt.timedelta(hours=index - 1),
            )
            for index in range(count)
        )
        stocks[layout] = [stock.pk for stock in created]

    # The young people: the login one with a real password hash, the others unusable
    # (their tokens are signed directly, as POST /auth/token would sign them).
    hashed = make_password(LOGIN_PASSWORD)
    people = User.objects.bulk_create(
        User(
            email=f"jeune-{index:05d}@exemple.fr",
            password=hashed if index == 0 else make_password(None),
            role=Role.BENEFICIARY,
            first_name=f"Jeune{index}",
            last_name="Banc",
            birth_date=dt.date(2007, 1, 1),
            date_joined=now,
        )
        for index in range(users + 2)  # + 2 probes for the query counts below
    )
    Deposit.objects.bulk_create(
        Deposit(
            user=user,
            kind=DepositKind.AGE_18,
            rule_set="2025",
            amount=CREDIT,
            expires_at=now + dt.timedelta(days=730),
            created_at=now - dt.timedelta(days=1),
        )
        for user in people
    )
    *people, probe_service, probe_http = people

    # One booking through each path, statements recorded, then erased from the template.
    statements: dict[str, list[str]] = {"service": [], "http": []}

    def recorder(side: str) -> Callable[..., Any]:
        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements[side].append(_statement_kind(sql))
            return execute(sql, params, many, context)

        return record

    with connection.execute_wrapper(recorder("service")):
        book_offer(user=probe_service, stock_id=stocks["spread"][0])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(probe_http).access_token}")
    with connection.execute_wrapper(recorder("http")):
        response = client.post(
            f"{API}/bookings", {"stockId": stocks["spread"][1]}, content_type="application/json"
        )
    if response.status_code != 201:
        raise RuntimeError(f"probe booking over HTTP: {response.status_code} {response.content!r}")
    # The ceiling's INSERTs must write every column the models have: fail loudly on drift.
    _same_columns(Booking, CEILING_BOOKING)
    _same_columns(AuditEntry, CEILING_AUDIT)
    _same_columns(DBTaskResult, CEILING_TASK)
    Booking.objects.all().delete()
    AuditEntry.objects.all().delete()
    DBTaskResult.objects.all().delete()
    Stock.objects.update(booked_quantity=0)

    fixtures = {
        "stocks": stocks,
        "users": [
            [user.pk, user.email, user.first_name, issue_token(user).access_token]
            for user in people
        ],
        "login": {"email": people[0].email, "password": LOGIN_PASSWORD},
        "statements": statements,
    }
    Path(fixtures_path).write_text(json.dumps(fixtures))
    connection.close()
    print(json.dumps({"users": len(people)}))


class Harness:
    """N client threads released together; each takes the next young person until none left."""

    def __init__(self, total: int, clients: int, limit_s: float) -> None:
        self.total, self.clients, self.limit_s = total, clients, limit_s
        self.next = 0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.started = 0.0
        # The start time is taken by the barrier itself, before any client is released.
        self.barrier = threading.Barrier(clients, action=self._start)

    def _start(self) -> None:
        self.started = time.perf_counter()

    def take(self) -> int | None:
        with self.lock:
            if self.next >= self.total or time.perf_counter() - self.started > self.limit_s:
                return None
            self.next += 1
            return self.next - 1

    def run(self, prepare: Callable[[], Any], book: Callable[[Any, int], None]) -> dict[str, Any]:
        def client() -> None:
            try:
                state = prepare()  # connection opened and warmed, untimed
            except Exception:
                self.errors.append(traceback.format_exc(limit=3))
                state = None
            self.barrier.wait()
            while state is not None and (index := self.take()) is not None:
                started = time.perf_counter()
                try:
                    book(state, index)
                except Exception as exc:
                    with self.lock:
                        self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                took = time.perf_counter() - started
                with self.lock:
                    self.latencies.append(took)
            if state is not None and hasattr(state, "close"):
                state.close()

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - self.started
        latencies = sorted(self.latencies)

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0

        return {
            "clients": self.clients,
            "elapsed_s": elapsed,
            "booked": len(latencies),
            "attempted": self.next,
            "errors": len(self.errors),
            "first_errors": self.errors[:3],
            "p50_ms": pct(0.50) * 1000,
            "p95_ms": pct(0.95) * 1000,
        }


def _fixtures(path: str) -> dict[str, Any]:
    return dict(json.loads(Path(path).read_text()))


def _each_layout(
    layouts: str, clients: int, limit_s: float, total: int, prepare: Callable[[], Any]
) -> Callable[[Callable[[str], Callable[[Any, int], None]]], None]:
    """Run the harness once per layout (in order) and print {layout: result} as JSON."""

    def go(booker: Callable[[str], Callable[[Any, int], None]]) -> None:
        results = {}
        for layout in layouts.split(","):
            harness = (
                Harness(total, 1, SOLO_S) if layout == SOLO else Harness(total, clients, limit_s)
            )
            results[layout] = harness.run(prepare, booker(layout))
        print(json.dumps(results))

    return go


def service_child(fixtures_path: str, layouts: str, clients: int, limit_s: float) -> None:
    import django

    django.setup()
    from django.db import connection

    from passculture.accounts.models import User
    from passculture.bookings.services import book_offer

    fixtures = _fixtures(fixtures_path)
    in_bulk = User.objects.in_bulk([row[0] for row in fixtures["users"]])
    users = [in_bulk[row[0]] for row in fixtures["users"]]
    connection.close()

    def prepare() -> object:
        connection.ensure_connection()  # this thread's own connection
        return connection

    def booker(layout: str) -> Callable[[Any, int], None]:
        stocks = fixtures["stocks"][layout]

        def book(_: object, index: int) -> None:
            book_offer(user=users[index], stock_id=stocks[index % len(stocks)])

        return book

    _each_layout(layouts, clients, limit_s, len(users), prepare)(booker)


CEILING_OFFER = """
SELECT o.id, o.name, o.validation, o.is_active, o.archived_at, o.publication_datetime,
       o.booking_allowed_datetime, f.validation_status, v.name, v.street, v.postal_code, v.city
FROM offers_offer o
JOIN offerers_venue v ON v.id = o.venue_id
JOIN offerers_offerer f ON f.id = v.offerer_id
WHERE o.id = (SELECT offer_id FROM offers_stock WHERE id = %s)
FOR SHARE OF o
"""
CEILING_OFFER_UNLOCKED = CEILING_OFFER.replace("FOR SHARE OF o", "")
CEILING_STOCK = """
SELECT quantity, booked_quantity, price, beginning_datetime, booking_limit_datetime, is_deleted
FROM offers_stock WHERE id = %s FOR UPDATE
"""
CEILING_DEPOSIT = """
SELECT id, amount FROM credit_deposit WHERE user_id = %s AND expires_at > %s
ORDER BY created_at DESC LIMIT 1 FOR UPDATE
"""
CEILING_SPENT = """
SELECT COALESCE(SUM(amount * quantity), 0) FROM bookings_booking
WHERE deposit_id = %s AND status IN ('confirmed', 'used', 'reimbursed')
"""
CEILING_BOOKED = "UPDATE offers_stock SET booked_quantity = booked_quantity + %s WHERE id = %s"
CEILING_BOOKING = """
INSERT INTO bookings_booking (
    user_id, stock_id, offer_id, deposit_id, quantity, amount, is_digital_capped, token,
    status, created_at, cancellation_limit, cancelled_at, cancellation_reason,
    cancellation_comment, used_at, validation_author, used_by_id, reimbursed_at,
    expiry_reminder_sent_at, updated_at
) VALUES (%s, %s, %s, %s, %s, %s, false, %s, 'confirmed', %s, %s, NULL, '', '', NULL, '',
          NULL, NULL, NULL, %s)
RETURNING id
"""
CEILING_AUDIT = """
INSERT INTO core_auditentry
    (created_at, actor_id, actor_label, action, object_type, object_id, before, after, data)
VALUES (%s, %s, %s, 'booking.created', 'bookings.booking', %s, '{}', %s, '{}')
"""
CEILING_TASK = """
INSERT INTO django_tasks_database_dbtaskresult (
    id, status, enqueued_at, started_at, finished_at, args_kwargs, priority, task_path,
    worker_ids, queue_name, backend_name, run_after, return_value, exception_class_path,
    traceback
) VALUES (%s, 'READY', %s, NULL, NULL, %s, 0, 'passculture.core.mail.send_templated_mail',
          '[]', 'default', 'default', %s, 'null', '', '')
"""
DATE_MAX = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)  # django_tasks_db: run as soon as possible
PARIS = ZoneInfo("Europe/Paris")
CANCEL_WINDOW = dt.timedelta(hours=48)  # bookings.rules


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(PARIS):%d/%m/%Y à %H:%M}"


def ceiling_child(
    fixtures_path: str, layouts: str, clients: int, limit_s: float, lock: str
) -> None:
    """The same locks and writes as book_offer, one psycopg transaction per booking."""
    import psycopg
    from psycopg.types.json import Jsonb

    url = os.environ["DATABASE_URL"]
    fixtures = _fixtures(fixtures_path)
    users = fixtures["users"]
    offer_sql = CEILING_OFFER if lock == "offer" else CEILING_OFFER_UNLOCKED
    quantity = 1

    def prepare() -> psycopg.Connection[Any]:
        db = psycopg.connect(url)
        db.execute("SELECT 1")
        db.commit()
        return db

    def book(db: psycopg.Connection[Any], stock_id: int, index: int) -> None:
        for _ in range(10):  # a token already taken: again with another, as the service does
            try:
                return book_once(db, stock_id, index)
            except psycopg.errors.UniqueViolation as exc:
                if "token" not in str(exc):
                    raise
        raise RuntimeError("no free token in 10 attempts")

    def book_once(db: psycopg.Connection[Any], stock_id: int, index: int) -> None:
        user_id, email, first_name, _ = users[index]
        now = dt.datetime.now(dt.UTC)
        try:
            offer = db.execute(offer_sql, (stock_id,)).fetchone()
            stock = db.execute(CEILING_STOCK, (stock_id,)).fetchone()
            if offer is None or stock is None:
                raise RuntimeError("offer not bookable")
            offer_id, offer_name, validation, active, archived, published, allowed, *more = offer
            status, *venue = more
            seats, booked, price, beginning, limit, deleted = stock
            if (
                deleted
                or validation != "approved"
                or not active
                or archived is not None
                or status != "validated"
                or (published is not None and published > now)
                or (allowed is not None and allowed > now)
                or (beginning is not None and beginning <= now)
                or (limit is not None and limit <= now)
            ):
                raise RuntimeError("offer not bookable")
            if seats is not None and booked + quantity > seats:
                raise RuntimeError("sold out")
            deposit = db.execute(CEILING_DEPOSIT, (user_id, now)).fetchone()
            if deposit is None:
                raise RuntimeError("not a beneficiary")
            deposit_id, credited = deposit
            spent = db.execute(CEILING_SPENT, (deposit_id,)).fetchone()
            if credited - (spent[0] if spent else 0) < price * quantity:
                raise RuntimeError("insufficient credit")
            db.execute(CEILING_BOOKED, (quantity, stock_id))
            token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(6))
            cancellation = max(now, min(beginning - CANCEL_WINDOW, now + CANCEL_WINDOW))
            row = db.execute(
                CEILING_BOOKING,
                (user_id, stock_id, offer_id, deposit_id, quantity, price, token, now)
                + (cancellation, now),
            ).fetchone()
            booking_id = row[0] if row else None
            after = {
                "stock": stock_id,
                "quantity": quantity,
                "amount": price,
                "status": "confirmed",
            }
            db.execute(CEILING_AUDIT, (now, user_id, email, str(booking_id), Jsonb(after)))
            context = {
                "first_name": first_name,
                "offer_name": offer_name,
                "token": token,
                "quantity": quantity,
                "total": f"{price * quantity / 100:.2f} €".replace(".", ","),
                "when": _local(beginning),
                "where": f"{venue[0]}, {venue[1]}, {venue[2]} {venue[3]}",
                "cancellation_limit": _local(cancellation),
                "booking_id": booking_id,
                "reason": "",
            }
            payload = {"args": [[email], "booking_confirmed", context], "kwargs": {}}
            db.execute(CEILING_TASK, (uuid.uuid4(), now, Jsonb(payload), DATE_MAX))
            db.commit()
        except Exception:
            db.rollback()
            raise

    def booker(layout: str) -> Callable[[Any, int], None]:
        stocks = fixtures["stocks"][layout]
        return lambda db, index: book(db, stocks[index % len(stocks)], index)

    _each_layout(layouts, clients, limit_s, len(users), prepare)(booker)


def http_child(fixtures_path: str, layouts: str, clients: int, limit_s: float, port: int) -> None:
    """50 keep-alive clients posting bookings to the gunicorn on 127.0.0.1:port."""
    fixtures = _fixtures(fixtures_path)
    users = fixtures["users"]
    tokens = [row[3] for row in users]

    def request(
        conn: http.client.HTTPConnection, method: str, path: str, body: Any, token: str | None
    ) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        return response.status, response.read()

    # The first young person logs in for real (password check, signed token), untimed.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, body = request(conn, "POST", f"{API}/auth/token", fixtures["login"], None)
    if status != 200:
        raise RuntimeError(f"POST {API}/auth/token: {status} {body!r}")
    tokens[0] = json.loads(body)["accessToken"]
    conn.close()

    def prepare() -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(2):  # warm the workers (imports, their database connections)
            status, body = request(conn, "GET", f"{API}/me", None, tokens[-1])
            if status != 200:
                raise RuntimeError(f"GET {API}/me: {status} {body[:200]!r}")
        return conn

    def book(conn: http.client.HTTPConnection, stock_id: int, index: int) -> None:
        body = {"stockId": stock_id, "quantity": 1}
        try:
            status, answer = request(conn, "POST", f"{API}/bookings", body, tokens[index])
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the idle keep-alive connection: once more on a new one (a
            # request it did take would come back 409 already_booked, counted as an error).
            conn.close()
            status, answer = request(conn, "POST", f"{API}/bookings", body, tokens[index])
        if status != 201:
            raise RuntimeError(f"POST {API}/bookings: {status} {answer[:200]!r}")

    def booker(layout: str) -> Callable[[Any, int], None]:
        stocks = fixtures["stocks"][layout]
        return lambda conn, index: book(conn, stocks[index % len(stocks)], index)

    _each_layout(layouts, clients, limit_s, len(users), prepare)(booker)


# --- parent: databases, server, repetitions, report ----------------------------------------


def _check(
    url: str, results: dict[str, dict[str, Any]], stocks: dict[str, list[int]], side: str
) -> None:
    """Invariants after a scenario: seats, credit, one booking/audit/task per success."""
    import psycopg

    with psycopg.connect(url) as db:

        def one(query: str, params: tuple[Any, ...] = ()) -> int:
            row = db.execute(query, params).fetchone()
            return int(row[0]) if row else 0

        facts = {
            "bookings": one("SELECT count(*) FROM bookings_booking WHERE status <> 'cancelled'"),
            "seats": one("SELECT COALESCE(SUM(booked_quantity), 0) FROM offers_stock"),
            "stocks_off": one(
                "SELECT count(*) FROM offers_stock s WHERE s.booked_quantity <> (SELECT "
                "COALESCE(SUM(b.quantity), 0) FROM bookings_booking b WHERE b.stock_id = s.id "
                "AND b.status <> 'cancelled')"
            ),
            "overspent": one(
                "SELECT count(*) FROM credit_deposit d WHERE d.amount < (SELECT "
                "COALESCE(SUM(b.amount * b.quantity), 0) FROM bookings_booking b WHERE "
                "b.deposit_id = d.id AND b.status = ANY(%s))",
                (list(LIVE),),
            ),
            "audit": one("SELECT count(*) FROM core_auditentry WHERE action = 'booking.created'"),
            "tasks": one(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE args_kwargs -> 'args' ->> 1 = 'booking_confirmed'"
            ),
        }
        per_layout = {
            layout: one(
                "SELECT count(*) FROM bookings_booking WHERE stock_id = ANY(%s)", (stocks[layout],)
            )
            for layout in results
        }
    booked = sum(result["booked"] for result in results.values())
    wrong = (
        facts["stocks_off"]
        or facts["overspent"]
        or any(facts[k] != booked for k in ("bookings", "seats", "audit", "tasks"))
        or any(per_layout[k] != result["booked"] for k, result in results.items())
    )
    if wrong:
        reported = {k: r["booked"] for k, r in results.items()}
        raise RuntimeError(f"{side}: reported {reported}, database says {facts}, {per_layout}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """gunicorn on a free 127.0.0.1 port, stopped (its own process group) on the way out."""
    port = _free_port()
    args = [sys.executable, "-m", "gunicorn", "passculture.wsgi:application"]
    args += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(THREADS)]
    # Keep-alive 30 s (gunicorn's default is 2 s): clients idle at the start barrier keep
    # their connection, as behind a reverse proxy that pools its upstream connections.
    args += ["--keep-alive", "30", "--graceful-timeout", "5"]
    with log.open("ab") as out:
        server = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not listen within 60 s") from None
                time.sleep(0.2)
        yield port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = _call([sys.executable, __file__, *args], env)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _per_thousand(result: dict[str, Any]) -> float:
    if not result["booked"]:
        raise RuntimeError(f"no booking went through: {result['first_errors']}")
    return float(result["elapsed_s"]) / result["booked"] * 1000


class Runs:
    def __init__(self) -> None:
        self.results: dict[str, list[dict[str, Any]]] = {}

    def add(self, key: str, result: dict[str, Any]) -> None:
        print(
            f"   {key}: {result['booked']} bookings in {result['elapsed_s']:.2f} s "
            f"({result['booked'] / result['elapsed_s']:.0f}/s, p50 {result['p50_ms']:.0f} ms, "
            f"p95 {result['p95_ms']:.0f} ms, errors {result['errors']})",
            flush=True,
        )
        if result["errors"]:
            print(f"   first errors: {result['first_errors']}", flush=True)
        self.results.setdefault(key, []).append(result)

    def best(self, key: str) -> dict[str, Any]:
        return min(self.results[key], key=_per_thousand)

    def rate(self, key: str) -> str:
        best = self.best(key)
        return (
            f"{best['booked'] / best['elapsed_s']:.0f} bookings/s "
            f"(p50 {best['p50_ms']:.0f} ms, p95 {best['p95_ms']:.0f} ms)"
        )

    def solo_ms(self, side: str) -> float | None:
        """Best time of one booking by one client alone (the solo offer)."""
        runs = self.results.get(f"{side}/{SOLO}")
        return min(map(_per_thousand, runs)) if runs else None

    def measurement(
        self, engine: str, layout: str, side: str, statements: dict[str, list[str]]
    ) -> Measurement:
        project, ceiling = f"{side}/{layout}", f"ceiling/{layout}"
        label = "service" if side == "service" else "HTTP"
        errors = sum(r["errors"] for r in self.results[project] + self.results[ceiling])
        best_project = min(map(_per_thousand, self.results[project]))
        best_ceiling = min(map(_per_thousand, self.results[ceiling]))

        def counts(key: str) -> str:
            return ", ".join(str(r["booked"]) for r in self.results[key])

        notes = [
            f"{label}: **{self.rate(project)}**; ceiling: {self.rate(ceiling)}; the project "
            f"reaches **{best_ceiling / best_project:.0%}** of the ceiling's throughput",
            f"bookings per run: {label} {counts(project)}, ceiling {counts(ceiling)}; "
            f"errors: {errors}; checked after every run: booked_quantity = live bookings on "
            "every stock, no deposit overspent, one booking, one audit entry and one queued "
            "e-mail task per booking reported",
        ]
        solo = {key: self.solo_ms(key) for key in (side, "ceiling")}
        if solo[side] is not None and solo["ceiling"] is not None:
            notes.append(
                f"one client alone (third offer, {SOLO_S:.0f} s, best run): {label} "
                f"{solo[side]:.1f} ms per booking, ceiling {solo['ceiling']:.1f} ms; with "
                f"{self.results[project][0]['clients']} clients the bookings of a stock "
                "queue on its row lock (the offer row is only share-locked)"
            )
        notes.append(
            f"statements per booking: {_statement_summary(statements[side])}; ceiling: 8 + COMMIT"
        )
        if side == "http" and f"service/{layout}" in self.results:
            service = min(map(_per_thousand, self.results[f"service/{layout}"]))
            notes.append(f"HTTP / in-process service, same clients: {best_project / service:.2f}×")
        unlocked = f"ceiling-nolock/{layout}"
        if side == "service" and unlocked in self.results:
            notes.append(
                "ceiling without the offer row lock (`FOR SHARE` dropped, all else "
                f"equal, first run only): {self.rate(unlocked)}: what the shared offer "
                "lock costs at the ceiling"
            )
        return Measurement(
            engine=f"{engine}, {label}, {LAYOUTS[layout]}",
            project_s=[_per_thousand(r) for r in self.results[project]],
            ceiling_s=[_per_thousand(r) for r in self.results[ceiling]],
            notes=notes,
        )


def _statement_summary(kinds: list[str]) -> str:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    detail = ", ".join(f"{n}× {kind}" if n > 1 else kind for kind, n in counts.items())
    return f"{len(kinds)} ({detail})"


def _bench_postgres(
    admin_url: str, users: int, clients: int, limit_s: float, repeat: int, deadline: float
) -> tuple[Runs, dict[str, list[str]]]:
    runs = Runs()
    copy = f"{PG_BENCH_DB}_run"
    with (
        tempfile.TemporaryDirectory(prefix="passculture-bench-bookings-") as tmp,
        pg_databases.database(admin_url, PG_BENCH_DB, None) as template_url,
    ):
        var = Path(tmp) / "var"  # one secret key for the setup (tokens) and the server
        fixtures = str(Path(tmp) / "fixtures.json")
        env = _subprocess_env(template_url, var)
        started = time.monotonic()
        _migrate(env)
        _child(["setup", str(users), fixtures], env)
        statements = _fixtures(fixtures)["statements"]
        print(f"   template ready in {time.monotonic() - started:.1f} s", flush=True)
        stocks = _fixtures(fixtures)["stocks"]

        def scenario(side: str, layouts: list[str], *extra: str, server: bool = False) -> None:
            """One side, on its own fresh copy: the layouts in turn (distinct offers)."""
            command = "ceiling" if side.startswith("ceiling") else side
            args = [command, fixtures, ",".join(layouts), str(clients), str(limit_s), *extra]
            with pg_databases.database(admin_url, copy, PG_BENCH_DB) as url:
                env = _subprocess_env(url, var)
                if server:
                    with _gunicorn(env, Path(tmp) / "gunicorn.log") as port:
                        results = _child([*args, str(port)], env)
                else:
                    results = _child(args, env)
                _check(url, results, stocks, side)
            for layout, result in results.items():
                runs.add(f"{side}/{layout}", result)

        for index in range(repeat):
            step_started = time.monotonic()
            scenario("ceiling", [*LAYOUTS, SOLO], "offer")
            scenario("service", [*LAYOUTS, SOLO])
            scenario("http", [*LAYOUTS, SOLO], server=True)
            if index == 0:
                scenario("ceiling-nolock", ["spread"], "none")
            took = time.monotonic() - step_started
            print(f"   run {index + 1}/{repeat}: {took:.1f} s", flush=True)
            if time.monotonic() + took > deadline:
                break
    return runs, statements


def run() -> BenchResult:
    users = _env_int("BENCH_BOOKING_USERS", 2500)
    clients = _env_int("BENCH_CLIENTS", 50)
    repeat = max(1, _env_int("BENCH_REPEAT", 2))
    limit_s = float(_env_int("BENCH_SCENARIO_S", 5))
    deadline = time.monotonic() + _env_int("BENCH_BUDGET_S", 150)

    load = os.getloadavg()[0]
    admin_url, pg_version = pg_databases.server(PG_BENCH_DB)

    measurements: list[Measurement] = []
    skipped: list[str] = []
    if pg_version:
        print(f"-- PostgreSQL {pg_version}", flush=True)
        runs, statements = _bench_postgres(admin_url, users, clients, limit_s, repeat, deadline)
        engine = f"PostgreSQL {pg_version}"
        for layout in LAYOUTS:
            for side in ("service", "http"):
                measurements.append(runs.measurement(engine, layout, side, statements))
        measurements[0]["notes"].append(
            f"machine load when the run started: {load:.1f} (1-minute load average, "
            f"{os.cpu_count()} CPUs); clients, gunicorn and PostgreSQL share these CPUs"
        )
    else:
        skipped.append(
            "PostgreSQL not reachable: nothing answers on 127.0.0.1:5432 (set "
            "BENCH_DATABASE_URL to a server). This benchmark needs PostgreSQL (row locks "
            "under 50 concurrent clients); SQLite is not measured."
        )

    return BenchResult(
        name="bookings",
        title=f"Bookings under {clients} concurrent clients (time per 1 000 bookings)",
        command=(
            "bookings.services.book_offer(user=…, stock_id=…) in-process, and "
            f"POST {API}/bookings (Bearer token) to gunicorn --workers {WORKERS} "
            f"--threads {THREADS} --keep-alive 30"
        ),
        project=(
            f"{clients} client threads released together, booking for {limit_s:.0f} s (each "
            "booking a distinct young person's), wall time until the last in-flight booking "
            "is done, per 1 000 bookings. Service: `book_offer` from "
            f"{clients} threads of one process, each with its own connection. HTTP: "
            f"{clients} keep-alive `http.client` connections from another process to "
            f"gunicorn ({WORKERS} workers × {THREADS} threads, keep-alive 30 s, embedded settings, "
            "persistent database connections); every answer must be 201. Each side on its "
            "own fresh copy of the template database"
        ),
        ceiling=(
            f"{clients} threads with their own psycopg connections, one transaction per "
            "booking with the same locks and writes: offer row `FOR SHARE` (found "
            "from the stock, bookability columns read), stock `FOR UPDATE`, current deposit "
            "`FOR UPDATE`, sum of its live bookings, checks in Python, `UPDATE offers_stock "
            "SET booked_quantity = booked_quantity + 1`, `INSERT` booking (random token), "
            "audit entry and the `django_tasks_db` e-mail task row (same columns and "
            "payload), `COMMIT`. Omits the already-booked `EXISTS` (the unique index "
            "refuses it anyway), the token savepoint and the fill-alert re-read"
        ),
        sizes={
            "clients": clients,
            "young people (one booking per offer at most)": users,
            "seconds of booking per offer and side": int(limit_s),
            "spread offer stocks": SPREAD_STOCKS,
            "seats per spread stock": SEATS,
            "seats of the hot stock": 10 * SEATS,
        },
        measurements=measurements,
        skipped=skipped,
    )


if __name__ == "__main__":
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "setup":
        setup_child(int(rest[0]), rest[1])
    elif command == "service":
        service_child(rest[0], rest[1], int(rest[2]), float(rest[3]))
    elif command == "ceiling":
        ceiling_child(rest[0], rest[1], int(rest[2]), float(rest[3]), rest[4])
    elif command == "http":
        http_child(rest[0], rest[1], int(rest[2]), float(rest[3]), int(rest[4]))
    else:
        print(json.dumps(run(), indent=2))
