"""A small, known world for export tests: one venue with accented names, bookings whose
every column value is known (solo, duo, cancelled, a formula-looking name)."""

import dataclasses
import datetime as dt
import io
import itertools
from typing import Any

from passculture.accounts.models import Role, User
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.offerers.models import Offerer, Venue
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from tests.bookings.factories import paris
from tests.factories import make_offerer, make_user, make_venue

_tokens = itertools.count(1)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ234567"
EVENT = paris(2027, 1, 14, 20, 30)  # 20:30 in Paris = 19:30 UTC (winter)
BOOKED = paris(2027, 1, 3, 18, 5)


def token() -> str:
    n = next(_tokens)
    out = ""
    for _ in range(6):
        n, r = divmod(n, len(ALPHABET))
        out += ALPHABET[r]
    return out


def youth(first: str, last: str, email: str, phone: str = "") -> User:
    """A young person; a second world reuses names, so a taken e-mail gets a suffix."""
    while User.objects.filter(email__iexact=email).exists():
        email = email.replace("@", f".{next(_tokens)}@")
    user = User(email=email, first_name=first, last_name=last, phone=phone, role=Role.BENEFICIARY)
    user.set_unusable_password()
    user.save()
    return user


@dataclasses.dataclass
class World:
    pro: User
    offerer: Offerer
    venue: Venue
    offer: Offer
    stock: Stock
    solo: Booking
    duo: Booking
    cancelled: Booking
    formula: Booking


def book(stock: Stock, user: User, **fields: Any) -> Booking:
    fields.setdefault("amount", stock.price)
    fields.setdefault("created_at", BOOKED)
    return Booking.objects.create(
        user=user, stock=stock, offer=stock.offer, token=token(), **fields
    )


def make_world(*, offerer_name: str = "Compagnie de l’Échangeur", pro: User | None = None) -> World:
    pro = pro or make_user(first_name="Inès", last_name="Da Silva")
    offerer = make_offerer(pro, name=offerer_name)
    venue = make_venue(offerer, name="Théâtre de l'Échangeur")
    offer = Offer.objects.create(
        venue=venue,
        subcategory_id="SPECTACLE_REPRESENTATION",
        name="Cyrano — «nuit» d’été",
        extra_data={"showType": "THEATRE-CLASSIQUE"},
        validation=Validation.APPROVED,
        is_duo=True,
    )
    category = PriceCategory.objects.create(offer=offer, label="Tarif réduit", price=1250)
    stock = Stock.objects.create(
        offer=offer, price_category=category, price=1250, quantity=100, booked_quantity=4,
        beginning_datetime=EVENT, booking_limit_datetime=EVENT,
    )  # fmt: skip
    zoe = youth("Zoé", "Lefèvre-Nguyễn", "zoe@exemple.fr", "+33 6 12 34 56 78")
    solo = book(stock, zoe)
    duo = book(
        stock, youth("Ørjan", "Ĺópez", "orjan@exemple.fr"), quantity=2,
        created_at=BOOKED + dt.timedelta(hours=1),
    )  # fmt: skip
    cancelled = book(
        stock, youth("Chloé", "Martin", "chloe@exemple.fr"), status=BookingStatus.CANCELLED,
        cancelled_at=paris(2027, 1, 5, 9, 0), cancellation_reason=CancellationReason.BENEFICIARY,
        created_at=BOOKED - dt.timedelta(days=1),
    )  # fmt: skip
    formula = book(
        stock, youth("=HYPERLINK(\"http://x\")", "+33", "f@exemple.fr", "-1"),
        created_at=BOOKED - dt.timedelta(days=2),
    )  # fmt: skip
    return World(pro, offerer, venue, offer, stock, solo, duo, cancelled, formula)


def read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def read_csv(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def read_ods(data: bytes) -> list[list[str]]:
    """Cells as shown text (odfpy), empty cells as ""."""
    from odf import table
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    rows = []
    for row in document.spreadsheet.getElementsByType(table.TableRow):
        rows.append([str(cell) for cell in row.getElementsByType(table.TableCell)])
    return rows


def ods_cells(data: bytes) -> list[list[tuple[str, str | None, str | None]]]:
    """(text, value type, value) per cell: to check numbers and dates are typed."""
    from odf import table
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    return [
        [
            (
                str(c),
                c.getAttribute("valuetype"),
                c.getAttribute("value") or c.getAttribute("datevalue"),
            )
            for c in row.getElementsByType(table.TableCell)
        ]
        for row in document.spreadsheet.getElementsByType(table.TableRow)
    ]
