"""A school's budget is never overspent, an offer never double-booked, under real parallelism.

Each thread has its own database connection (Django opens one per thread) and a barrier
starts them together, so confirmations genuinely race for the budget row. On SQLite the
writers are serialised by IMMEDIATE transactions, so there is nothing to race: these
tests skip there and run on PostgreSQL under CI.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from passculture.collective import rules
from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveStock,
    SchoolRole,
)
from passculture.collective.services import bookings as flow
from passculture.collective.services import offers as offer_services
from passculture.core import clock
from passculture.core.errors import DomainError
from tests.collective.factories import (
    NOW,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    make_uai,
    quick_user,
)
from tests.factories import make_offerer, make_venue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONFIRMED = CollectiveBookingStatus.CONFIRMED


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def venue(db):
    pro = quick_user("camille@exemple.fr")
    return make_venue(make_offerer(pro))


@pytest.fixture
def school(db):
    return make_school(uai="0690103M", name="Collège Jean Moulin")


@pytest.fixture
def teacher(school):
    return make_member(school, email="agnes.lemaitre@ac-lyon.fr")


@pytest.fixture
def head(school):
    return make_member(school, role=SchoolRole.HEAD, email="principale@ac-lyon.fr")


def race(calls: list[Callable[[], object]]) -> list[tuple[str, str]]:
    """Run each call on its own thread, all released together: (outcome, text) per call.

    Outcome is "ok", a domain error code, or "crash:<class>" for anything else (a
    deadlock, an IntegrityError…), which every test treats as a failure.
    """
    barrier = threading.Barrier(len(calls))
    results: dict[int, tuple[str, str]] = {}
    guard = threading.Lock()

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                calls[index]()
                outcome = ("ok", "")
            except DomainError as exc:
                outcome = (exc.code, exc.text)
            except Exception as exc:  # noqa: BLE001 — reported, then asserted absent
                outcome = (f"crash:{type(exc).__name__}", str(exc))
            with guard:
                results[index] = outcome
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return [results[i] for i in range(len(calls))]


def committed(school) -> int:
    return sum(
        CollectiveBooking.objects.filter(school=school, status__in=flow.COMMITTED).values_list(
            "price", flat=True
        )
    )


def test_parallel_confirmations_never_overspend_a_provisional_budget(venue, school, teacher, head):
    budget = make_budget(school, amount=100_000, provisional=True)  # 800 € spendable
    bookings = [
        make_booking(make_offer(venue, name=f"Atelier {i}", price=15_000), teacher)
        for i in range(12)
    ]  # 12 × 150 € = 1 800 € asked for, 5 fit

    results = race([lambda b=b: flow.confirm(head=head, booking_id=b.pk) for b in bookings])

    outcomes = Counter(code for code, _ in results)
    assert outcomes == {"ok": 5, "insufficient_budget": 7}, results
    assert {text for code, text in results if code != "ok"} == {
        "Budget insuffisant : il reste 50,00\u00a0€ sur le budget 2026-2027 de "
        "l’établissement, la réservation coûte 150,00\u00a0€."
    }
    assert committed(school) == flow.committed_on(budget) == 75_000
    assert rules.remaining(amount=100_000, provisional=True, committed=75_000) == 5_000 >= 0


def test_many_requests_with_mixed_prices_keep_the_budget_non_negative(venue, school, teacher, head):
    budget = make_budget(school, amount=100_000)  # final: 1 000 € spendable
    prices = [12_000, 7_500, 31_000, 4_900, 22_000, 18_000, 9_999, 26_500, 15_000, 3_300] * 2
    bookings = [
        make_booking(make_offer(venue, name=f"Séance {i}", price=price), teacher)
        for i, price in enumerate(prices)
    ]  # 3 003,98 € asked for

    results = race([lambda b=b: flow.confirm(head=head, booking_id=b.pk) for b in bookings])

    assert {code for code, _ in results} <= {"ok", "insufficient_budget"}, results
    spent = flow.committed_on(budget)
    assert spent == committed(school) <= 100_000
    assert spent == sum(p for p, (code, _) in zip(prices, results, strict=True) if code == "ok")
    left = 100_000 - spent
    for price, (code, _) in zip(prices, results, strict=True):
        if code != "ok":  # refused only because it no longer fitted
            assert price > left


def test_confirmations_racing_price_raises_never_overspend(venue, school, teacher, head):
    """A venue raising pending prices while the head confirms: the budget still holds."""
    pro = quick_user("billetterie@celestins-lyon.fr")
    budget = make_budget(school, amount=60_000)
    offers = [make_offer(venue, name=f"Visite {i}", price=10_000) for i in range(8)]
    bookings = [make_booking(offer, teacher) for offer in offers]

    results = race(
        [lambda b=b: flow.confirm(head=head, booking_id=b.pk) for b in bookings]
        + [
            lambda o=o: offer_services.change_price(actor=pro, offer=o, price=15_000)
            for o in offers
        ]
    )

    assert {code for code, _ in results} <= {"ok", "insufficient_budget", "price_increase"}
    assert flow.committed_on(budget) == committed(school) <= 60_000
    for booking, offer in zip(bookings, offers, strict=True):
        booking.refresh_from_db()
        stock = CollectiveStock.objects.get(offer=offer)
        assert booking.price == stock.price  # a booking always carries its stock's price
        if booking.status == CONFIRMED:
            assert booking.price in (10_000, 15_000)


def test_teachers_of_several_schools_race_for_one_offer(venue):
    offer = make_offer(venue)
    teachers = [
        make_member(make_school(uai=make_uai(100 + i), name=f"Collège n° {i}")) for i in range(8)
    ]

    results = race([lambda t=t: flow.prebook(teacher=t, offer_id=offer.pk) for t in teachers])

    assert Counter(code for code, _ in results) == {"ok": 1, "collective_already_booked": 7}
    booking = CollectiveBooking.objects.get()
    winner = teachers[[code for code, _ in results].index("ok")]
    assert booking.teacher == winner
    assert booking.status == CollectiveBookingStatus.PENDING


def test_two_teachers_of_the_same_school_prebook_once(venue, school, teacher):
    colleague = make_member(school, email="colleague@ac-lyon.fr")
    offer = make_offer(venue)

    results = race(
        [lambda t=t: flow.prebook(teacher=t, offer_id=offer.pk) for t in (teacher, colleague)]
    )

    assert sorted(code for code, _ in results) == ["collective_already_booked", "ok"]
    assert CollectiveBooking.objects.count() == 1


def test_double_click_confirms_once(venue, school, teacher, head):
    budget = make_budget(school, amount=100_000)
    booking = make_booking(make_offer(venue), teacher)

    results = race([lambda: flow.confirm(head=head, booking_id=booking.pk)] * 4)

    assert Counter(code for code, _ in results) == {"ok": 1, "collective_refused": 3}
    assert flow.committed_on(budget) == 30_000


def _wait_for_a_lock_waiter(timeout: float = 15) -> None:
    """Until another connection of this database is blocked on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no connection ever waited for a lock")


def test_a_price_raise_waits_for_the_confirmation_in_progress(
    venue, school, teacher, head, monkeypatch
):
    """Deterministic: the head's confirmation holds the booking when the venue raises the price.

    The raise must wait, then see the booking confirmed and be refused; it must not slip in
    after the budget check (the confirmed booking would then cost more than the budget).
    """
    pro = quick_user("billetterie@celestins-lyon.fr")
    budget = make_budget(school, amount=30_000)  # exactly the price: nothing to spare
    offer = make_offer(venue, price=30_000)
    booking = make_booking(offer, teacher)
    in_confirmation, release = threading.Event(), threading.Event()
    notify = flow._notify

    def paused_notify(*args: object, **kwargs: object) -> None:
        in_confirmation.set()  # budget checked, booking updated, transaction still open
        release.wait(timeout=30)
        notify(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flow, "_notify", paused_notify)
    results: dict[str, str] = {}

    def run(name: str, call: Callable[[], object], after: threading.Event | None) -> None:
        try:
            if after is not None:
                after.wait(timeout=30)
            call()
            results[name] = "ok"
        except DomainError as exc:
            results[name] = exc.code
        except Exception as exc:  # noqa: BLE001 — asserted absent below
            results[name] = f"crash:{type(exc).__name__}"
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=("confirm", lambda: flow.confirm(head=head, booking_id=booking.pk), None),
        ),
        threading.Thread(
            target=run,
            args=(
                "raise",
                lambda: offer_services.change_price(actor=pro, offer=offer, price=40_000),
                in_confirmation,
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        assert in_confirmation.wait(timeout=30)
        _wait_for_a_lock_waiter()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert results == {"confirm": "ok", "raise": "price_increase"}
    booking.refresh_from_db()
    assert (booking.status, booking.price) == (CONFIRMED, 30_000)
    assert CollectiveStock.objects.get(offer=offer).price == 30_000
    assert flow.committed_on(budget) == 30_000
