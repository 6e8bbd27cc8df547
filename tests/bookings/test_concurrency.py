"""No overselling, no overspending, under real parallel connections (PostgreSQL only).

Each thread has its own database connection (Django opens one per thread) and a barrier
starts them together, so the bookings genuinely race for the stock and deposit rows.
On SQLite the writers are serialised by the IMMEDIATE transactions, so there is nothing
to race: these tests skip there and run on PostgreSQL under CI.
"""

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from passculture.accounts.models import Role, User
from passculture.bookings import selectors, services
from passculture.bookings.errors import BookingError
from passculture.bookings.models import Booking, BookingStatus
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.credit.models import Deposit, DepositKind
from passculture.offers import services as offer_services
from passculture.offers.models import Stock
from tests.bookings.factories import NOW, live_quantity, make_bookable_offer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 40  # parallel connections (PostgreSQL's default max_connections is 100)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (the suite runs there under CI)")


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


def _youths(count: int, *, amount: int, prefix: str = "jeune") -> list[User]:
    """Many beneficiaries at once (bulk: no password hashing), each with a deposit."""
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{i}@exemple.fr",
            password="!",
            first_name="Noé",
            last_name=f"Lefèvre {i}",
            role=Role.BENEFICIARY,
            birth_date=dt.date(2009, 3, 15),
            identity_validated_at=NOW,
        )
        for i in range(count)
    )
    Deposit.objects.bulk_create(
        Deposit(
            user=user,
            kind=DepositKind.AGE_17_18,
            rule_set="2025",
            amount=amount,
            digital_cap=10_000,
            expires_at=NOW + dt.timedelta(days=900),
        )
        for user in users
    )
    return users


def _race(calls: list[Callable[[], object]], *, threads: int = THREADS) -> list[tuple[str, str]]:
    """Run the calls on `threads` threads started together; (outcome, detail) per call, in order.

    Outcome is "ok", a domain error code, or "crash:<exception class>" for anything else
    (a deadlock, an IntegrityError…), which every test treats as a failure.
    """
    threads = min(threads, len(calls))
    barrier = threading.Barrier(threads)
    results: dict[int, tuple[str, str]] = {}
    guard = threading.Lock()

    def work(share: list[int]) -> None:
        try:
            barrier.wait(timeout=30)
            for index in share:
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

    indexes = list(range(len(calls)))
    workers = [
        threading.Thread(target=work, args=(indexes[i::threads],), daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a booking thread hung"
    assert len(results) == len(calls)
    return [results[i] for i in indexes]


def test_200_users_race_for_50_seats(venue):
    stock = make_bookable_offer(venue, price=1_000, quantity=50)
    users = _youths(200, amount=15_000)

    results = _race(
        [lambda u=user: services.book_offer(user=u, stock_id=stock.pk) for user in users]
    )

    outcomes = Counter(code for code, _ in results)
    assert outcomes == {"ok": 50, "sold_out": 150}, outcomes
    assert {text for code, text in results if code == "sold_out"} == {
        "Complet : il ne reste plus assez de places."
    }
    stock.refresh_from_db()
    assert stock.booked_quantity == 50
    bookings = Booking.objects.filter(stock=stock)
    assert bookings.count() == 50
    assert len(set(bookings.values_list("token", flat=True))) == 50
    assert len(set(bookings.values_list("user_id", flat=True))) == 50
    booked = set(bookings.values_list("user_id", flat=True))
    for user in users:  # the winners paid once, the others nothing
        expected = 15_000 - 1_000 if user.pk in booked else 15_000
        assert selectors.credit_of(user).balance == expected


def test_duo_race_never_splits_the_last_seats(venue):
    """Duo and solo bookings racing for 31 seats: never more than 31, whatever the mix."""
    stock = make_bookable_offer(venue, price=500, quantity=31, is_duo=True)
    users = _youths(60, amount=15_000)

    results = _race(
        [
            lambda u=user, q=1 + i % 2: services.book_offer(user=u, stock_id=stock.pk, quantity=q)
            for i, user in enumerate(users)
        ]
    )

    assert {code for code, _ in results} <= {"ok", "sold_out"}, results
    stock.refresh_from_db()
    assert stock.booked_quantity == live_quantity(stock) <= 31
    assert stock.booked_quantity >= 30  # a refused duo leaves at most one seat unsold


def test_one_user_fires_20_parallel_bookings_beyond_the_balance(venue):
    (user,) = _youths(1, amount=5_000)
    prices = [700, 300, 1_100, 900, 450, 1_250, 600, 800, 350, 1_000] * 2  # 17 100 in all
    stocks = [
        make_bookable_offer(venue, name=f"Spectacle {i}", price=price, quantity=5)
        for i, price in enumerate(prices)
    ]

    results = _race(
        [lambda s=stock: services.book_offer(user=user, stock_id=s.pk) for stock in stocks],
        threads=20,
    )

    assert {code for code, _ in results} <= {"ok", "insufficient_credit"}, results
    assert Counter(code for code, _ in results)["ok"] >= 4  # 5 000 buys at least 4 of them
    credit = selectors.credit_of(user)
    live = Booking.objects.filter(user=user, status=BookingStatus.CONFIRMED)
    spent = sum(b.total for b in live)
    assert credit.spent == spent <= 5_000
    assert credit.balance == 5_000 - spent >= 0
    booked_stocks = set(live.values_list("stock_id", flat=True))
    for stock in stocks:
        stock.refresh_from_db()
        assert stock.booked_quantity == (1 if stock.pk in booked_stocks else 0)
        if stock.pk not in booked_stocks:  # refused only because it no longer fitted
            assert stock.price > credit.balance


def test_bookings_racing_quantity_decreases_never_overbook(venue, pro):
    """Venues lowering a contingent while young people book: booked ≤ quantity, always."""
    stock = make_bookable_offer(venue, price=800, quantity=40)
    users = _youths(60, amount=15_000)
    targets = [35, 30, 26, 22, 18, 15, 12, 10, 8, 6, 4]

    def lower(quantity: int) -> Callable[[], object]:
        def call() -> object:
            fresh = Stock.objects.get(pk=stock.pk)
            return offer_services.update_stock(actor=pro, stock=fresh, quantity=quantity)

        return call

    book = [lambda u=user: services.book_offer(user=u, stock_id=stock.pk) for user in users]
    lowers = [lower(quantity) for quantity in targets]
    # Thread i runs call i, then i + 30, then i + 60: the edits land amid the bookings.
    calls = book[:30] + lowers + book[30:]
    is_edit = [False] * 30 + [True] * len(lowers) + [False] * (len(book) - 30)

    results = _race(calls, threads=30)

    booking_codes = Counter(
        code for (code, _), edit in zip(results, is_edit, strict=True) if not edit
    )
    edit_codes = Counter(code for (code, _), edit in zip(results, is_edit, strict=True) if edit)
    assert set(booking_codes) <= {"ok", "sold_out"}, results
    assert set(edit_codes) <= {"ok", "quantity_below_booked"}, results
    stock.refresh_from_db()
    assert stock.booked_quantity == live_quantity(stock) == booking_codes["ok"]
    assert Booking.objects.filter(stock=stock).count() == booking_codes["ok"]
    assert stock.quantity is not None and stock.booked_quantity <= stock.quantity


def test_cancellations_and_bookings_race_on_the_last_seats(venue):
    """Half the holders cancel while newcomers book: seats and credits stay exact."""
    stock = make_bookable_offer(venue, price=1_000, quantity=20)
    holders = _youths(20, amount=15_000)
    with clock.frozen_at(NOW - dt.timedelta(hours=1)):
        held = [services.book_offer(user=u, stock_id=stock.pk) for u in holders]
    newcomers = _youths(40, amount=15_000, prefix="nouveau")

    calls: list[Callable[[], object]] = [
        lambda b=booking, u=user: services.cancel_by_beneficiary(user=u, booking_id=b.pk)
        for booking, user in zip(held[:10], holders[:10], strict=True)
    ]
    calls += [lambda u=user: services.book_offer(user=u, stock_id=stock.pk) for user in newcomers]

    results = _race(calls, threads=25)

    assert {code for code, _ in results} <= {"ok", "sold_out"}, results
    stock.refresh_from_db()
    assert stock.booked_quantity == live_quantity(stock) <= 20
    for user in holders + newcomers:
        live = Booking.objects.filter(user=user).exclude(status=BookingStatus.CANCELLED)
        assert selectors.credit_of(user).balance == 15_000 - sum(b.total for b in live)


def test_refused_race_outcomes_are_domain_errors_only():
    """Guard on the helper itself: an unexpected exception is reported, not swallowed."""

    def boom() -> object:
        raise RuntimeError("boom")

    def refused() -> object:
        raise BookingError()

    results = _race([boom, refused], threads=2)
    assert sorted(results) == [
        ("booking_refused", "Réservation impossible."),
        ("crash:RuntimeError", "boom"),
    ]


def test_bookings_racing_a_rejection_leave_no_live_booking(venue, pro, staff):
    """Staff rejects an offer while young people book it: afterwards nothing stays live."""
    stock = make_bookable_offer(venue, price=600, quantity=100)
    users = _youths(40, amount=15_000)

    def reject() -> object:
        from passculture.offers.models import Offer
        from passculture.offers.services import reject_offer

        return reject_offer(
            actor=staff, offer=Offer.objects.get(pk=stock.offer_id), reason="Doublon"
        )

    book = [lambda u=user: services.book_offer(user=u, stock_id=stock.pk) for user in users]
    calls = book[:20] + [reject] + book[20:]

    results = _race(calls, threads=20)

    assert {code for code, _ in results} <= {"ok", "offer_not_bookable"}, results
    assert results[20] == ("ok", "")
    stock.refresh_from_db()
    assert not Booking.objects.filter(stock=stock).exclude(status=BookingStatus.CANCELLED).exists()
    assert stock.booked_quantity == 0


def test_cancellations_racing_a_date_deletion(venue, pro):
    """Young people cancel while the venue deletes the date: each booking cancelled once."""
    stock = make_bookable_offer(venue, price=900, quantity=50)
    users = _youths(30, amount=15_000)
    with clock.frozen_at(NOW - dt.timedelta(hours=1)):
        held = [services.book_offer(user=u, stock_id=stock.pk) for u in users]

    def delete() -> object:
        from passculture.offers.models import Offer

        offer = Offer.objects.get(pk=stock.offer_id)
        return offer_services.delete_date(
            actor=pro, offer=offer, beginning=stock.beginning_datetime
        )

    cancels = [
        lambda b=booking, u=user: services.cancel_by_beneficiary(user=u, booking_id=b.pk)
        for booking, user in zip(held, users, strict=True)
    ]
    calls = cancels[:15] + [delete] + cancels[15:]

    results = _race(calls, threads=16)

    assert {code for code, _ in results} <= {"ok", "booking_cancelled"}, results
    assert results[15] == ("ok", "")
    stock.refresh_from_db()
    assert stock.is_deleted and stock.booked_quantity == 0
    assert set(Booking.objects.filter(stock=stock).values_list("status", flat=True)) == {
        BookingStatus.CANCELLED
    }
    for user in users:
        assert selectors.credit_of(user).balance == 15_000


def test_cancellations_and_validations_racing_a_rejection(venue, pro, staff):
    """Young people cancel and the door validates while staff rejects the offer."""
    from passculture.offers.models import Offer
    from passculture.offers.services import reject_offer

    stock = make_bookable_offer(venue, price=700, quantity=50)
    users = _youths(30, amount=15_000)
    with clock.frozen_at(NOW - dt.timedelta(days=20)):  # limits are long past at NOW
        held = [services.book_offer(user=u, stock_id=stock.pk) for u in users[:15]]
    held += [services.book_offer(user=u, stock_id=stock.pk) for u in users[15:]]

    def reject() -> object:
        return reject_offer(
            actor=staff, offer=Offer.objects.get(pk=stock.offer_id), reason="Doublon"
        )

    validations = [
        lambda b=booking: services.validate_token(actor=pro, token=b.token, venue_ids={venue.pk})
        for booking in held[:15]
    ]
    cancels = [
        lambda b=booking, u=user: services.cancel_by_beneficiary(user=u, booking_id=b.pk)
        for booking, user in zip(held[15:], users[15:], strict=True)
    ]
    calls = [call for pair in zip(validations, cancels, strict=True) for call in pair]
    calls.insert(8, reject)

    results = _race(calls, threads=16)

    assert {code for code, _ in results} <= {"ok", "booking_cancelled"}, results
    assert results[8] == ("ok", "")
    stock.refresh_from_db()
    statuses = Counter(Booking.objects.filter(stock=stock).values_list("status", flat=True))
    assert set(statuses) <= {BookingStatus.USED, BookingStatus.CANCELLED}
    assert stock.booked_quantity == live_quantity(stock) == statuses[BookingStatus.USED]


def test_expiry_job_racing_cancellations_and_validations(venue, pro):
    """Books not withdrawn expire while their holders cancel or collect them."""
    from passculture.bookings import jobs

    stocks = [
        make_bookable_offer(venue, subcategory_id="LIVRE_PAPIER", name=f"Livre {i}", quantity=None)
        for i in range(3)
    ]
    users = _youths(45, amount=15_000)
    with clock.frozen_at(NOW - dt.timedelta(days=11)):
        held = [services.book_offer(user=u, stock_id=stocks[i % 3].pk) for i, u in enumerate(users)]

    def cancel(booking: Booking, user: User) -> Callable[[], object]:
        return lambda: services.cancel_by_beneficiary(user=user, booking_id=booking.pk)

    def collect(booking: Booking) -> Callable[[], object]:
        return lambda: services.validate_token(actor=pro, token=booking.token, venue_ids={venue.pk})

    calls: list[Callable[[], object]] = []
    for i, (booking, user) in enumerate(zip(held, users, strict=True)):
        calls.append(cancel(booking, user) if i % 2 else collect(booking))
        if i % 9 == 0:
            calls.append(jobs.expire_thing_bookings)

    results = _race(calls, threads=20)

    assert {code for code, _ in results} <= {"ok", "booking_cancelled"}, results
    jobs.expire_thing_bookings()
    statuses = Counter(Booking.objects.values_list("status", flat=True))
    assert set(statuses) <= {BookingStatus.USED, BookingStatus.CANCELLED}
    for stock in stocks:
        stock.refresh_from_db()
        assert stock.booked_quantity == live_quantity(stock)
