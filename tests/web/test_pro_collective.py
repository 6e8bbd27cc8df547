"""Pro collective pages: scoping (404 across structures), the editor, requests, price,
venue profile, and the venue's collective bookings with the school's phone and teacher."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.collective.models import (
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveStock,
    LocationType,
    SchoolRole,
    VenueCollectiveProfile,
)
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.offers.models import Validation
from tests.collective.factories import (
    END,
    NOW,
    actions_for,
    make_booking,
    make_member,
    make_offer,
    make_school,
    make_template,
    make_uai,
    world_state,
)
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen_at(NOW):
        yield


def bookable_form(venue, **overrides):
    data = {
        "kind": "reservable",
        "venue": venue.pk,
        "name": "Atelier marionnettes",
        "description": "Fabrication et manipulation de marionnettes à gaine.",
        "domains": ["theatre", "visual_arts"],
        "levels": ["6e", "5e"],
        "formats": ["atelier"],
        "location_type": LocationType.VENUE,
        "location_comment": "",
        "contact_email": "scolaires@celestins-lyon.fr",
        "contact_phone": "",
        "target_uai": "",
        # Paris wall-clock times, as a datetime-local input sends them (UTC+1 in March).
        "start_datetime": "2027-03-22T14:00",
        "end_datetime": "2027-03-22T16:00",
        "booking_limit_datetime": "2027-03-08T18:00",
        "price": "450,50",
        "number_of_pupils": "26",
        "price_detail": "Deux intervenants ; transport non compris.",
    }
    data.update(overrides)
    return data


def test_pro_of_a_gets_404_on_every_collective_page_and_action_of_b(pro_client, venue):
    own = make_offer(venue, name="Mon offre collective")
    b_venue = make_venue(make_offerer(make_user("b@exemple.fr"), name="Structure B"))
    other = make_offer(b_venue, name="Offre de B")
    school = make_school(name="Collège Victor Hugo")
    teacher = make_member(school)
    booking = make_booking(other, teacher, status=CollectiveBookingStatus.CONFIRMED)
    template = make_template(b_venue, name="Vitrine de B")
    request = CollectiveRequest.objects.create(
        template=template, teacher=teacher, school=school, number_of_pupils=25, message="Bonjour"
    )
    before = world_state()
    profiles = VenueCollectiveProfile.objects.count()
    for url in [
        f"/pro/collectif/{other.pk}/",
        f"/pro/collectif/{template.pk}/",
        f"/pro/collectif/demandes/{request.pk}/repondre/",
        f"/pro/collectif/profil/{b_venue.pk}/",
    ]:
        assert pro_client.get(url).status_code == 404, url
    posts = [
        (f"/pro/collectif/{other.pk}/publier/", {}),
        (f"/pro/collectif/{other.pk}/dupliquer/", {}),
        (f"/pro/collectif/{other.pk}/prix/", {"price": "1"}),
        (f"/pro/collectif/demandes/{request.pk}/repondre/", bookable_form(b_venue)),
        (
            f"/pro/collectif/profil/{b_venue.pk}/",
            {"description": "Piraté", "contact_email": "x@exemple.fr"},
        ),
        (f"/pro/collectif/reservations/{booking.pk}/annuler/", {"comment": "Piraté"}),
    ]
    for url, data in posts:
        assert pro_client.post(url, data).status_code == 404, url
    # B's venue chosen in one's own editor is refused as a form error, never saved.
    page = pro_client.post("/pro/collectif/nouvelle/", bookable_form(b_venue)).content.decode()
    assert "Ce lieu n’existe pas ou n’est pas le vôtre." in page
    assert world_state() == before and VenueCollectiveProfile.objects.count() == profiles
    listing = pro_client.get("/pro/collectif/").content.decode()
    assert "Mon offre collective" in listing and "Offre de B" not in listing
    assert "Vitrine de B" not in listing
    assert "Offre de B" not in pro_client.get(f"/pro/collectif/?lieu={b_venue.pk}").content.decode()
    bookings = pro_client.get("/pro/collectif/reservations/").content.decode()
    assert "Collège Victor Hugo" not in bookings and "Offre de B" not in bookings
    assert own.pk != other.pk


def test_offers_page_links_to_collective_offers(pro_client, venue):
    page = pro_client.get("/pro/offres/").content.decode()
    assert 'href="/pro/collectif/"' in page and "Offres collectives" in page


def test_create_bookable_offer_targeted_at_a_school_by_uai_then_publish(pro_client, venue):
    school = make_school(name="Lycée Ampère", uai=make_uai(4242))
    response = pro_client.post(
        "/pro/collectif/nouvelle/", bookable_form(venue, target_uai=school.uai.lower())
    )
    offer = CollectiveOffer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pro/collectif/{offer.pk}/"
    stock = CollectiveStock.objects.get(offer=offer)
    assert (offer.is_template, offer.validation, offer.target_school) == (
        False,
        Validation.DRAFT,
        school,
    )
    assert offer.domains == ["theatre", "visual_arts"] and offer.levels == ["6e", "5e"]
    # 14:00 in Paris on 22 March 2027 (UTC+1) is 13:00 UTC.
    assert stock.start_datetime == dt.datetime(2027, 3, 22, 13, 0, tzinfo=dt.UTC)
    assert stock.end_datetime == dt.datetime(2027, 3, 22, 15, 0, tzinfo=dt.UTC)
    assert stock.booking_limit_datetime == dt.datetime(2027, 3, 8, 17, 0, tzinfo=dt.UTC)
    assert (stock.price, stock.number_of_pupils) == (45_050, 26)
    detail = pro_client.get(f"/pro/collectif/{offer.pk}/").content.decode()
    assert "Lycée Ampère" in detail and "450,50\u00a0€ pour 26 élèves" in detail
    assert "Théâtre, expression dramatique, marionnettes" in detail
    assert "Le transport des élèves n’est pas compris dans le prix." in detail
    pro_client.post(f"/pro/collectif/{offer.pk}/publier/")
    offer.refresh_from_db()
    assert offer.validation == Validation.APPROVED
    assert actions_for(offer) == ["collective_offer.created", "collective_offer.submitted"]


def test_editor_refuses_unknown_school_bad_uai_and_missing_dates_in_french(pro_client, venue):
    before = world_state()
    unknown = make_uai(9876, department="075")
    page = pro_client.post(
        "/pro/collectif/nouvelle/", bookable_form(venue, target_uai=unknown)
    ).content.decode()
    assert f"Aucun établissement scolaire connu avec l’UAI « {unknown} »" in page
    page = pro_client.post(
        "/pro/collectif/nouvelle/", bookable_form(venue, target_uai="0750654A")
    ).content.decode()
    assert "Code UAI invalide : 7 chiffres suivis de la lettre de contrôle" in page
    page = pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(venue, start_datetime="", price="12,345", domains=[], levels=["99e"]),
    ).content.decode()
    assert "Indiquez la date de début (offre réservable)." in page
    assert "Un montant ne peut pas avoir plus de deux décimales." in page
    assert "Choisissez au moins une valeur : domaines artistiques et culturels." in page
    assert "Valeur inconnue : 99e." in page
    page = pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(venue, booking_limit_datetime="2027-03-23T09:00"),
    ).content.decode()
    assert "La date limite de réservation doit précéder le début." in page
    page = pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(venue, location_type=LocationType.TO_BE_DEFINED),
    ).content.decode()
    assert "Indiquez l’adresse ou ce qui reste à définir avec l’établissement." in page
    # The service's own rule (start in the future) comes back on the right field.
    page = pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(
            venue,
            start_datetime="2026-12-01T10:00",
            end_datetime="2026-12-01T12:00",
            booking_limit_datetime="2026-11-20T10:00",
        ),
    ).content.decode()
    assert "La date de début doit être dans le futur." in page
    assert world_state() == before


def test_showcase_request_lists_school_and_teacher_then_answer_with_bookable_offer(
    pro_client, venue
):
    response = pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(venue, kind="vitrine", start_datetime="", price="", number_of_pupils=""),
    )
    template = CollectiveOffer.objects.get()
    assert response.status_code == 302
    assert template.is_template and not CollectiveStock.objects.exists()
    template.validation = Validation.APPROVED
    template.save()
    school = make_school(name="Collège Jean Moulin", phone="04 78 42 37 52")
    teacher = make_member(school, first_name="Agnès", last_name="Lemaître")
    request = CollectiveRequest.objects.create(
        template=template,
        teacher=teacher,
        school=school,
        requested_date=dt.date(2027, 4, 6),
        number_of_pupils=24,
        message="Pour nos 5e en avril ?",
    )
    detail = pro_client.get(f"/pro/collectif/{template.pk}/").content.decode()
    for text in ["Collège Jean Moulin", "04 78 42 37 52", "Agnès Lemaître", teacher.email]:
        assert text in detail
    assert f"/pro/collectif/demandes/{request.pk}/repondre/" in detail
    form_page = pro_client.get(f"/pro/collectif/demandes/{request.pk}/repondre/").content.decode()
    assert school.uai in form_page and "2027-04-06T10:00" in form_page
    response = pro_client.post(
        f"/pro/collectif/demandes/{request.pk}/repondre/",
        bookable_form(
            venue,
            kind="vitrine",  # ignored: an answer is always bookable
            target_uai=school.uai,
            start_datetime="2027-04-06T10:00",
            end_datetime="2027-04-06T12:00",
            booking_limit_datetime="2027-03-30T18:00",
            number_of_pupils="24",
        ),
    )
    offer = CollectiveOffer.objects.exclude(pk=template.pk).get()
    assert response["Location"] == f"/pro/collectif/{offer.pk}/"
    request.refresh_from_db()
    assert request.answered_offer == offer
    assert (offer.is_template, offer.template, offer.target_school) == (False, template, school)
    assert offer.stock.number_of_pupils == 24
    assert actions_for(request) == ["collective_request.answered"]
    again = pro_client.get(f"/pro/collectif/demandes/{request.pk}/repondre/")
    assert again.status_code == 302 and again["Location"] == f"/pro/collectif/{offer.pk}/"


def test_duplicate_makes_a_draft_copy(pro_client, venue):
    offer = make_offer(venue, name="Concert éducatif")
    response = pro_client.post(f"/pro/collectif/{offer.pk}/dupliquer/")
    copy = CollectiveOffer.objects.exclude(pk=offer.pk).get()
    assert response["Location"] == f"/pro/collectif/{copy.pk}/"
    assert (copy.name, copy.validation, copy.duplicated_from) == (
        "Concert éducatif",
        Validation.DRAFT,
        offer,
    )


def test_price_may_only_go_down_once_the_booking_is_confirmed(pro_client, venue):
    offer = make_offer(venue, price=30_000)
    teacher = make_member(make_school())
    booking = make_booking(offer, teacher, status=CollectiveBookingStatus.CONFIRMED)
    audit = entries_for(offer.stock).count()
    response = pro_client.post(f"/pro/collectif/{offer.pk}/prix/", {"price": "320"}, follow=True)
    assert (
        "Après confirmation, le prix ne peut que baisser (actuellement 300,00\u00a0€)."
        in response.content.decode()
    )
    offer.stock.refresh_from_db()
    booking.refresh_from_db()
    assert offer.stock.price == 30_000 and booking.price == 30_000
    assert entries_for(offer.stock).count() == audit
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/prix/",
        {"price": "250", "price_detail": "Geste pour l’établissement"},
        follow=True,
    ).content.decode()
    assert "Prix enregistré : 250,00\u00a0€." in page
    offer.stock.refresh_from_db()
    booking.refresh_from_db()
    assert (offer.stock.price, booking.price) == (25_000, 25_000)
    assert offer.stock.price_detail == "Geste pour l’établissement"


def test_venue_collective_profile_editor(pro_client, venue):
    url = f"/pro/collectif/profil/{venue.pk}/"
    assert pro_client.get(url).status_code == 200
    page = pro_client.post(url, {"description": "Sans contact"}).content.decode()
    assert "Indiquez un e-mail ou un téléphone de contact pour les enseignants." in page
    assert not VenueCollectiveProfile.objects.exists()
    data = {
        "description": "Nous accueillons les classes toute l’année.",
        "domains": ["theatre", "music"],
        "levels": ["4e", "3e", "2nde"],
        "formats": ["representation", "rencontre"],
        "intervention_departments": ["69", "01", "2A"],
        "contact_email": "scolaires@celestins-lyon.fr",
        "contact_phone": "04 72 77 40 00",
    }
    assert pro_client.post(url, data)["Location"] == url
    profile = VenueCollectiveProfile.objects.get(venue=venue)
    assert profile.intervention_departments == ["69", "01", "2A"] and not profile.all_metropole
    assert profile.domains == ["theatre", "music"] and profile.contact_phone == "04 72 77 40 00"
    pro_client.post(url, {**data, "all_metropole": "on"})
    profile.refresh_from_db()
    assert profile.all_metropole and profile.intervention_departments == []
    assert actions_for(profile) == ["collective_profile.created", "collective_profile.updated"]
    page = pro_client.get(url).content.decode()
    assert "Nous accueillons les classes toute l’année." in page
    bad = pro_client.post(url, {**data, "intervention_departments": ["99"]}).content.decode()
    assert "Département inconnu : 99." in bad


def test_collective_list_filters_and_counts(pro_client, venue):
    make_offer(venue, name="Atelier publié")
    make_offer(venue, name="Atelier brouillon", validation=Validation.DRAFT)
    make_template(venue, name="Vitrine danse")
    page = pro_client.get("/pro/collectif/").content.decode()
    assert "3 offres : brouillon 1, en cours de vérification 0, validée 2, refusée 0" in page
    drafts = pro_client.get("/pro/collectif/?statut=draft").content.decode()
    assert "Atelier brouillon" in drafts and "Atelier publié" not in drafts
    showcases = pro_client.get("/pro/collectif/?type=vitrine").content.decode()
    assert "Vitrine danse" in showcases and "Atelier publié" not in showcases
    assert pro_client.get("/pro/collectif/?lieu=abc&statut=x&page=99").status_code == 200


def test_list_pages_run_a_constant_number_of_queries(pro_client, venue):
    school = make_school()
    teacher = make_member(school)
    make_booking(make_offer(venue, name="Offre 0"), teacher)
    with CaptureQueriesContext(connection) as few_offers:
        pro_client.get("/pro/collectif/")
    with CaptureQueriesContext(connection) as few_bookings:
        pro_client.get("/pro/collectif/reservations/")
    for i in range(1, 6):
        make_booking(make_offer(venue, name=f"Offre {i}"), teacher)
        make_template(venue, name=f"Vitrine {i}")
    with CaptureQueriesContext(connection) as many_offers:
        pro_client.get("/pro/collectif/")
    with CaptureQueriesContext(connection) as many_bookings:
        page = pro_client.get("/pro/collectif/reservations/").content.decode()
    assert page.count("data-booking=") == 6
    assert len(many_offers) == len(few_offers)
    assert len(many_bookings) == len(few_bookings)


def test_bookings_page_shows_school_phone_and_teacher_and_venue_cancels_with_reason(
    pro_client, venue
):
    school = make_school(
        name="Collège Jean Moulin", city="Lyon", phone="04 78 42 37 52", uai=make_uai(77)
    )
    teacher = make_member(school, first_name="Agnès", last_name="Lemaître")
    make_member(school, role=SchoolRole.HEAD)
    offer = make_offer(venue, name="Atelier théâtre", price=30_000)
    booking = make_booking(offer, teacher, status=CollectiveBookingStatus.CONFIRMED)
    page = pro_client.get("/pro/collectif/reservations/").content.decode()
    for text in [
        "Collège Jean Moulin", school.uai, "Lyon", "04 78 42 37 52", "Agnès Lemaître",
        teacher.email, "Parcours théâtre 4e B", "Confirmée", "300,00\u00a0€", "Annuler",
    ]:  # fmt: skip
        assert text in page, text
    assert "1 réservation : préréservée 0, confirmée 1" in page
    before = world_state()
    response = pro_client.post(
        f"/pro/collectif/reservations/{booking.pk}/annuler/", {"comment": " "}, follow=True
    )
    assert "Indiquez le motif de l’annulation." in response.content.decode()
    assert world_state() == before
    response = pro_client.post(
        f"/pro/collectif/reservations/{booking.pk}/annuler/",
        {"comment": "Comédien malade, nous proposons une autre date."},
        follow=True,
    )
    assert "Réservation annulée" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CANCELLED
    assert booking.cancellation_reason == "cancelled_by_venue"
    assert booking.cancellation_comment == "Comédien malade, nous proposons une autre date."
    assert "collective_booking.cancelled" in actions_for(booking)
    filtered = pro_client.get("/pro/collectif/reservations/?statut=confirmed").content.decode()
    assert "Atelier théâtre" not in filtered


def test_venue_cannot_cancel_more_than_48_hours_after_the_end(pro_client, venue):
    teacher = make_member(make_school())
    booking = make_booking(make_offer(venue), teacher, status=CollectiveBookingStatus.USED)
    with clock.frozen_at(END + dt.timedelta(hours=48, seconds=1)):
        page = pro_client.get("/pro/collectif/reservations/").content.decode()
        assert f'action="/pro/collectif/reservations/{booking.pk}/annuler/"' not in page
        response = pro_client.post(
            f"/pro/collectif/reservations/{booking.pk}/annuler/",
            {"comment": "Trop tard"},
            follow=True,
        )
    assert "L’annulation n’est plus possible 48 h après la fin de l’offre." in (
        response.content.decode()
    )
    assert CollectiveBooking.objects.get(pk=booking.pk).status == CollectiveBookingStatus.USED


# --- editing, activation, archiving -----------------------------------------------------------


def edit_form(offer, **overrides):
    """What the pre-filled editor posts back unchanged, with some fields overridden."""
    from passculture.web.pro.collective_forms import CollectiveOfferForm

    initial = CollectiveOfferForm.initial_from_offer(offer)
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    data.update(overrides)
    return data


def test_edit_page_is_prefilled_and_saves_a_draft(pro_client, venue):
    offer = make_offer(venue, name="Atelier à retoucher", validation=Validation.DRAFT)
    page = pro_client.get(f"/pro/collectif/{offer.pk}/modifier/").content.decode()
    assert 'value="Atelier à retoucher"' in page
    assert 'value="2027-03-15T10:00"' in page and 'value="300,00"' in page
    assert "Enregistrer les modifications" in page
    detail = pro_client.get(f"/pro/collectif/{offer.pk}/").content.decode()
    assert f"/pro/collectif/{offer.pk}/modifier/" in detail
    response = pro_client.post(
        f"/pro/collectif/{offer.pk}/modifier/",
        edit_form(offer, name="Atelier retouché", number_of_pupils="30", price="320"),
        follow=True,
    )
    assert "Modifications enregistrées." in response.content.decode()
    offer.refresh_from_db()
    offer.stock.refresh_from_db()
    assert offer.name == "Atelier retouché"
    assert (offer.stock.number_of_pupils, offer.stock.price) == (30, 32_000)
    assert "collective_offer.updated" in actions_for(offer)


def test_edit_after_confirmation_refuses_dates_and_pupils_and_changes_nothing(pro_client, venue):
    offer = make_offer(venue, price=30_000)
    make_booking(offer, make_member(make_school()), status=CollectiveBookingStatus.CONFIRMED)
    before = world_state()
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/modifier/",
        edit_form(offer, name="Nouveau titre", number_of_pupils="30"),
    ).content.decode()
    assert (
        "Après confirmation de la réservation, les dates et le nombre d’élèves "
        "ne peuvent plus changer." in page
    )
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/modifier/",
        edit_form(offer, start_datetime="2027-03-16T10:00", end_datetime="2027-03-16T12:00"),
    ).content.decode()
    assert "les dates et le nombre d’élèves ne peuvent plus changer." in page
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/modifier/", edit_form(offer, price="320")
    ).content.decode()
    assert "Après confirmation, le prix ne peut que baisser (actuellement 300,00\u00a0€)." in page
    assert world_state() == before
    assert CollectiveOffer.objects.get(pk=offer.pk).name == offer.name
    assert "collective_offer.updated" not in actions_for(offer)


def test_other_address_is_asked_for_and_stored_with_its_department(pro_client, venue):
    page = pro_client.post(
        "/pro/collectif/nouvelle/", bookable_form(venue, location_type=LocationType.ADDRESS)
    ).content.decode()
    assert "Obligatoire pour une offre à une autre adresse." in page
    assert "Placez l’endroit sur la carte ou saisissez ses coordonnées." in page
    assert not CollectiveOffer.objects.exists()
    pro_client.post(
        "/pro/collectif/nouvelle/",
        bookable_form(
            venue, location_type=LocationType.ADDRESS, address_street="12 quai Romain Rolland",
            address_postal_code="69005", address_city="Lyon", address_latitude="45.7621",
            address_longitude="4.8271",
        ),
    )  # fmt: skip
    offer = CollectiveOffer.objects.select_related("address").get()
    assert offer.address is not None
    assert (offer.address.city, offer.address.department_code) == ("Lyon", "69")
    detail = pro_client.get(f"/pro/collectif/{offer.pk}/").content.decode()
    assert "12 quai Romain Rolland, 69005 Lyon" in detail
    editor = pro_client.get(f"/pro/collectif/{offer.pk}/modifier/").content.decode()
    assert 'value="12 quai Romain Rolland"' in editor


def test_deactivate_reactivate_and_archive_from_the_detail_page(pro_client, venue):
    offer = make_offer(venue, name="Atelier saisonnier")
    detail = pro_client.get(f"/pro/collectif/{offer.pk}/").content.decode()
    assert "Désactiver" in detail and "Archiver" in detail
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/activation/", {"active": "0"}, follow=True
    ).content.decode()
    assert "Offre désactivée : les enseignants ne la voient plus." in page
    assert "Réactiver" in page
    offer.refresh_from_db()
    assert not offer.is_active
    pro_client.post(f"/pro/collectif/{offer.pk}/activation/", {"active": "1"})
    offer.refresh_from_db()
    assert offer.is_active
    listing = pro_client.post(f"/pro/collectif/{offer.pk}/archiver/", follow=True)
    assert "Offre archivée : « Atelier saisonnier »." in listing.content.decode()
    offer.refresh_from_db()
    assert offer.archived_at == NOW and not offer.is_active
    before = world_state()
    response = pro_client.get(f"/pro/collectif/{offer.pk}/modifier/", follow=True)
    assert "Une offre archivée ne se modifie pas : dupliquez-la." in response.content.decode()
    page = pro_client.post(
        f"/pro/collectif/{offer.pk}/activation/", {"active": "1"}, follow=True
    ).content.decode()
    assert "Une offre archivée ne se réactive pas : dupliquez-la." in page
    assert world_state() == before
    assert not CollectiveOffer.objects.get(pk=offer.pk).is_active


def test_new_routes_are_404_for_a_pro_of_another_structure(pro_client, venue):
    b_venue = make_venue(make_offerer(make_user("b2@exemple.fr"), name="Structure B"))
    other = make_offer(b_venue, name="Offre de B")
    before = world_state()
    assert pro_client.get(f"/pro/collectif/{other.pk}/modifier/").status_code == 404
    for url, data in [
        (f"/pro/collectif/{other.pk}/modifier/", edit_form(other, name="Piraté")),
        (f"/pro/collectif/{other.pk}/activation/", {"active": "0"}),
        (f"/pro/collectif/{other.pk}/archiver/", {}),
    ]:
        assert pro_client.post(url, data).status_code == 404, url
    other.refresh_from_db()
    assert (other.name, other.is_active, other.archived_at) == ("Offre de B", True, None)
    assert world_state() == before
