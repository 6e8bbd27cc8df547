"""Offer details: every validation message, refusals change nothing, audit, image, duplication."""

import datetime as dt
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.offerers.errors import InvalidCoordinates, InvalidPostalCode
from passculture.offerers.models import Address
from passculture.offers import catalogue, services
from passculture.offers import errors as e
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from passculture.offers.services import offers as offer_services
from tests.factories import make_venue
from tests.offers.factories import (
    NOW,
    PARIS,
    address_data,
    db_state,
    image_upload,
    make_offer,
    make_price_category,
    make_stock,
    make_thing_offer,
    make_virtual_venue,
    offer_data,
    paris,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def virtual_venue(offerer):
    return make_virtual_venue(offerer)


# --- create -------------------------------------------------------------------------------------


def test_create_offer_is_a_draft_with_cleaned_values_and_an_audit_entry(pro, venue):
    data = offer_data(
        name="  Le Misanthrope  ",
        extra_data={"showType": "THEATRE-CLASSIQUE", "author": " Molière ", "ean": "123"},
        is_duo=True,
        motor_accessible=True,
        fill_alert_threshold=80,
        url="https://ignored.example/",
    )
    offer = services.create_offer(actor=pro, venue=venue, data=data)
    offer.refresh_from_db()
    assert offer.name == "Le Misanthrope"
    assert offer.validation == Validation.DRAFT and offer.is_active
    # Unknown keys are dropped, values stripped; a physical offer keeps no URL; no address = venue's.
    assert offer.extra_data == {"showType": "THEATRE-CLASSIQUE", "author": "Molière"}
    assert (offer.url, offer.address_id, offer.venue_id) == ("", None, venue.pk)
    assert offer.is_duo and offer.motor_accessible and offer.fill_alert_threshold == 80
    entry = entries_for(offer).get()
    assert (entry.action, entry.actor, entry.before) == ("offer.created", pro, {})
    assert entry.after["name"] == "Le Misanthrope"
    assert entry.after["venue"] == venue.pk and entry.after["validation"] == "draft"
    assert entry.after["address"] is None


def test_name_of_exactly_90_characters_is_accepted(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(name="é" * 90))
    assert len(offer.name) == 90


NAME_MESSAGE = "Donnez un titre à l’offre (90 caractères au plus)."


@pytest.mark.parametrize(
    ("overrides", "error", "code", "field", "text"),
    [
        ({"name": ""}, e.NameRequired, "name_required", "name", NAME_MESSAGE),
        ({"name": "   "}, e.NameRequired, "name_required", "name", NAME_MESSAGE),
        ({"name": "x" * 91}, e.NameRequired, "name_required", "name", NAME_MESSAGE),
        (
            {"subcategory_id": "THEATRE_IMAGINAIRE"},
            catalogue.UnknownSubcategory,
            "unknown_subcategory",
            "subcategory_id",
            "Sous-catégorie inconnue : « THEATRE_IMAGINAIRE ».",
        ),
        (
            # Kept to read old data, never offered.
            {"subcategory_id": "DECOUVERTE_METIERS", "extra_data": {}},
            catalogue.UnknownSubcategory,
            "unknown_subcategory",
            "subcategory_id",
            "Sous-catégorie inconnue.",
        ),
        (
            {"extra_data": {"author": "Molière"}},
            catalogue.InvalidExtraData,
            "invalid_extra_data",
            "showType",
            "Le champ « Type de spectacle » est obligatoire.",
        ),
        (
            {"extra_data": {"showType": "THEATRE-INVENTE"}},
            catalogue.InvalidExtraData,
            "invalid_extra_data",
            "showType",
            "Le champ « Type de spectacle » contient un code inconnu : « THEATRE-INVENTE ».",
        ),
        (
            {"subcategory_id": "CONCERT", "extra_data": {}},
            catalogue.InvalidExtraData,
            "invalid_extra_data",
            "musicType",
            "Le champ « Genre musical » est obligatoire.",
        ),
        (
            {
                "subcategory_id": "LIVRE_PAPIER",
                "extra_data": {"ean": "9782070360025"},
                "withdrawal_type": "",
            },
            catalogue.InvalidExtraData,
            "invalid_extra_data",
            "ean",
            "Le champ « EAN-13 » est invalide : la clé de contrôle ne correspond pas.",
        ),
        (
            {"subcategory_id": "LIVRE_NUMERIQUE", "extra_data": {}, "withdrawal_type": ""},
            e.WrongVenueForSubcategory,
            "wrong_venue_for_subcategory",
            "venue",
            "Une offre « Livre numérique » est numérique : rattachez-la au lieu numérique de la structure.",
        ),
        (
            {"subcategory_id": "LIVESTREAM_EVENEMENT", "withdrawal_type": ""},
            e.WrongVenueForSubcategory,
            "wrong_venue_for_subcategory",
            "venue",
            "Une offre « Spectacle diffusé en direct en ligne » est numérique : rattachez-la au lieu numérique de la structure.",
        ),
        (
            {
                "subcategory_id": "CARTE_JEUNES",
                "extra_data": {},
                "withdrawal_type": "",
                "is_duo": True,
            },
            e.DuoNotAllowed,
            "duo_not_allowed",
            "is_duo",
            "Cette sous-catégorie ne permet pas la réservation à deux (duo).",
        ),
        (
            {"withdrawal_type": "by_email"},
            e.InvalidWithdrawal,
            "invalid_withdrawal",
            "withdrawal_delay_hours",
            "Indiquez combien d’heures avant l’événement le billet est envoyé par e-mail.",
        ),
        (
            {"withdrawal_type": "par_pigeon"},
            e.InvalidWithdrawal,
            "invalid_withdrawal",
            "withdrawal_type",
            "Cette modalité de retrait n’est pas possible pour cette offre.",
        ),
        (
            {"subcategory_id": "CARTE_JEUNES", "extra_data": {}, "withdrawal_type": "on_site"},
            e.InvalidWithdrawal,
            "invalid_withdrawal",
            "withdrawal_type",
            "Seuls les événements ont une modalité de retrait de billet.",
        ),
        (
            {"fill_alert_threshold": 0},
            e.InvalidThreshold,
            "invalid_threshold",
            "fill_alert_threshold",
            "Le seuil d’alerte est un pourcentage entre 1 et 100.",
        ),
        (
            {"fill_alert_threshold": 101},
            e.InvalidThreshold,
            "invalid_threshold",
            "fill_alert_threshold",
            "Le seuil d’alerte est un pourcentage entre 1 et 100.",
        ),
        (
            {"address": address_data(postal_code="00000")},
            InvalidPostalCode,
            "invalid_postal_code",
            "address_postal_code",
            "Code postal inconnu : saisissez les 5 chiffres d’un code postal français.",
        ),
        (
            {"address": address_data(postal_code="130")},
            InvalidPostalCode,
            "invalid_postal_code",
            "address_postal_code",
            "Code postal inconnu : saisissez les 5 chiffres d’un code postal français.",
        ),
        (
            {"address": address_data(latitude=None)},
            InvalidCoordinates,
            "invalid_coordinates",
            "address_latitude",
            "Placez le lieu sur la carte (coordonnées en France) ou saisissez sa latitude et sa longitude.",
        ),
        (
            # Madrid: a valid point, not in France.
            {"address": address_data(latitude=Decimal("40.41680"), longitude=Decimal("-3.70380"))},
            InvalidCoordinates,
            "invalid_coordinates",
            "address_latitude",
            "Placez le lieu sur la carte (coordonnées en France) ou saisissez sa latitude et sa longitude.",
        ),
    ],
)
def test_create_offer_refusals_have_exact_messages_and_change_nothing(
    pro, venue, overrides, error, code, field, text
):
    before = db_state()
    with pytest.raises(error) as exc:
        services.create_offer(actor=pro, venue=venue, data=offer_data(**overrides))
    assert (exc.value.text, exc.value.code, exc.value.field) == (text, code, field)
    assert db_state() == before
    assert Offer.objects.count() == 0 and Address.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "error", "code", "field", "text"),
    [
        (
            {"subcategory_id": "LIVRE_PAPIER", "extra_data": {}, "withdrawal_type": ""},
            e.WrongVenueForSubcategory,
            "wrong_venue_for_subcategory",
            "venue",
            "Une offre « Livre papier » a lieu physiquement : choisissez un lieu avec une adresse.",
        ),
        (
            {
                "subcategory_id": "LIVRE_NUMERIQUE",
                "extra_data": {},
                "withdrawal_type": "",
                "url": "  ",
            },
            e.UrlRequired,
            "url_required",
            "url",
            "Une offre numérique a besoin de l’adresse web où la retrouver.",
        ),
        (
            # Two seats at the same session make no sense for a stream.
            {
                "subcategory_id": "LIVESTREAM_EVENEMENT",
                "withdrawal_type": "",
                "url": "https://live.example/",
                "is_duo": True,
            },
            e.DuoNotAllowed,
            "duo_not_allowed",
            "is_duo",
            "Cette sous-catégorie ne permet pas la réservation à deux (duo).",
        ),
        (
            # Nobody collects a ticket at a counter for an event on a screen.
            {
                "subcategory_id": "LIVESTREAM_EVENEMENT",
                "withdrawal_type": "on_site",
                "url": "https://live.example/",
            },
            e.InvalidWithdrawal,
            "invalid_withdrawal",
            "withdrawal_type",
            "Cette modalité de retrait n’est pas possible pour cette offre.",
        ),
    ],
)
def test_digital_venue_refusals(pro, virtual_venue, overrides, error, code, field, text):
    before = db_state()
    with pytest.raises(error) as exc:
        services.create_offer(actor=pro, venue=virtual_venue, data=offer_data(**overrides))
    assert (exc.value.text, exc.value.code, exc.value.field) == (text, code, field)
    assert db_state() == before


def test_digital_offer_on_the_virtual_venue_keeps_its_url_and_no_address(pro, virtual_venue):
    data = offer_data(
        subcategory_id="LIVRE_NUMERIQUE",
        extra_data={"ean": "978-2-07-036002-4"},
        withdrawal_type="",
        url=" https://livres.example/misanthrope ",
        address=address_data(),  # ignored: a digital offer happens nowhere
    )
    offer = services.create_offer(actor=pro, venue=virtual_venue, data=data)
    assert (offer.url, offer.address_id) == ("https://livres.example/misanthrope", None)
    assert offer.extra_data == {"ean": "9782070360024"}
    assert Address.objects.count() == 0


def test_withdrawal_by_email_with_a_delay_and_thresholds_at_bounds(pro, venue):
    offer = services.create_offer(
        actor=pro,
        venue=venue,
        data=offer_data(
            withdrawal_type="by_email", withdrawal_delay_hours=48, fill_alert_threshold=1
        ),
    )
    assert (offer.withdrawal_type, offer.withdrawal_delay_hours) == ("by_email", 48)
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(fill_alert_threshold=100))
    assert offer.fill_alert_threshold == 100
    thing = services.create_offer(
        actor=pro,
        venue=venue,
        data=offer_data(subcategory_id="CARTE_JEUNES", extra_data={}, withdrawal_type=""),
    )
    assert thing.withdrawal_type == "" and not thing.is_duo


def test_other_address_gets_its_department_and_rounded_coordinates(pro, venue):
    data = offer_data(
        address=address_data(
            street=" 58 boulevard Charles Livon ",
            latitude=Decimal("43.2930049"),
            longitude=Decimal("5.3570051"),
        )
    )
    offer = services.create_offer(actor=pro, venue=venue, data=data)
    address = Address.objects.get()
    assert offer.address == address
    assert (address.street, address.postal_code, address.city, address.department_code) == (
        "58 boulevard Charles Livon",
        "13007",
        "Marseille",
        "13",
    )
    assert (address.latitude, address.longitude) == (Decimal("43.29300"), Decimal("5.35701"))
    assert entries_for(offer).get().after["address"] == address.pk


@pytest.mark.parametrize(
    ("postal_code", "latitude", "longitude", "department"),
    [
        ("20000", "41.91920", "8.73860", "2A"),  # Ajaccio
        ("20200", "42.69750", "9.45080", "2B"),  # Bastia
        ("97400", "-20.88230", "55.45040", "974"),  # Saint-Denis de La Réunion
    ],
)
def test_other_address_overseas_and_corsica(
    pro, venue, postal_code, latitude, longitude, department
):
    data = offer_data(
        address=address_data(
            postal_code=postal_code, latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
    )
    offer = services.create_offer(actor=pro, venue=venue, data=data)
    assert offer.address.department_code == department


# --- update -------------------------------------------------------------------------------------


def test_update_offer_audits_only_changed_fields_with_before_and_after(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data())
    services.update_offer(
        actor=pro,
        offer=offer,
        data=offer_data(name="Tartuffe", is_duo=True, hearing_accessible=True),
    )
    offer.refresh_from_db()
    assert (offer.name, offer.is_duo, offer.hearing_accessible) == ("Tartuffe", True, True)
    entry = entries_for(offer).get(action="offer.updated")
    assert entry.actor == pro
    assert entry.before == {"name": "Le Misanthrope", "is_duo": False, "hearing_accessible": False}
    assert entry.after == {"name": "Tartuffe", "is_duo": True, "hearing_accessible": True}


def test_update_with_nothing_changed_writes_no_audit(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(address=address_data()))
    services.update_offer(actor=pro, offer=offer, data=offer_data(address=address_data()))
    assert list(entries_for(offer).values_list("action", flat=True)) == ["offer.created"]


def test_update_keeps_the_same_address_row_when_unchanged(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(address=address_data()))
    address_id = offer.address_id
    # Same place typed again, with extra decimals and spaces: still the same row.
    same = address_data(
        street="58 boulevard Charles Livon ",
        latitude=Decimal("43.293"),
        longitude=Decimal("5.357000"),
    )
    services.update_offer(actor=pro, offer=offer, data=offer_data(name="Tartuffe", address=same))
    offer.refresh_from_db()
    assert offer.address_id == address_id and Address.objects.count() == 1
    assert "address" not in entries_for(offer).get(action="offer.updated").after


def test_update_with_a_new_address_creates_a_row_and_audits_it(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(address=address_data()))
    old = offer.address_id
    other = address_data(
        label="Place Bellecour", street="Place Bellecour", postal_code="69002", city="Lyon",
        latitude=Decimal("45.75780"), longitude=Decimal("4.83200"),
    )  # fmt: skip
    services.update_offer(actor=pro, offer=offer, data=offer_data(address=other))
    offer.refresh_from_db()
    assert offer.address_id != old and offer.address.department_code == "69"
    entry = entries_for(offer).get(action="offer.updated")
    assert (entry.before, entry.after) == ({"address": old}, {"address": offer.address_id})
    # Back to the venue's own address.
    services.update_offer(actor=pro, offer=offer, data=offer_data())
    offer.refresh_from_db()
    assert offer.address_id is None


def test_update_refusals_change_nothing(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(address=address_data()))
    before = db_state()
    refusals = [
        (offer_data(name=""), e.NameRequired, "name"),
        (offer_data(extra_data={}), catalogue.InvalidExtraData, "showType"),
        (offer_data(withdrawal_type="by_email"), e.InvalidWithdrawal, "withdrawal_delay_hours"),
        (offer_data(fill_alert_threshold=150), e.InvalidThreshold, "fill_alert_threshold"),
        (
            offer_data(address=address_data(postal_code="99999")),
            InvalidPostalCode,
            "address_postal_code",
        ),
        (
            offer_data(address=address_data(latitude=Decimal("60"))),
            InvalidCoordinates,
            "address_latitude",
        ),
    ]
    for data, error, field in refusals:
        with pytest.raises(error) as exc:
            services.update_offer(actor=pro, offer=offer, data=data)
        assert exc.value.field == field
    assert db_state() == before


def test_venue_changes_only_while_a_draft(pro, venue, offerer):
    second = make_venue(offerer, nic=2, name="Petite salle")
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data())
    services.update_offer(actor=pro, offer=offer, data=offer_data(), venue=second)
    offer.refresh_from_db()
    assert offer.venue == second
    entry = entries_for(offer).get(action="offer.updated")
    assert (entry.before, entry.after) == ({"venue": venue.pk}, {"venue": second.pk})
    Offer.objects.filter(pk=offer.pk).update(validation=Validation.APPROVED)
    before = db_state()
    with pytest.raises(e.WrongVenueForSubcategory) as exc:
        services.update_offer(actor=pro, offer=offer, data=offer_data(), venue=venue)
    assert exc.value.text == "Le lieu d’une offre publiée ne change plus : dupliquez-la."
    assert db_state() == before


def test_archived_offer_cannot_be_edited_or_reactivated(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data())
    services.archive_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert offer.archived_at == NOW and not offer.is_active
    before = db_state()
    with pytest.raises(e.OfferError) as exc:
        services.update_offer(actor=pro, offer=offer, data=offer_data(name="Tartuffe"))
    assert (exc.value.text, exc.value.code) == (
        "Une offre archivée ne se modifie plus : dupliquez-la.",
        "offer_invalid",
    )
    with pytest.raises(e.OfferError) as exc:
        services.set_offer_active(actor=pro, offer=offer, active=True)
    assert exc.value.text == "Une offre archivée ne se réactive pas : dupliquez-la."
    # Archiving twice is a no-op.
    services.archive_offer(actor=pro, offer=offer)
    assert db_state() == before


def test_changing_the_threshold_rearms_the_fill_alert(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data(fill_alert_threshold=80))
    Offer.objects.filter(pk=offer.pk).update(fill_alert_sent_at=NOW)
    services.update_offer(
        actor=pro, offer=offer, data=offer_data(fill_alert_threshold=80, name="Bis")
    )
    offer.refresh_from_db()
    assert offer.fill_alert_sent_at == NOW
    services.update_offer(actor=pro, offer=offer, data=offer_data(fill_alert_threshold=90))
    offer.refresh_from_db()
    assert offer.fill_alert_sent_at is None


def test_activate_and_deactivate_are_audited_once(pro, venue):
    offer = services.create_offer(actor=pro, venue=venue, data=offer_data())
    services.set_offer_active(actor=pro, offer=offer, active=False)
    services.set_offer_active(actor=pro, offer=offer, active=False)
    services.set_offer_active(actor=pro, offer=offer, active=True)
    actions = list(entries_for(offer).order_by("id").values_list("action", "before", "after"))
    assert [action for action, _, _ in actions] == [
        "offer.created",
        "offer.deactivated",
        "offer.activated",
    ]
    assert actions[1:] == [
        ("offer.deactivated", {"is_active": True}, {"is_active": False}),
        ("offer.activated", {"is_active": False}, {"is_active": True}),
    ]


# --- image --------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("size", "fmt", "expected"),
    [
        ((2400, 1600), "PNG", (1200, 800)),
        ((900, 3000), "JPEG", (360, 1200)),
        ((400, 300), "JPEG", (400, 300)),  # small enough: kept as is
        ((1200, 1200), "PNG", (1200, 1200)),
    ],
)
def test_image_is_resized_and_stored_as_jpeg(pro, venue, media, size, fmt, expected):
    offer = make_offer(venue)
    upload = image_upload(*size, fmt=fmt, name=f"affiche.{fmt.lower()}")
    services.set_offer_image(
        actor=pro, offer=offer, upload=upload, credit="  Photo © Simon Gosselin "
    )
    offer.refresh_from_db()
    assert offer.image.name.endswith(f"offre-{offer.pk}.jpg")
    assert offer.image_credit == "Photo © Simon Gosselin"
    stored = media / offer.image.name
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", expected)
    assert max(expected) <= 1200
    entry = entries_for(offer).get(action="offer.image_set")
    assert entry.before == {"image": ""}
    assert entry.after == {"image": offer.image.name, "size": list(expected)}


def test_transparent_png_is_flattened(pro, venue, media):
    offer = make_offer(venue)
    services.set_offer_image(
        actor=pro, offer=offer, upload=image_upload(600, 600, mode="RGBA"), credit=""
    )
    offer.refresh_from_db()
    with Image.open(media / offer.image.name) as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")


def _not_an_image():
    return SimpleUploadedFile(
        "affiche.png", b"%PDF-1.7 not an image at all", content_type="image/png"
    )


def _too_big():
    upload = image_upload(400, 400)
    upload.size = offer_services.IMAGE_MAX_BYTES + 1  # what Django reports for an 10 MB + 1 upload
    return upload


def _pixel_bomb():
    """A few hundred bytes claiming 30,000 × 30,000 pixels (Pillow refuses to decode it)."""
    upload = image_upload(400, 400)
    data = bytearray(upload.read())
    data[16:24] = struct.pack(">II", 30_000, 30_000)  # IHDR width and height
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return SimpleUploadedFile("bombe.png", bytes(data), content_type="image/png")


@pytest.mark.parametrize(
    ("make_upload", "text"),
    [
        (_pixel_bomb, "L’image a trop de pixels : réduisez ses dimensions."),
        (lambda: image_upload(299, 800), "L’image est trop petite : 300 pixels au moins de côté."),
        (
            lambda: image_upload(800, 200, fmt="JPEG"),
            "L’image est trop petite : 300 pixels au moins de côté.",
        ),
        (_not_an_image, "Ce fichier n’est pas une image lisible (JPEG, PNG ou WebP)."),
        (
            lambda: image_upload(400, 400, fmt="GIF", name="a.gif", mode="L"),
            "Formats acceptés : JPEG, PNG ou WebP.",
        ),
        (_too_big, "L’image dépasse 10 Mo : choisissez un fichier plus léger."),
    ],
)
def test_image_refusals_change_nothing(pro, venue, media, make_upload, text):
    offer = make_offer(venue)
    before = db_state()
    with pytest.raises(e.InvalidImage) as exc:
        services.set_offer_image(actor=pro, offer=offer, upload=make_upload())
    assert (exc.value.text, exc.value.code, exc.value.field) == (text, "invalid_image", "image")
    assert db_state() == before
    assert list(media.rglob("*.jpg")) == []


def test_image_of_exactly_10_mb_is_accepted(pro, venue, media):
    offer = make_offer(venue)
    upload = image_upload(400, 400)
    upload.size = offer_services.IMAGE_MAX_BYTES
    services.set_offer_image(actor=pro, offer=offer, upload=upload)
    offer.refresh_from_db()
    assert offer.image.name


# --- duplicate ----------------------------------------------------------------------------------


@pytest.fixture
def source(pro, venue):
    offer = services.create_offer(
        actor=pro, venue=venue, data=offer_data(address=address_data(), fill_alert_threshold=80)
    )
    Offer.objects.filter(pk=offer.pk).update(
        validation=Validation.REJECTED,
        rejection_reason="Prix incohérent",
        fill_alert_sent_at=NOW,
        publication_datetime=paris(2026, 12, 1, 10, 0),
        id_at_provider="billetterie-42",
    )
    full = make_price_category(offer, "Plein tarif", 2500)
    reduced = make_price_category(offer, "Tarif réduit", 1200)
    # Already past even after the shift: skipped.
    make_stock(offer, beginning=paris(2026, 12, 20, 20, 30), category=full, quantity=50, booked=50)
    # Past now, but a week later it is in the future: copied.
    make_stock(offer, beginning=paris(2027, 1, 1, 20, 30), category=reduced, quantity=20, booked=3)
    # Across the spring DST change: 20:30 must stay 20:30 on the wall clock.
    make_stock(
        offer,
        beginning=paris(2027, 3, 26, 20, 30),
        category=full,
        quantity=100,
        booked=12,
        limit=paris(2027, 3, 25, 23, 59),
    )
    make_stock(offer, beginning=paris(2027, 2, 5, 14, 0), category=full, deleted=True)
    offer.refresh_from_db()
    return offer


def test_duplicate_copies_details_and_tariffs_as_a_fresh_draft(pro, source):
    before_source = db_state()["stocks"]
    copy = services.duplicate_offer(actor=pro, offer=source)
    copy.refresh_from_db()
    assert copy.pk != source.pk and copy.duplicated_from == source
    assert (copy.validation, copy.rejection_reason, copy.is_active) == (Validation.DRAFT, "", True)
    assert (copy.publication_datetime, copy.fill_alert_sent_at, copy.archived_at) == (
        None,
        None,
        None,
    )
    assert copy.id_at_provider == "" and copy.created_at == NOW
    assert (copy.name, copy.extra_data, copy.withdrawal_type, copy.fill_alert_threshold) == (
        source.name, source.extra_data, source.withdrawal_type, 80,
    )  # fmt: skip
    # Its own address row, at the same place.
    assert copy.address_id != source.address_id
    assert str(copy.address) == str(source.address)
    assert copy.address.department_code == "13"
    assert list(copy.price_categories.values_list("label", "price")) == [
        ("Tarif réduit", 1200),
        ("Plein tarif", 2500),
    ]
    assert copy.stocks.count() == 0
    entry = entries_for(copy).get()
    assert (entry.action, entry.actor, entry.data) == (
        "offer.duplicated",
        pro,
        {"from": source.pk, "stocks": 0, "skipped_past": 0, "shift_days": 0},
    )
    assert db_state()["stocks"] == before_source
    source.refresh_from_db()
    assert source.validation == Validation.REJECTED


def test_duplicate_with_stocks_shifted_by_a_week_keeps_local_wall_time(pro, source):
    copy = services.duplicate_offer(actor=pro, offer=source, with_stocks=True, shift_days=7)
    stocks = list(copy.stocks.order_by("beginning_datetime"))
    assert [s.beginning_datetime for s in stocks] == [
        paris(2027, 1, 8, 20, 30),
        paris(2027, 4, 2, 20, 30),
    ]
    # Same wall time, different UTC hour across the change to summer time.
    assert [s.beginning_datetime.astimezone(dt.UTC).hour for s in stocks] == [19, 18]
    assert [s.booking_limit_datetime for s in stocks] == [None, paris(2027, 4, 1, 23, 59)]
    assert [(s.quantity, s.booked_quantity, s.price) for s in stocks] == [
        (20, 0, 1200),
        (100, 0, 2500),
    ]
    # Each copied stock points to the copy's own tariff of the same label.
    assert [(s.price_category.offer_id, s.price_category.label) for s in stocks] == [
        (copy.pk, "Tarif réduit"),
        (copy.pk, "Plein tarif"),
    ]
    assert entries_for(copy).get().data == {
        "from": source.pk, "stocks": 2, "skipped_past": 1, "shift_days": 7,
    }  # fmt: skip
    # The source is untouched.
    assert source.stocks.filter(is_deleted=False).count() == 3
    assert PriceCategory.objects.filter(offer=source).count() == 2


def test_duplicate_thing_copies_its_single_stock(pro, venue):
    thing = make_thing_offer(venue)
    make_stock(thing, price=500, quantity=30, booked=4)
    copy = services.duplicate_offer(actor=pro, offer=thing, with_stocks=True, shift_days=7)
    stock = Stock.objects.get(offer=copy)
    assert (stock.beginning_datetime, stock.price, stock.quantity, stock.booked_quantity) == (
        None, 500, 30, 0,
    )  # fmt: skip
    assert copy.address_id is None and Address.objects.count() == 0


def test_draft_copy_can_be_edited_independently(pro, source):
    copy = services.duplicate_offer(actor=pro, offer=source)
    services.update_offer(actor=pro, offer=copy, data=offer_data(name="Copie"))
    source.refresh_from_db()
    copy.refresh_from_db()
    assert (source.name, copy.name, copy.address_id) == ("Le Misanthrope", "Copie", None)
    assert source.address is not None


def test_paris_offset_sanity():
    # The helper itself: 4 January 2027 09:00 in Paris is 08:00 UTC.
    assert dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC) == NOW
    assert NOW.astimezone(PARIS).hour == 9


def test_event_cannot_become_a_thing_once_it_has_dates(pro, venue):
    from passculture.offers.errors import OfferError
    from tests.offers.factories import make_offer, make_price_category, make_stock

    offer = make_offer(venue)
    make_stock(
        offer,
        beginning=dt.datetime(2030, 1, 1, 20, tzinfo=dt.UTC),
        category=make_price_category(offer),
    )
    data = offer_services.OfferData(name=offer.name, subcategory_id="LIVRE_PAPIER")
    with pytest.raises(OfferError) as exc:
        offer_services.update_offer(actor=pro, offer=offer, data=data)
    assert exc.value.text.startswith("Impossible de changer un événement en bien")
    assert exc.value.field == "subcategory_id"
    offer.refresh_from_db()
    assert offer.subcategory_id == "SPECTACLE_REPRESENTATION"
