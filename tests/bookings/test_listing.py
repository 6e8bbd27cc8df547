"""The bookings tab's filters and keyset pages (bookings.listing), shared with the exports."""

import dataclasses
import datetime as dt

import pytest

from passculture.bookings.listing import (
    COLLECTIVE,
    INDIVIDUAL,
    BookingFilters,
    Cursor,
    bookings_page,
    collective_bookings,
    individual_bookings,
    status_counts,
)
from tests.bookings.factories import NOW, make_bookable_offer, make_youth, paris
from tests.bookings.listing_factories import booking, collective_booking
from tests.factories import make_offerer, make_user, make_venue
from tests.offers.factories import make_price_category, make_stock

pytestmark = pytest.mark.django_db


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def stock(venue):
    return make_bookable_offer(venue, beginning=paris(2027, 2, 1, 20, 30))


def test_booking_date_bounds_are_paris_days_in_winter(pro, stock):
    before = booking(stock, created_at=paris(2027, 1, 9, 23, 59, 59))
    first = booking(stock, created_at=paris(2027, 1, 10, 0, 0))  # 09/01 23:00 UTC
    last = booking(stock, created_at=paris(2027, 1, 10, 23, 59, 59))
    after = booking(stock, created_at=paris(2027, 1, 11, 0, 0))
    assert first.created_at == dt.datetime(2027, 1, 9, 23, 0, tzinfo=dt.UTC)
    day = dt.date(2027, 1, 10)
    found = ids(individual_bookings(pro, BookingFilters(date_from=day, date_to=day)))
    assert found == {first.pk, last.pk}
    since = ids(individual_bookings(pro, BookingFilters(date_from=day)))
    assert since == {first.pk, last.pk, after.pk}
    until = ids(individual_bookings(pro, BookingFilters(date_to=day)))
    assert until == {before.pk, first.pk, last.pk}


def test_booking_date_bounds_follow_summer_time(pro, stock):
    inside = booking(stock, created_at=dt.datetime(2027, 6, 30, 22, 0, tzinfo=dt.UTC))
    outside = booking(stock, created_at=dt.datetime(2027, 6, 30, 21, 59, 59, tzinfo=dt.UTC))
    day = dt.date(2027, 7, 1)
    assert ids(individual_bookings(pro, BookingFilters(date_from=day, date_to=day))) == {inside.pk}
    assert outside.pk in ids(individual_bookings(pro, BookingFilters(date_to=dt.date(2027, 6, 30))))


def test_event_period_uses_the_event_date_for_both_kinds(pro, venue):
    late = make_bookable_offer(venue, name="Tard", beginning=paris(2027, 2, 1, 23, 30))
    early = make_bookable_offer(venue, name="Tôt", beginning=paris(2027, 2, 2, 0, 30))
    b_late, b_early = booking(late), booking(early)
    coll = collective_booking(venue, start=paris(2027, 2, 1, 10, 0))
    collective_booking(venue, start=paris(2027, 3, 1, 10, 0))
    day = dt.date(2027, 2, 1)
    filters = BookingFilters(period="event", date_from=day, date_to=day)
    assert ids(individual_bookings(pro, filters)) == {b_late.pk}
    assert ids(collective_bookings(pro, filters)) == {coll.pk}
    # Booked on NOW (4 January): the booking-date period finds both, not the event one.
    booked = BookingFilters(date_from=dt.date(2027, 1, 4), date_to=dt.date(2027, 1, 4))
    assert ids(individual_bookings(pro, booked)) == {b_late.pk, b_early.pk}


def test_each_filter_narrows(pro, offerer, venue, stock):
    other_venue = make_venue(offerer, nic=2, name="Petite salle")
    other_stock = make_bookable_offer(other_venue, name="Ruy Blas")
    reduced = make_price_category(stock.offer, "Tarif réduit", 800)
    reduced_stock = make_stock(stock.offer, beginning=stock.beginning_datetime, category=reduced)
    zoe = make_youth(first_name="Zoé", last_name="Lefèvre-Nguyễn", email="zoe@exemple.fr")
    a = booking(stock, zoe, token="ABCDEF")
    b = booking(reduced_stock, status="used")
    c = booking(other_stock, status="cancelled")
    assert ids(individual_bookings(pro, BookingFilters())) == {a.pk, b.pk, c.pk}
    assert ids(individual_bookings(pro, BookingFilters(status="used"))) == {b.pk}
    assert ids(individual_bookings(pro, BookingFilters(venue_id=other_venue.pk))) == {c.pk}
    assert ids(individual_bookings(pro, BookingFilters(offer_id=stock.offer_id))) == {a.pk, b.pk}
    assert ids(individual_bookings(pro, BookingFilters(price_category_id=reduced.pk))) == {b.pk}
    assert ids(individual_bookings(pro, BookingFilters(token=" abcdef "))) == {a.pk}
    for text in ("Lefèvre-Nguyễn", "Zoé", "zoe@exemple"):
        assert ids(individual_bookings(pro, BookingFilters(beneficiary=text))) == {a.pk}


def test_collective_filters(pro, venue):
    lyon = collective_booking(venue, school_name="Lycée Ampère", teacher_name=("Inès", "Bâ"))
    pending = collective_booking(venue, status="pending", school_name="Collège Gerson")
    assert ids(collective_bookings(pro, BookingFilters(beneficiary="Ampère"))) == {lyon.pk}
    assert ids(collective_bookings(pro, BookingFilters(beneficiary="Bâ"))) == {lyon.pk}
    assert ids(collective_bookings(pro, BookingFilters(status="pending"))) == {pending.pk}
    # Tokens and price categories do not exist there: such a filter matches none.
    assert ids(collective_bookings(pro, BookingFilters(token="ABCDEF"))) == set()
    assert ids(collective_bookings(pro, BookingFilters(price_category_id=1))) == set()


def test_another_structure_is_never_listed(pro, venue, stock):
    mine = booking(stock)
    other = make_user("autre@exemple.fr")
    their_venue = make_venue(make_offerer(other, name="Cinéma Le Méliès"))
    theirs = booking(make_bookable_offer(their_venue, name="Film"))
    their_coll = collective_booking(their_venue)
    assert ids(individual_bookings(pro, BookingFilters())) == {mine.pk}
    assert ids(individual_bookings(pro, BookingFilters(venue_id=their_venue.pk))) == set()
    assert ids(individual_bookings(pro, BookingFilters(token=theirs.token))) == set()
    assert ids(collective_bookings(pro, BookingFilters())) == set()
    assert ids(collective_bookings(other, BookingFilters())) == {their_coll.pk}


def test_status_counts_per_kind_ignore_the_status_filter(pro, venue, stock):
    for status in ("confirmed", "confirmed", "used", "cancelled"):
        booking(stock, status=status)
    collective_booking(venue, status="pending")
    collective_booking(venue, status="confirmed")
    expected = {
        INDIVIDUAL: {"confirmed": 2, "used": 1, "cancelled": 1},
        COLLECTIVE: {"pending": 1, "confirmed": 1},
    }
    assert status_counts(pro, BookingFilters(status="used")) == expected
    assert status_counts(pro, BookingFilters(kind="collective")) == {
        COLLECTIVE: {"pending": 1, "confirmed": 1}
    }


def test_cursor_round_trip_and_garbage():
    cursor = Cursor(dt.datetime(2027, 1, 4, 8, 0, 0, 123456, tzinfo=dt.UTC), 1, 42)
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "abc", "1.2.3", "1.1", "-5.1.2", "9" * 30 + ".1.1", "1.1.x"):
        assert Cursor.decode(bad) is None


def test_pages_walk_both_kinds_without_duplicates_or_gaps(pro, venue, stock):
    rows = []
    for minute in range(7):
        # Two rows at the same instant: the (kind, id) tie-break keeps them apart.
        at = NOW - dt.timedelta(minutes=minute)
        rows.append(("i", booking(stock, created_at=at).pk))
        if minute % 2 == 0:
            rows.append(("c", collective_booking(venue, created_at=at).pk))
    seen, pages = [], []
    page = bookings_page(pro, BookingFilters(), size=3)
    assert page.newer is None
    while True:
        pages.append(page)
        seen.extend((r.kind[0], r.booking.pk) for r in page.rows)
        if page.older is None:
            break
        page = bookings_page(pro, BookingFilters(), before=page.older, size=3)
    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == set(rows)
    sort_keys = [(r.sort_at, r.cursor.rank, r.booking.pk) for p in pages for r in p.rows]
    assert sort_keys == sorted(sort_keys, reverse=True)
    # Back from the last page: the same rows as on the way down, page by page.
    back = bookings_page(pro, BookingFilters(), after=pages[-1].rows[0].cursor, size=3)
    assert [r.booking.pk for r in back.rows] == [r.booking.pk for r in pages[-2].rows]
    first = bookings_page(pro, BookingFilters(), after=pages[1].rows[0].cursor, size=3)
    assert [r.booking.pk for r in first.rows] == [r.booking.pk for r in pages[0].rows]
    assert first.newer is None


def test_kind_filter_and_event_order(pro, venue):
    late = booking(make_bookable_offer(venue, name="B", beginning=paris(2027, 3, 1, 20, 0)))
    early = booking(make_bookable_offer(venue, name="A", beginning=paris(2027, 2, 1, 20, 0)))
    coll = collective_booking(venue, start=paris(2027, 2, 15, 10, 0))
    page = bookings_page(pro, BookingFilters(period="event"))
    assert [r.booking.pk for r in page.rows] == [late.pk, coll.pk, early.pk]
    only = bookings_page(pro, dataclasses.replace(BookingFilters(), kind="collective"))
    assert [(r.kind, r.booking.pk) for r in only.rows] == [(COLLECTIVE, coll.pk)]
