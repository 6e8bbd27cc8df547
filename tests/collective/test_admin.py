"""Back office of the collective part: directory upload, budgets through the service, review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passculture.collective.models import (
    BudgetRate,
    CollectiveBookingStatus,
    CollectiveOffer,
    Enrolment,
    School,
    SchoolBudget,
)
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.offers.models import Validation
from tests.collective.factories import (
    BAD_ROWS,
    BONAPARTE,
    JEAN_MOULIN,
    NOW,
    RONTAUNAY,
    directory,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    make_uai,
    quick_user,
)
from tests.factories import make_offerer, make_venue

pytestmark = pytest.mark.django_db

SCHOOLS = "/backoffice/collective/school/"
BUDGETS = "/backoffice/collective/schoolbudget/"
OFFERS = "/backoffice/collective/collectiveoffer/"
BOOKINGS = "/backoffice/collective/collectivebooking/"
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def staff(db):
    return quick_user("equipe@passculture.local", role="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def venue(db):
    return make_venue(make_offerer(quick_user("camille@exemple.fr")))


def upload(content: str, name: str = "annuaire.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


# --- Schools -----------------------------------------------------------------------------------


def test_school_list_links_to_the_directory_upload(staff_client):
    page = staff_client.get(SCHOOLS).content.decode()
    assert f'href="{SCHOOLS}importer/"' in page
    assert "Importer un fichier de l’annuaire" in page


def test_staff_uploads_the_directory_and_reads_the_report(staff_client, staff):
    form = staff_client.get(f"{SCHOOLS}importer/")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()

    response = staff_client.post(
        f"{SCHOOLS}importer/",
        {"file": upload(directory(JEAN_MOULIN, BONAPARTE, RONTAUNAY, *BAD_ROWS))},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Établissements créés : 3" in page
    assert "Établissements mis à jour : 0" in page
    assert "Lignes en erreur : 3" in page
    assert "Ligne 5 : UAI « 0750654E » invalide." in page
    assert "Import terminé : 3 établissement(s) créé(s), 0 mis à jour, 3 ligne(s) en erreur." in (
        page
    )
    assert set(School.objects.values_list("uai", flat=True)) == {
        "0690103M", "6200002H", "9740921H",
    }  # fmt: skip
    entry = AuditEntry.objects.get(action="schools.imported")
    assert (entry.actor, entry.data["created"]) == (staff, 3)

    again = staff_client.post(f"{SCHOOLS}importer/", {"file": upload(directory(JEAN_MOULIN))})
    assert "Établissements mis à jour : 1" in again.content.decode()
    assert School.objects.count() == 3


def test_upload_of_a_windows_1252_file(staff_client):
    content = directory(JEAN_MOULIN).lstrip("\ufeff").encode("cp1252")
    staff_client.post(f"{SCHOOLS}importer/", {"file": SimpleUploadedFile("annuaire.csv", content)})
    assert School.objects.get().name == "Collège Jean Moulin"


def test_upload_without_a_file_shows_the_form_error(staff_client):
    response = staff_client.post(f"{SCHOOLS}importer/", {})
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not School.objects.exists()


def test_directory_upload_is_for_staff_with_rights(client):
    client.force_login(quick_user("pro@exemple.fr"))
    assert client.get(f"{SCHOOLS}importer/").status_code == 302  # to the admin login
    client.force_login(quick_user("stagiaire@passculture.local", is_staff=True))
    assert client.get(f"{SCHOOLS}importer/").status_code == 403
    response = client.post(f"{SCHOOLS}importer/", {"file": upload(directory(JEAN_MOULIN))})
    assert response.status_code == 403
    assert not School.objects.exists()


def test_school_search_filters_and_inlines(staff_client):
    lyon = make_school(uai="0690103M", name="Collège Jean Moulin")
    make_school(
        uai="9720017L", name="Collège Tartenson", city="Fort-de-France", postal_code="97200",
        department_code="972", academy="Martinique",
    )  # fmt: skip
    Enrolment.objects.create(school=lyon, level="6e", pupils=152)
    make_member(lyon, email="agnes.lemaitre@ac-lyon.fr")

    by_uai = staff_client.get(SCHOOLS, {"q": "0690103m"}).content.decode()
    assert "Collège Jean Moulin" in by_uai and "Tartenson" not in by_uai
    by_academy = staff_client.get(SCHOOLS, {"academy": "Martinique"}).content.decode()
    assert "Tartenson" in by_academy and "Jean Moulin" not in by_academy
    by_department = staff_client.get(SCHOOLS, {"department_code": "69"}).content.decode()
    assert "Jean Moulin" in by_department and "Tartenson" not in by_department

    page = staff_client.get(f"{SCHOOLS}{lyon.pk}/change/").content.decode()
    assert 'value="152"' in page  # enrolment inline, editable
    assert "agnes.lemaitre@ac-lyon.fr" in page  # members inline, read-only
    assert 'name="members-0-role"' not in page


def test_school_form_checks_the_uai_key(staff_client):
    data = {
        "uai": "0750654E", "name": "Lycée Henri-IV", "school_type": "lycee_gt",
        "city": "Paris", "postal_code": "75005", "department_code": "75", "academy": "Paris",
        "enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0",
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(f"{SCHOOLS}add/", data)
    assert "Code UAI invalide" in response.content.decode()
    assert not School.objects.exists()
    staff_client.post(f"{SCHOOLS}add/", {**data, "uai": "0750654d"})
    assert School.objects.get().uai == "0750654D"


# --- Budgets -----------------------------------------------------------------------------------


def test_budget_list_shows_spendable_committed_spent_and_left(staff_client, venue):
    school = make_school(uai="0690103M", name="Collège Jean Moulin")
    teacher = make_member(school)
    make_budget(school, amount=100_000, provisional=True)
    make_booking(make_offer(venue, name="A", price=20_000), teacher, status="confirmed")
    make_booking(make_offer(venue, name="B", price=15_000), teacher, status="used")
    make_booking(make_offer(venue, name="C", price=9_000), teacher)  # pending: not committed

    page = staff_client.get(BUDGETS).content.decode()

    for amount in ("1" + NNBSP + "000,00", "800,00", "350,00", "150,00", "450,00"):
        assert f"{amount}{NBSP}€" in page, amount
    assert f'href="{BUDGETS}fixer/"' in page


def test_budget_list_query_count_does_not_grow_with_rows(staff_client, venue):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(BUDGETS).status_code == 200
        return len(captured)

    make_budget(make_school(uai=make_uai(1)))
    few = queries()
    for n in range(2, 8):
        school = make_school(uai=make_uai(n), name=f"Collège {n}")
        make_budget(school)
        make_booking(make_offer(venue, name=f"Séance {n}"), make_member(school), status="used")
    assert queries() == few


def test_budget_fields_are_read_only(staff_client):
    budget = make_budget(make_school(uai="0690103M"), amount=100_000)
    page = staff_client.get(f"{BUDGETS}{budget.pk}/change/").content.decode()
    assert 'name="amount"' not in page
    staff_client.post(f"{BUDGETS}{budget.pk}/change/", {"amount": "1"})
    budget.refresh_from_db()
    assert budget.amount == 100_000
    assert staff_client.get(f"{BUDGETS}add/").status_code == 403


def test_staff_corrects_budgets_through_the_audited_service(staff_client, staff):
    budget = make_budget(make_school(uai="0690103M"), amount=100_000, provisional=True)
    url = BUDGETS
    form = staff_client.post(url, {"action": "set_selected", "_selected_action": [budget.pk]})
    assert "Montant du budget" in form.content.decode()

    bad = staff_client.post(
        url, {"action": "set_selected", "_selected_action": [budget.pk], "apply": "1",
              "amount": "12,345"},
    )  # fmt: skip
    assert "deux décimales" in bad.content.decode()
    staff_client.post(
        url, {"action": "set_selected", "_selected_action": [budget.pk], "apply": "1",
              "amount": "1 234,50"},
    )  # fmt: skip

    budget.refresh_from_db()
    assert (budget.amount, budget.is_provisional, budget.is_manual) == (123_450, False, True)
    entry = entries_for(budget).get()
    assert (entry.action, entry.actor, entry.after) == (
        "budget.set", staff, {"amount": 123_450, "provisional": False},
    )  # fmt: skip


def test_staff_sets_the_budget_of_a_school_without_one(staff_client, staff):
    school = make_school(uai="0690103M")
    page = staff_client.get(f"{BUDGETS}fixer/").content.decode()
    assert 'value="2026-2027"' in page

    unknown = staff_client.post(
        f"{BUDGETS}fixer/",
        {"uai": "0750654D", "year_code": "2026-2027", "amount": "5000"},
    )
    assert "Aucun établissement avec l’UAI « 0750654D »." in unknown.content.decode()
    staff_client.post(
        f"{BUDGETS}fixer/",
        {"uai": "0690103m", "year_code": "2026-2027", "amount": "5 000", "provisional": "on"},
    )

    budget = SchoolBudget.objects.get()
    assert (budget.school, budget.year.code, budget.amount) == (school, "2026-2027", 500_000)
    assert budget.is_provisional and budget.is_manual
    assert entries_for(budget).get().actor == staff


def test_recompute_action_spares_manual_budgets(staff_client, staff):
    school = make_school(uai="0690103M")
    Enrolment.objects.create(school=school, level="6e", pupils=100)
    computed = make_budget(school, amount=1)
    manual = make_budget(make_school(uai=make_uai(2)), amount=7)
    SchoolBudget.objects.filter(pk=manual.pk).update(is_manual=True)

    staff_client.post(
        BUDGETS, {"action": "recompute_selected", "_selected_action": [computed.pk, manual.pk]}
    )

    computed.refresh_from_db()
    manual.refresh_from_db()
    assert (computed.amount, manual.amount) == (250_000, 7)


def test_budget_rates_are_editable_data(staff_client):
    staff_client.post(
        "/backoffice/collective/budgetrate/add/",
        {"level": "6e", "amount": "3100", "valid_from_year": "2027-2028"},
    )
    assert BudgetRate.objects.get().amount == 3_100


# --- Offers review, bookings, projects -------------------------------------------------------------


def test_review_queue_approves_and_rejects_with_a_reason(staff_client, staff, venue):
    first = make_offer(venue, name="Atelier slam", validation=Validation.PENDING)
    second = make_offer(venue, name="Concert", validation=Validation.PENDING)

    staff_client.post(OFFERS, {"action": "approve_selected", "_selected_action": [first.pk]})
    form = staff_client.post(OFFERS, {"action": "reject_selected", "_selected_action": [second.pk]})
    assert "Motif du refus" in form.content.decode()
    staff_client.post(
        OFFERS,
        {"action": "reject_selected", "_selected_action": [second.pk], "apply": "1",
         "reason": "Tarif non détaillé"},
    )  # fmt: skip

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.validation == Validation.APPROVED
    assert (second.validation, second.rejection_reason) == ("rejected", "Tarif non détaillé")
    assert [e.actor for e in AuditEntry.objects.filter(object_type="collective.collectiveoffer")] == [
        staff, staff,
    ]  # fmt: skip
    page = staff_client.get(f"{OFFERS}{first.pk}/change/").content.decode()
    assert 'name="validation"' not in page


def test_bookings_are_read_only_and_filterable(staff_client, venue):
    school = make_school(uai="0690103M", name="Collège Jean Moulin")
    booking = make_booking(make_offer(venue), make_member(school), status="confirmed")

    listing = staff_client.get(BOOKINGS, {"status": CollectiveBookingStatus.CONFIRMED})
    assert "Collège Jean Moulin" in listing.content.decode()
    empty = staff_client.get(BOOKINGS, {"status": CollectiveBookingStatus.PENDING})
    assert "Collège Jean Moulin" not in empty.content.decode()
    assert staff_client.get(f"{BOOKINGS}add/").status_code == 403
    assert staff_client.get(f"{BOOKINGS}{booking.pk}/change/").status_code == 200
    staff_client.post(f"{BOOKINGS}{booking.pk}/change/", {"status": "cancelled"})
    booking.refresh_from_db()
    assert booking.status == CollectiveBookingStatus.CONFIRMED
    assert staff_client.get(f"{BOOKINGS}{booking.pk}/delete/").status_code == 403


def test_projects_and_offers_lists_render(staff_client, venue):
    school = make_school(uai="0690103M")
    make_booking(make_offer(venue), make_member(school))
    assert (
        "Parcours théâtre 4e B"
        in staff_client.get("/backoffice/collective/eacproject/").content.decode()
    )
    assert CollectiveOffer.objects.count() == 1
    assert staff_client.get(OFFERS, {"q": "Molière"}).status_code == 200
