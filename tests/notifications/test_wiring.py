"""The notices earlier issues prepared, wired through notify(): each recipient user gets an
in-app notice (title, link to the right page) and a logged e-mail; other structures,
schools and young people get nothing."""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from passculture.bookings import services as booking_services
from passculture.collective.models import SchoolRole
from passculture.collective.services import bookings as flow
from passculture.collective.services import offers as collective_offers
from passculture.core import clock
from passculture.core.taskrunner import run_pending_tasks
from passculture.credit import services as credit_services
from passculture.exports import services as export_services
from passculture.notifications.models import Notice, NotificationLog
from passculture.offerers import services as offerer_services
from passculture.offerers.models import Membership, ValidationStatus
from passculture.offers import services as offer_services
from passculture.offers.models import Offer, ReviewRule, Stock
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer, make_youth
from tests.collective import factories as school
from tests.exports.factories import make_world
from tests.factories import make_offerer, make_siren, make_user, make_venue
from tests.offers.factories import make_price_category, make_stock, make_thing_offer, paris

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):  # 4 January 2027, 09:00 in Paris (the factories' NOW)
        yield


class FailingBackend(BaseEmailBackend):
    """An e-mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("serveur de messagerie injoignable")


def notices(user) -> list[tuple[str, str, str]]:
    rows = Notice.objects.filter(user=user).order_by("pk")
    return list(rows.values_list("category", "title", "url"))


def mails_to(outbox, address: str) -> list:
    return [m for m in outbox if m.to == [address]]


@pytest.fixture
def colleague(offerer):
    user = make_user("regie@celestins.fr", first_name="Noémie", last_name="Béranger")
    Membership.objects.create(user=user, offerer=offerer, status=ValidationStatus.VALIDATED)
    return user


@pytest.fixture
def outsider(db):
    """A pro of another structure: never told of this structure's news."""
    user = make_user("autre@exemple.fr", first_name="Aurélien", last_name="Côté")
    make_venue(make_offerer(user, name="Librairie des Écoles"))
    return user


@pytest.fixture
def show(venue):
    offer = Offer.objects.create(
        venue=venue, subcategory_id="SPECTACLE_REPRESENTATION", name="Le Misanthrope",
        extra_data={"showType": "THEATRE-CLASSIQUE"}, booking_email="billetterie@celestins.fr",
    )  # fmt: skip
    category = make_price_category(offer, "Plein tarif", 2500)
    make_stock(offer, beginning=paris(2027, 2, 2, 20, 30), category=category, quantity=50)
    return offer


# --- 1. Offer review -----------------------------------------------------------------------------


def test_review_request_tells_staff_with_a_link_to_the_back_office(
    pro, staff, show, outsider, mailoutbox
):
    ReviewRule.objects.create(name="Prix élevé", price_above=2000)
    offer_services.submit_offer(actor=pro, offer=show)
    run_pending_tasks()
    assert notices(staff) == [
        (
            "offer",
            "Offre à vérifier : Le Misanthrope",
            f"/backoffice/offers/offer/{show.pk}/change/",
        )
    ]
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == ([staff.email], "Offre à vérifier : Le Misanthrope")
    assert "attend une vérification ; règles concernées : Prix élevé." in mail.body
    assert notices(pro) == [] and notices(outsider) == []


def test_review_result_tells_every_validated_member_once(
    pro, colleague, other_pro, offerer, staff, show, outsider, mailoutbox
):
    Membership.objects.create(user=other_pro, offerer=offerer, status=ValidationStatus.PENDING)
    ReviewRule.objects.create(name="Prix élevé", price_above=2000)
    offer_services.submit_offer(actor=pro, offer=show)
    run_pending_tasks()
    mailoutbox.clear()

    offer_services.approve_offer(actor=staff, offer=show)
    run_pending_tasks()
    url = f"/pro/offres/{show.pk}/"
    for member in (pro, colleague):
        assert notices(member) == [("offer", "Offre validée : Le Misanthrope", url)]
        (mail,) = mails_to(mailoutbox, member.email)
        assert mail.subject == "Votre offre « Le Misanthrope » est publiée"
        assert "a été validée : elle est visible et réservable" in mail.body
        assert url in mail.body
    assert len(mailoutbox) == 2
    assert notices(other_pro) == [] and notices(outsider) == []
    mailoutbox.clear()

    offer_services.reject_offer(actor=staff, offer=show, reason="Photo sans rapport")
    run_pending_tasks()
    for member in (pro, colleague):
        assert notices(member)[-1] == ("offer", "Offre refusée : Le Misanthrope", url)
        (mail,) = mails_to(mailoutbox, member.email)
        assert mail.subject == "Votre offre « Le Misanthrope » n’a pas été validée"
        assert "Motif : Photo sans rapport" in mail.body
    assert len(mailoutbox) == 2
    logs = NotificationLog.objects.filter(template="offer_rejected")
    assert sorted(logs.values_list("recipient", "status")) == sorted(
        [(pro.email, "sent"), (colleague.email, "sent")]
    )
    assert notices(other_pro) == [] and notices(outsider) == []


def test_a_failed_send_is_logged_failed_and_the_notice_stays(
    pro, staff, show, settings, mailoutbox
):
    ReviewRule.objects.create(name="Prix élevé", price_above=2000)
    offer_services.submit_offer(actor=pro, offer=show)
    run_pending_tasks()
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    offer_services.approve_offer(actor=staff, offer=show)
    run_pending_tasks()

    log = NotificationLog.objects.get(template="offer_approved")
    assert (log.recipient, log.status, log.sent_at) == (pro.email, "failed", None)
    assert "serveur de messagerie injoignable" in log.error
    assert log.subject == "Votre offre « Le Misanthrope » est publiée"
    assert notices(pro) == [("offer", "Offre validée : Le Misanthrope", f"/pro/offres/{show.pk}/")]


# --- 2. Contingent threshold -------------------------------------------------------------------


def test_fill_alert_mails_the_booking_address_and_shows_members_a_notice(
    pro, colleague, venue, outsider, mailoutbox
):
    thing = make_thing_offer(venue, fill_alert_threshold=50, booking_email="accueil@celestins.fr")
    make_stock(thing, quantity=4, booked=2)
    assert offer_services.check_fill_alert(offer=thing) is True
    run_pending_tasks()

    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        ["accueil@celestins.fr"],
        "« Carte jeunes de Lyon » est remplie à 50 %",
    )
    assert "a dépassé le seuil d’alerte que vous aviez choisi (50 %)" in mail.body
    assert NotificationLog.objects.get().recipient == "accueil@celestins.fr"
    notice = (
        "offer",
        "« Carte jeunes de Lyon » est remplie à 50 %",
        f"/pro/offres/{thing.pk}/dates/",
    )
    assert notices(pro) == [notice] and notices(colleague) == [notice]
    assert notices(outsider) == []


# --- 3. Dates deleted or moved, offer rejected: the young people --------------------------------


def test_deleted_date_tells_its_young_people_by_email_and_in_app(venue, pro, mailoutbox):
    stock = make_bookable_offer(venue)
    other_date = Stock.objects.create(
        offer=stock.offer, price_category=stock.price_category, price=1_200, quantity=10,
        beginning_datetime=stock.beginning_datetime + (stock.beginning_datetime - NOW),
    )  # fmt: skip
    youth, kept = make_beneficiary(), make_beneficiary()
    booking = booking_services.book_offer(user=youth, stock_id=stock.pk)
    booking_services.book_offer(user=kept, stock_id=other_date.pk)
    run_pending_tasks()
    mailoutbox.clear()
    Notice.objects.all().delete()

    offer_services.delete_date(actor=pro, offer=stock.offer, beginning=stock.beginning_datetime)
    run_pending_tasks()

    assert notices(youth) == [
        (
            "booking",
            "Réservation annulée : Cyrano de Bergerac",
            f"/jeunes/reservations/{booking.pk}/",
        )
    ]
    (mail,) = mails_to(mailoutbox, youth.email)
    assert mail.subject == "Réservation annulée : Cyrano de Bergerac"
    assert "est annulée (date supprimée par la structure)" in mail.body
    assert "est de nouveau disponible sur votre crédit" in mail.body
    assert notices(kept) == [] and mails_to(mailoutbox, kept.email) == []


def test_rejected_offer_and_moved_date_tell_the_young_people(venue, pro, staff, mailoutbox):
    stock = make_bookable_offer(venue)
    youth = make_beneficiary()
    booking = booking_services.book_offer(user=youth, stock_id=stock.pk)
    run_pending_tasks()
    mailoutbox.clear()
    Notice.objects.all().delete()
    url = f"/jeunes/reservations/{booking.pk}/"

    new_start = stock.beginning_datetime + (stock.beginning_datetime - NOW)
    offer_services.move_date(
        actor=pro, offer=stock.offer, beginning=stock.beginning_datetime, new_beginning=new_start
    )
    offer_services.reject_offer(actor=staff, offer=stock.offer, reason="Contenu non conforme")
    run_pending_tasks()

    assert notices(youth) == [
        ("booking", "Date modifiée : Cyrano de Bergerac", url),
        ("booking", "Réservation annulée : Cyrano de Bergerac", url),
    ]
    moved, cancelled = mails_to(mailoutbox, youth.email)
    assert moved.subject == "Changement de date : Cyrano de Bergerac"
    assert "est annulée (offre refusée)" in cancelled.body


# --- 4. Collective: venue, teacher and heads -------------------------------------------------


@pytest.fixture
def eac(venue):
    """A school with a teacher and its head (one per school), another school, an offer, a budget."""
    college = school.make_school(uai="0690103M", name="Collège Jean Moulin")
    other = school.make_school(uai="0692418D", name="Collège Môrice Leroux")
    people = {
        "teacher": school.make_member(college, email="agnes.lemaitre@ac-lyon.fr"),
        "head": school.make_member(
            college, role=SchoolRole.HEAD, email="principale@ac-lyon.fr", first_name="Hélène"
        ),
        "other_teacher": school.make_member(other, email="ines.benali@ac-lyon.fr"),
        "other_head": school.make_member(other, role=SchoolRole.HEAD, email="chef@ac-lyon.fr"),
    }
    school.make_budget(college)
    offer = school.make_offer(venue, contact_email="scolaires@celestins-lyon.fr")
    return offer, people


def _outsiders_got_nothing(people, outbox, pro) -> None:
    for key in ("other_teacher", "other_head"):
        assert notices(people[key]) == [] and mails_to(outbox, people[key].email) == []
    assert notices(pro) == []  # the venue is told by its address, not in-app


def test_confirmation_tells_venue_teacher_and_head_once_each(eac, pro, mailoutbox):
    offer, people = eac
    booking = school.make_booking(offer, people["teacher"])
    flow.confirm(head=people["head"], booking_id=booking.pk)
    run_pending_tasks()

    title = "Réservation confirmée : Atelier théâtre : Molière en classe"
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["scolaires@celestins-lyon.fr", "agnes.lemaitre@ac-lyon.fr", "principale@ac-lyon.fr"]
    )  # fmt: skip
    assert {m.subject for m in mailoutbox} == {title}
    for key in ("teacher", "head"):
        assert notices(people[key]) == [("collective", title, "/enseignants/reservations/")]
        (mail,) = mails_to(mailoutbox, people[key].email)
        assert "est confirmée par le chef d’établissement" in mail.body
        assert "Retrouvez les réservations de votre établissement :" in mail.body
        assert "/enseignants/reservations/" in mail.body
    (venue_mail,) = mails_to(mailoutbox, "scolaires@celestins-lyon.fr")
    assert "/enseignants/" not in venue_mail.body
    assert NotificationLog.objects.filter(status="sent").count() == 3
    _outsiders_got_nothing(people, mailoutbox, pro)


def test_refusal_and_venue_cancellation_are_worded_for_the_school(eac, pro, mailoutbox):
    offer, people = eac
    refused = school.make_booking(offer, people["teacher"])
    second = school.make_offer(offer.venue, name="Visite des coulisses")
    cancelled = school.make_booking(second, people["teacher"], status="confirmed")
    flow.refuse(head=people["head"], booking_id=refused.pk, comment="Pas de car")
    flow.cancel_by_venue(actor=pro, booking_id=cancelled.pk, comment="Comédien malade")
    run_pending_tasks()

    url = "/enseignants/reservations/"
    for key in ("teacher", "head"):
        assert notices(people[key]) == [
            ("collective", "Réservation refusée : Atelier théâtre : Molière en classe", url),
            ("collective", "Réservation annulée : Visite des coulisses", url),
        ]
        first, then = mails_to(mailoutbox, people[key].email)
        assert "est refusée par le chef d’établissement.\nMotif : Pas de car" in first.body
        assert "est annulée par la structure.\nMotif : Comédien malade" in then.body
    assert len(mails_to(mailoutbox, "scolaires@celestins-lyon.fr")) == 2
    assert len(mailoutbox) == 6
    _outsiders_got_nothing(people, mailoutbox, pro)


def test_a_head_who_booked_is_told_once_and_prebooking_is_the_teachers_own(eac, pro, mailoutbox):
    offer, people = eac
    flow.prebook(teacher=people["teacher"], offer_id=offer.pk)
    run_pending_tasks()
    assert notices(people["teacher"]) == [
        ("collective", "Préréservation enregistrée : Atelier théâtre : Molière en classe",
         "/enseignants/reservations/"),
    ]  # fmt: skip
    assert notices(people["head"]) == []
    assert sorted(m.to[0] for m in mailoutbox) == [
        "agnes.lemaitre@ac-lyon.fr", "scolaires@celestins-lyon.fr",
    ]  # fmt: skip
    mailoutbox.clear()
    Notice.objects.all().delete()

    second = school.make_offer(offer.venue, name="Visite des coulisses")
    own = school.make_booking(second, people["head"])  # the head booked it as teacher
    flow.confirm(head=people["head"], booking_id=own.pk)
    run_pending_tasks()

    title = "Réservation confirmée : Visite des coulisses"
    assert notices(people["head"]) == [("collective", title, "/enseignants/reservations/")]
    assert len(mails_to(mailoutbox, people["head"].email)) == 1
    assert notices(people["teacher"]) == []  # not this booking's teacher
    assert len(mailoutbox) == 2  # the venue, and the head (also the teacher) once
    _outsiders_got_nothing(people, mailoutbox, pro)


def test_tailored_request_goes_to_the_venue_address_logged(eac, mailoutbox):
    offer, people = eac
    template = school.make_template(offer.venue)
    collective_offers.request_offer(
        teacher=people["teacher"], school=people["teacher"].school_memberships.get().school,
        template=template, requested_date=None, number_of_pupils=25, message="Bonjour !",
    )  # fmt: skip
    run_pending_tasks()
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        ["scolaires@celestins-lyon.fr"], "Demande d’offre sur mesure : Visite des coulisses",
    )  # fmt: skip
    log = NotificationLog.objects.get()
    assert (log.recipient, log.template, log.category, log.status) == (
        "scolaires@celestins-lyon.fr", "collective_request", "collective", "sent",
    )  # fmt: skip
    assert Notice.objects.count() == 0


# --- 5. Exports ----------------------------------------------------------------------------------


def test_export_ready_tells_its_owner_only(settings, tmp_path, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    world = make_world()
    colleague = make_user("regie@echangeur.fr")
    Membership.objects.create(
        user=colleague, offerer=world.offerer, status=ValidationStatus.VALIDATED
    )
    job = export_services.start_export_job(
        user=world.pro, offerer=world.offerer, exporter_key="bookings", params={},
        columns=["last_name", "token"], fmt="csv",
    )  # fmt: skip
    run_pending_tasks()

    url = f"/pro/exports/fichiers/{job.pk}/"
    assert notices(world.pro) == [("export", "Votre export est prêt", url)]
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        [world.pro.email], "Votre export est prêt : Réservations individuelles",
    )  # fmt: skip
    assert "Bonjour Inès," in mail.body and url in mail.body
    assert "Le fichier reste disponible jusqu’au 11/01/2027." in mail.body
    assert notices(colleague) == []


# --- 6. Structures, memberships and identity checks -------------------------------------------


def test_new_structure_tells_staff_and_its_decision_tells_members(pro, staff, outsider, mailoutbox):
    membership = offerer_services.create_offerer(
        actor=pro, siren=make_siren(), name="Compagnie Éphémère",
        street="12 rue de la Paix", postal_code="20000", city="Ajaccio",
    )  # fmt: skip
    offerer = membership.offerer
    run_pending_tasks()
    assert notices(staff) == [
        ("account", "Structure à valider : Compagnie Éphémère",
         f"/backoffice/offerers/offerer/{offerer.pk}/change/"),
    ]  # fmt: skip
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        [staff.email],
        "Nouvelle structure à valider : Compagnie Éphémère",
    )
    mailoutbox.clear()

    offerer_services.reject_offerer(actor=staff, offerer=offerer, reason="SIREN radié")
    run_pending_tasks()
    assert notices(pro) == [
        ("account", "Structure non validée : Compagnie Éphémère", f"/pro/structures/{offerer.pk}/")
    ]
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        [pro.email],
        "Votre structure Compagnie Éphémère n’a pas été validée",
    )
    assert "Motif : SIREN radié" in mail.body
    assert f"/pro/structures/{offerer.pk}/" in mail.body
    assert notices(outsider) == []


def test_join_request_and_its_answer(pro, other_pro, staff, offerer, outsider, mailoutbox):
    membership = offerer_services.request_membership(actor=other_pro, offerer=offerer)
    run_pending_tasks()
    title = "Demande de rattachement à Théâtre des Célestins"
    assert notices(pro) == [("account", title, f"/pro/structures/{offerer.pk}/membres/")]
    assert notices(staff) == [
        ("account", title, f"/backoffice/offerers/membership/{membership.pk}/change/")
    ]
    (to_pro,) = mails_to(mailoutbox, pro.email)
    assert "Bruno Nguyễn (bruno@exemple.fr) demande à rejoindre" in to_pro.body
    assert f"/pro/structures/{offerer.pk}/membres/" in to_pro.body
    assert notices(other_pro) == [] and len(mailoutbox) == 2
    mailoutbox.clear()

    offerer_services.decide_membership(actor=pro, membership=membership, approve=True)
    run_pending_tasks()
    assert notices(other_pro) == [
        ("account", "Rattachement validé : Théâtre des Célestins", f"/pro/structures/{offerer.pk}/")
    ]
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == ([other_pro.email], "Vous avez rejoint Théâtre des Célestins")
    assert "Bonjour Bruno," in mail.body
    assert notices(outsider) == []


def test_identity_check_result_tells_the_young_person(staff, mailoutbox):
    ines = make_youth(validated=False, first_name="Inès")
    lea = make_youth(validated=False)
    for youth, approve in ((ines, True), (lea, False)):
        check = credit_services.request_identity_check(
            user=youth, provider="staff_review", declared={}
        )
        credit_services.decide_identity_check(
            actor=staff, check_id=check.pk, approve=approve, reason="Pièce illisible"
        )
    run_pending_tasks()
    assert notices(ines) == [("account", "Votre pass est activé", "/jeunes/")]
    assert notices(lea) == [
        ("account", "Votre vérification d’identité n’a pas abouti", "/jeunes/compte/")
    ]
    (activated,) = mails_to(mailoutbox, ines.email)
    assert "Bonjour Inès,\n\nVotre identité est vérifiée" in activated.body
    (refused,) = mails_to(mailoutbox, lea.email)
    assert refused.subject == "Votre vérification d’identité n’a pas abouti"
    assert "Motif : Pièce illisible" in refused.body
    assert notices(staff) == []
