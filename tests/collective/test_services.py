"""Collective services: schools and budgets, offers and requests, the booking flow and its jobs.

The clock is frozen on NOW (4 January 2027, 09:00 Paris) unless a test moves it to a
boundary instant. Every refusal asserts the exact message and that nothing changed.
"""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from passculture.collective import errors as e
from passculture.collective import rules
from passculture.collective.demo import DEMO_PASSWORD, seed_demo_schools
from passculture.collective.models import (
    BudgetRate,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    CollectiveStock,
    EacProject,
    Enrolment,
    School,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
)
from passculture.collective.services import bookings as flow
from passculture.collective.services import offers as offer_services
from passculture.collective.services import schools as school_services
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.core import clock, scheduler
from passculture.core.audit import entries_for
from passculture.core.errors import DomainError, InvalidState, PermissionDenied
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.offers.models import ReviewRule, Validation
from tests.collective.factories import (
    BAD_ROWS,
    BONAPARTE,
    END,
    HEADER,
    JEAN_MOULIN,
    LIMIT,
    NOW,
    RONTAUNAY,
    START,
    YEAR,
    actions_for,
    directory,
    make_booking,
    make_budget,
    make_member,
    make_offer,
    make_school,
    make_template,
    paris,
    quick_user,
    world_state,
)
from tests.factories import make_offerer, make_venue

pytestmark = pytest.mark.django_db

US = dt.timedelta(microseconds=1)
NBSP, NNBSP = "\u00a0", "\u202f"
CONFIRMED, PENDING, USED = (
    CollectiveBookingStatus.CONFIRMED,
    CollectiveBookingStatus.PENDING,
    CollectiveBookingStatus.USED,
)


def euros(text: str) -> str:
    """'1 000,00 €' written with plain spaces → the French typography of format_cents."""
    amount, _, _ = text.partition(" €")
    return amount.replace(" ", NNBSP) + NBSP + "€"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def pro(db):
    """The root fixture's structure member, without password hashing (force_login only)."""
    return quick_user("camille@exemple.fr")


@pytest.fixture
def staff(db):
    return quick_user("equipe@passculture.local", role="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def school(db):
    return make_school(uai="0690103M", name="Collège Jean Moulin", phone="04 78 42 37 52")


@pytest.fixture
def other_school(db):
    return make_school(
        uai="0692418D",
        name="Collège Môrice Leroux",
        city="Villeurbanne",
        postal_code="69100",
        phone="04 78 68 21 40",
    )


@pytest.fixture
def teacher(school):
    return make_member(school, email="agnes.lemaitre@ac-lyon.fr")


@pytest.fixture
def head(school):
    return make_member(
        school,
        role=SchoolRole.HEAD,
        email="principale@ac-lyon.fr",
        first_name="Hélène",
        last_name="Durand-Béjart",
    )


@pytest.fixture
def other_teacher(other_school):
    return make_member(
        other_school, email="ines.benali@ac-lyon.fr", first_name="Inès", last_name="Benali"
    )


@pytest.fixture
def budget(school):
    return make_budget(school, amount=100_000)


@pytest.fixture
def offer(venue):
    return make_offer(venue)


def refused(call, error: type[DomainError], text: str | None = None) -> DomainError:
    """Run a call that must be refused: right error (and text), and nothing changed."""
    before = world_state()
    with pytest.raises(error) as info:
        call()
    if text is not None:
        assert info.value.text == text
    assert world_state() == before
    return info.value


# --- Schools: the directory import ------------------------------------------------------------

BAD_ROW_ERRORS = [
    "Ligne 5 : UAI « 0750654E » invalide.",
    "Ligne 6 : code postal « 99999 » inconnu.",
    "Ligne 7 : nom de l’établissement manquant.",
]


def test_import_schools_from_the_directory_shape_reports_and_skips_bad_rows():
    report = school_services.import_schools(
        actor="SYSTEM", content=directory(JEAN_MOULIN, BONAPARTE, RONTAUNAY, *BAD_ROWS)
    )

    assert (report.created, report.updated, report.errors) == (3, 0, BAD_ROW_ERRORS)
    assert School.objects.count() == 3
    jean_moulin = School.objects.get(uai="0690103M")
    assert (jean_moulin.name, jean_moulin.school_type, jean_moulin.department_code) == (
        "Collège Jean Moulin", "college", "69",
    )  # fmt: skip
    assert (jean_moulin.latitude, jean_moulin.longitude) == (
        Decimal("45.75960"),
        Decimal("4.82210"),
    )
    assert (jean_moulin.phone, jean_moulin.email) == ("04 78 42 37 52", "ce.0690103M@ac-lyon.fr")
    corsica = School.objects.get(uai="6200002H")  # lower-case key upper-cased
    assert (corsica.department_code, corsica.academy, corsica.school_type) == (
        "2A",
        "Corse",
        "lycee_gt",
    )
    assert corsica.latitude == Decimal("41.92720")  # decimal comma accepted
    reunion = School.objects.get(uai="9740921H")
    assert (reunion.department_code, reunion.school_type) == ("974", "lycee_pro")
    assert (reunion.latitude, reunion.longitude, reunion.email) == (
        Decimal("-20.89000"), Decimal("55.48000"), "",
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="schools.imported")
    assert entry.actor_label == "SYSTEM"
    assert entry.data == {"created": 3, "updated": 0, "errors": BAD_ROW_ERRORS}


def test_reimport_updates_existing_schools_without_duplicates():
    school_services.import_schools(actor="SYSTEM", content=directory(JEAN_MOULIN, BONAPARTE))
    moved = JEAN_MOULIN.replace("04 78 42 37 52", "04 72 00 00 01").replace("45.7596", "45.7601")

    report = school_services.import_schools(
        actor="SYSTEM", content=directory(moved, BONAPARTE, RONTAUNAY)
    )

    assert (report.created, report.updated, report.errors) == (1, 2, [])
    assert School.objects.count() == 3
    school = School.objects.get(uai="0690103M")
    assert (school.phone, school.latitude) == ("04 72 00 00 01", Decimal("45.76010"))


def test_import_accepts_commas_and_drops_unusable_coordinates():
    content = (
        "Identifiant_de_l_etablissement,Nom_etablissement,Code_postal,latitude,longitude\n"
        "0750654D,Lycée Henri-IV,75005,6862412.5,652000\n"  # Lambert 93 metres, not degrees
        "0750655E,Lycée Louis-le-Grand,75005,NaN,2.3441\n"
    )
    report = school_services.import_schools(actor="SYSTEM", content=content)

    assert (report.created, report.errors) == (2, [])
    henri_iv = School.objects.get(uai="0750654D")
    assert (henri_iv.latitude, henri_iv.longitude, henri_iv.school_type) == (None, None, "other")
    louis = School.objects.get(uai="0750655E")
    assert (louis.latitude, louis.longitude) == (None, Decimal("2.34410"))


def test_import_without_the_required_columns_changes_nothing():
    report = school_services.import_schools(
        actor="SYSTEM", content="\ufeffUAI;Nom\r\n0690103M;Collège Jean Moulin\r\n"
    )
    assert report.errors == [
        "Colonnes manquantes : Identifiant_de_l_etablissement, Nom_etablissement, Code_postal."
    ]
    assert (report.created, School.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_import_schools_command_prints_a_french_report(tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(directory(JEAN_MOULIN, *BAD_ROWS).encode("utf-8"))
    out = io.StringIO()

    call_command("import_schools", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "Import terminé : 1 établissement(s) créé(s), 0 mis à jour, 3 ligne(s) en erreur.",
        "  - Ligne 3 : UAI « 0750654E » invalide.",
        "  - Ligne 4 : code postal « 99999 » inconnu.",
        "  - Ligne 5 : nom de l’établissement manquant.",
    ]
    assert AuditEntry.objects.get(action="schools.imported").actor_label == "import_schools"


def test_import_schools_command_reads_windows_1252_files(tmp_path):
    path = tmp_path / "annuaire-ancien.csv"
    path.write_bytes(f"{HEADER}\r\n{JEAN_MOULIN}\r\n".encode("cp1252"))
    call_command("import_schools", str(path), stdout=io.StringIO())
    assert School.objects.get().name == "Collège Jean Moulin"


def test_import_schools_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable : .*absent.csv"):
        call_command("import_schools", str(tmp_path / "absent.csv"))


def test_demo_sample_file_imports_without_error():
    from passculture.collective.demo import DEMO_SCHOOLS_CSV

    content = DEMO_SCHOOLS_CSV.read_text(encoding="utf-8-sig")
    report = school_services.import_schools(actor="SYSTEM", content=content)
    assert report.errors == []
    assert report.created == School.objects.count() >= 30
    academies = set(School.objects.values_list("academy", flat=True))
    assert {"Lyon", "Paris", "Corse", "La Réunion", "Martinique"} <= academies
    departments = set(School.objects.values_list("department_code", flat=True))
    assert {"69", "75", "2A", "2B", "974", "972"} <= departments
    for school in School.objects.all():
        assert rules.is_valid_uai(school.uai)
        assert school.latitude is not None and school.longitude is not None
        assert school.phone and school.email.startswith(f"ce.{school.uai}@ac-")
    assert School.objects.get(uai="0750654D").name == "Lycée Henri-IV"
    assert School.objects.filter(school_type="lycee_pro").count() >= 3


def test_seed_demo_schools_builds_people_enrolments_and_provisional_budgets():
    demo = seed_demo_schools("SYSTEM")

    assert demo.year_code == "2026-2027" == rules.year_of(NOW)
    assert demo.schools == School.objects.count() >= 30
    first_lyon = SchoolMember.objects.get(user__email="chef@passculture.local").school
    assert (first_lyon.name, first_lyon.academy) == ("Collège Jean Moulin", "Lyon")
    roles = sorted(SchoolMember.objects.values_list("user__email", "school__uai", "role"))
    assert roles == [
        ("chef@passculture.local", first_lyon.uai, SchoolRole.HEAD),
        ("enseignant2@passculture.local", "0692418D", SchoolRole.TEACHER),
        ("enseignant@passculture.local", first_lyon.uai, SchoolRole.TEACHER),
    ]
    for user in (demo.teacher, demo.head, demo.teacher2):
        assert check_password(DEMO_PASSWORD, user.password)
    assert DEMO_PASSWORD == "passculture-demo"
    budgets = SchoolBudget.objects.select_related("school", "year")
    assert budgets.count() == demo.schools
    for budget in budgets:
        enrolment = dict(budget.school.enrolments.values_list("level", "pupils"))
        assert enrolment
        assert budget.year.code == "2026-2027"
        assert budget.is_provisional and not budget.is_manual
        assert budget.amount == rules.budget_amount(enrolment, rules.DEFAULT_RATES) > 0
    college = dict(first_lyon.enrolments.values_list("level", "pupils"))
    assert sorted(college) == ["3e", "4e", "5e", "6e"]
    pro = School.objects.filter(school_type="lycee_pro").first()
    assert {"cap1", "cap2", "2nde", "1re", "tle"} == set(
        pro.enrolments.values_list("level", flat=True)
    )
    assert [login for _, login in demo.logins] == [
        "enseignant@passculture.local", "chef@passculture.local", "enseignant2@passculture.local",
    ]  # fmt: skip


def test_seed_demo_schools_twice_changes_nothing():
    seed_demo_schools("SYSTEM")
    counts = (School.objects.count(), Enrolment.objects.count(), SchoolBudget.objects.count())
    amounts = sorted(SchoolBudget.objects.values_list("school__uai", "amount"))

    seed_demo_schools("SYSTEM")

    assert counts == (
        School.objects.count(), Enrolment.objects.count(), SchoolBudget.objects.count(),
    )  # fmt: skip
    assert sorted(SchoolBudget.objects.values_list("school__uai", "amount")) == amounts
    assert SchoolMember.objects.count() == 3


# --- Budgets ---------------------------------------------------------------------------------


def enrol(school: School, **pupils: int) -> None:
    for level, count in pupils.items():
        Enrolment.objects.update_or_create(
            school=school, level=level.removeprefix("l"), defaults={"pupils": count}
        )


def test_compute_budget_from_enrolment_and_rates(school):
    enrol(school, l6e=150, l5e=142, l4e=138, l3e=130)

    budget = school_services.compute_budget(school=school, year_code=YEAR)

    assert (budget.amount, budget.is_provisional, budget.is_manual) == (1_400_000, True, False)
    assert budget.year.code == YEAR
    assert budget.year.begins_at == paris(2026, 9, 1, 0, 0)
    entry = entries_for(budget).get()
    assert (entry.action, entry.actor_label, entry.after) == (
        "budget.computed", "SYSTEM", {"amount": 1_400_000},
    )  # fmt: skip


def test_recompute_follows_enrolment_and_only_audits_changes(school):
    enrol(school, l6e=150)
    budget = school_services.compute_budget(school=school, year_code=YEAR)
    school_services.compute_budget(school=school, year_code=YEAR)  # unchanged: no entry
    enrol(school, l6e=160)

    school_services.compute_budget(school=school, year_code=YEAR)

    budget.refresh_from_db()
    assert budget.amount == 400_000
    entries = list(entries_for(budget).order_by("pk").values_list("before", "after"))
    assert entries == [
        ({}, {"amount": 375_000}),
        ({"amount": 375_000, "provisional": True}, {"amount": 400_000, "provisional": True}),
    ]


def test_a_provisional_budget_becomes_final_when_computed_as_final(school):
    enrol(school, l6e=100)
    school_services.compute_budget(school=school, year_code=YEAR, provisional=True)

    budget = school_services.compute_budget(school=school, year_code=YEAR, provisional=False)

    budget.refresh_from_db()
    assert (budget.amount, budget.is_provisional) == (250_000, False)
    assert actions_for(budget) == ["budget.computed", "budget.computed"]


def test_budget_rates_are_data_from_a_school_year_on(school):
    enrol(school, l6e=100, ltle=10)
    BudgetRate.objects.create(level="6e", amount=3_100, valid_from_year="2027-2028")

    this_year = school_services.compute_budget(school=school, year_code="2026-2027")
    next_year = school_services.compute_budget(school=school, year_code="2027-2028")

    assert this_year.amount == 100 * 2_500 + 10 * 2_000
    assert next_year.amount == 100 * 3_100 + 10 * 2_000  # no carry-over: a fresh budget


def test_only_staff_sets_a_budget(school, pro):
    refused(
        lambda: school_services.set_budget(
            actor=pro, school=school, year_code=YEAR, amount=500_000, provisional=False
        ),
        PermissionDenied,
        "Vous n’avez pas les droits nécessaires pour cette action.",
    )
    assert not SchoolBudget.objects.exists()


def test_staff_sets_a_budget_audited_and_never_recomputed(school, staff):
    enrol(school, l6e=100)
    computed = school_services.compute_budget(school=school, year_code=YEAR)

    budget = school_services.set_budget(
        actor=staff, school=school, year_code=YEAR, amount=500_000, provisional=False
    )

    assert budget.pk == computed.pk
    assert (budget.amount, budget.is_provisional, budget.is_manual) == (500_000, False, True)
    entry = entries_for(budget).get(action="budget.set")
    assert (entry.actor, entry.before, entry.after) == (
        staff, {"amount": 250_000, "provisional": True}, {"amount": 500_000, "provisional": False},
    )  # fmt: skip
    enrol(school, l6e=300)
    school_services.compute_budget(school=school, year_code=YEAR)
    budget.refresh_from_db()
    assert budget.amount == 500_000
    assert actions_for(budget) == ["budget.computed", "budget.set"]


def test_staff_sets_a_budget_for_a_school_without_one(school, staff):
    budget = school_services.set_budget(
        actor=staff, school=school, year_code="2027-2028", amount=90_000, provisional=True
    )
    assert (budget.year.code, budget.amount, budget.is_manual) == ("2027-2028", 90_000, True)
    assert entries_for(budget).get().before == {}


def test_a_negative_budget_is_refused(school, staff, budget):
    refused(
        lambda: school_services.set_budget(
            actor=staff, school=school, year_code=YEAR, amount=-1, provisional=False
        ),
        e.CollectiveError,
        "Le montant d’un budget ne peut pas être négatif.",
    )


# --- People --------------------------------------------------------------------------------


def test_attach_member_by_uai(school):
    user = quick_user("prof.svt@ac-lyon.fr", role="teacher")

    member = school_services.attach_member(
        actor="SSO", user=user, uai=" 0690103m ", role=SchoolRole.TEACHER
    )

    assert (member.school, member.role) == (school, SchoolRole.TEACHER)
    entry = entries_for(member).get()
    assert (entry.action, entry.actor_label, entry.after) == (
        "school.member_attached", "SSO", {"role": "teacher", "uai": "0690103M"},
    )  # fmt: skip
    member = school_services.attach_member(
        actor="SSO", user=user, uai="0690103M", role=SchoolRole.HEAD
    )
    assert SchoolMember.objects.get().role == SchoolRole.HEAD


def test_attach_member_refuses_unknown_school_second_head_and_unknown_role(school, head):
    user = quick_user("adjoint@ac-lyon.fr", role="head")
    refused(
        lambda: school_services.attach_member(
            actor="SSO", user=user, uai="0750654D", role=SchoolRole.TEACHER
        ),
        e.InvalidUai,
        "Établissement inconnu pour l’UAI « 0750654D ».",
    )
    refused(
        lambda: school_services.attach_member(
            actor="SSO", user=user, uai=school.uai, role=SchoolRole.HEAD
        ),
        e.CollectiveError,
        "Cet établissement a déjà un chef d’établissement.",
    )
    refused(
        lambda: school_services.attach_member(
            actor="SSO", user=user, uai=school.uai, role="janitor"
        ),
        e.CollectiveError,
        "Rôle inconnu.",
    )


# --- Offers --------------------------------------------------------------------------------


def offer_data(**overrides: object) -> CollectiveOfferData:
    values: dict[str, object] = {
        "name": "Atelier théâtre : Molière en classe",
        "description": "Deux heures de jeu et d’écriture avec la troupe.",
        "domains": ["theatre"],
        "levels": ["4e", "3e"],
        "formats": ["atelier"],
        "contact_email": "scolaires@celestins-lyon.fr",
    }
    values.update(overrides)
    return CollectiveOfferData(**values)  # type: ignore[arg-type]


def stock_data(**overrides: object) -> StockData:
    values: dict[str, object] = {
        "start_datetime": START, "end_datetime": END, "booking_limit_datetime": LIMIT,
        "price": 30_000, "number_of_pupils": 28, "price_detail": "Deux intervenants.",
    }  # fmt: skip
    values.update(overrides)
    return StockData(**values)  # type: ignore[arg-type]


def test_create_bookable_offer_targeted_at_a_school(pro, venue, school):
    offer = offer_services.create_collective_offer(
        actor=pro, venue=venue, data=offer_data(target_school=school), stock=stock_data()
    )

    assert (offer.is_template, offer.validation, offer.target_school) == (
        False, Validation.DRAFT, school,
    )  # fmt: skip
    stock = offer.stock
    assert (stock.start_datetime, stock.end_datetime, stock.booking_limit_datetime) == (
        START, END, LIMIT,
    )  # fmt: skip
    assert (stock.price, stock.number_of_pupils) == (30_000, 28)
    entry = entries_for(offer).get()
    assert (entry.action, entry.actor, entry.after) == (
        "collective_offer.created", pro, {"template": False, "target_school": school.pk},
    )  # fmt: skip


def test_create_showcase_offer_has_no_stock(pro, venue):
    offer = offer_services.create_collective_offer(
        actor=pro, venue=venue, data=offer_data(location_type="to_be_defined",
        location_comment="Dans votre établissement ou au théâtre"), stock=None,
    )  # fmt: skip
    assert offer.is_template
    assert not hasattr(offer, "stock")


def test_boundary_dates_of_a_session_are_accepted(pro, venue):
    start = NOW + US
    offer = offer_services.create_collective_offer(
        actor=pro, venue=venue, data=offer_data(),
        stock=stock_data(start_datetime=start, end_datetime=start, booking_limit_datetime=start),
    )  # fmt: skip
    assert offer.stock.booking_limit_datetime == offer.stock.start_datetime == start


@pytest.mark.parametrize(
    ("data", "stock", "field", "message"),
    [
        ({"name": "  "}, {}, "name", "Donnez un titre à l’offre (110 caractères au plus)."),
        ({"name": "x" * 111}, {}, "name", "Donnez un titre à l’offre (110 caractères au plus)."),
        ({"description": " "}, {}, "description", "Décrivez l’offre pour les enseignants."),
        ({"domains": []}, {}, "domains", "Choisissez au moins un domaine artistique."),
        ({"levels": []}, {}, "levels", "Choisissez au moins un niveau scolaire."),
        ({"location_type": "moon"}, {}, "location_type", "Lieu de l’offre inconnu."),
        (
            {"location_type": "to_be_defined", "location_comment": " "},
            {},
            "location_comment",
            "Précisez où pourrait avoir lieu l’offre.",
        ),  # fmt: skip
        (
            {},
            {"start_datetime": NOW},
            "start_datetime",
            "La date de début doit être dans le futur.",
        ),
        ({}, {"end_datetime": START - US}, "end_datetime", "La fin doit suivre le début."),
        (
            {},
            {"booking_limit_datetime": START + US},
            "booking_limit_datetime",
            "La date limite de réservation doit précéder le début.",
        ),  # fmt: skip
        ({}, {"price": -1}, "price", "Prix invalide (60 000 € au plus)."),
        ({}, {"price": 6_000_001}, "price", "Prix invalide (60 000 € au plus)."),
        ({}, {"number_of_pupils": 0}, "number_of_pupils", "Nombre d’élèves invalide."),
        ({}, {"number_of_pupils": 3_001}, "number_of_pupils", "Nombre d’élèves invalide."),
    ],
)
def test_invalid_offers_are_refused_with_exact_messages(pro, venue, data, stock, field, message):
    error = refused(
        lambda: offer_services.create_collective_offer(
            actor=pro, venue=venue, data=offer_data(**data), stock=stock_data(**stock)
        ),
        e.InvalidCollectiveOffer,
        message,
    )
    assert (error.code, error.field) == ("invalid_collective_offer", field)
    assert not CollectiveOffer.objects.exists()


def test_a_showcase_offer_cannot_target_a_school(pro, venue, school):
    error = refused(
        lambda: offer_services.create_collective_offer(
            actor=pro, venue=venue, data=offer_data(target_school=school), stock=None
        ),
        e.InvalidCollectiveOffer,
        "Une offre vitrine ne cible pas un établissement.",
    )
    assert error.field == "target_school"


def test_submit_publishes_unless_a_review_rule_matches(pro, venue, offerer):
    plain = make_offer(venue, validation=Validation.DRAFT)
    expensive = make_offer(venue, name="Résidence d’artiste", price=600_000, validation="draft")
    ReviewRule.objects.create(name="Plus de 5 000 €", price_above=500_000)

    assert offer_services.submit_collective_offer(actor=pro, offer=plain).validation == "approved"
    held = offer_services.submit_collective_offer(actor=pro, offer=expensive)

    assert held.validation == Validation.PENDING
    assert entries_for(held).get().data == {"rules": ["Plus de 5 000 €"]}
    refused(
        lambda: offer_services.submit_collective_offer(actor=pro, offer=plain),
        InvalidState,
        "Cette offre a déjà été envoyée.",
    )
    offerer.is_trusted = True
    offerer.save()
    trusted = make_offer(venue, name="Autre résidence", price=600_000, validation="draft")
    assert offer_services.submit_collective_offer(actor=pro, offer=trusted).validation == "approved"


def test_staff_reviews_with_a_required_reason(pro, staff, venue):
    offer = make_offer(venue, validation=Validation.PENDING)
    review = offer_services.review_collective_offer

    refused(lambda: review(actor=pro, offer=offer, approve=True), PermissionDenied)
    error = refused(
        lambda: review(actor=staff, offer=offer, approve=False, reason="  "),
        e.InvalidCollectiveOffer,
        "Indiquez le motif du refus : il est envoyé à la structure.",
    )
    assert error.field == "reason"

    rejected = review(actor=staff, offer=offer, approve=False, reason=" Prix non détaillé ")

    assert (rejected.validation, rejected.rejection_reason) == ("rejected", "Prix non détaillé")
    entry = entries_for(offer).get()
    assert (entry.action, entry.actor, entry.data) == (
        "collective_offer.rejected", staff, {"reason": "Prix non détaillé"},
    )  # fmt: skip
    refused(
        lambda: review(actor=staff, offer=offer, approve=True),
        InvalidState,
        "Cette offre n’attend pas de vérification.",
    )
    offer_services.submit_collective_offer(actor=pro, offer=offer)  # resubmitted: published
    offer.refresh_from_db()
    assert offer.validation == Validation.APPROVED


def test_staff_approves_a_pending_offer(staff, venue):
    offer = make_offer(venue, validation=Validation.PENDING)
    approved = offer_services.review_collective_offer(actor=staff, offer=offer, approve=True)
    assert (approved.validation, approved.rejection_reason) == (Validation.APPROVED, "")
    assert actions_for(offer) == ["collective_offer.approved"]


def test_request_offer_emails_the_venue_with_school_phone_and_teacher(
    venue, school, teacher, mailoutbox
):
    template = make_template(venue)

    request = offer_services.request_offer(
        teacher=teacher, school=school, template=template, requested_date=dt.date(2027, 4, 20),
        number_of_pupils=25, message=" Une séance pour nos 6e ? ",
    )  # fmt: skip

    assert (request.message, request.number_of_pupils, request.school) == (
        "Une séance pour nos 6e ?", 25, school,
    )  # fmt: skip
    assert actions_for(request) == ["collective_request.created"]
    run_pending_tasks()
    (mail,) = mailoutbox
    assert mail.to == ["scolaires@celestins-lyon.fr"]
    assert mail.subject == "Demande d’offre sur mesure : Visite des coulisses"
    assert "Collège Jean Moulin (téléphone : 04 78 42 37 52)" in mail.body
    assert "Agnès Lemaître (agnes.lemaitre@ac-lyon.fr)" in mail.body
    assert "Date souhaitée : 20/04/2027 — 25 élèves." in mail.body
    assert "Une séance pour nos 6e ?" in mail.body


def test_request_offer_refusals(venue, school, teacher, offer):
    template = make_template(venue)
    request = offer_services.request_offer
    refused(
        lambda: request(teacher=teacher, school=school, template=offer, requested_date=None,
                        number_of_pupils=25, message="Bonjour"),
        e.InvalidCollectiveOffer,
        "On ne peut faire une demande que sur une offre vitrine publiée.",
    )  # fmt: skip
    refused(
        lambda: request(teacher=teacher, school=school, template=template, requested_date=None,
                        number_of_pupils=25, message="  "),
        e.InvalidCollectiveOffer,
        "Écrivez un message à la structure.",
    )  # fmt: skip
    refused(
        lambda: request(teacher=teacher, school=school, template=template, requested_date=None,
                        number_of_pupils=0, message="Bonjour"),
        e.InvalidCollectiveOffer,
        "Nombre d’élèves invalide.",
    )  # fmt: skip
    assert not CollectiveRequest.objects.exists()


def test_duplicate_is_a_draft_without_session(pro, venue, school):
    offer = make_offer(venue, target_school=school)
    copy = offer_services.duplicate_collective_offer(actor=pro, offer=offer)
    assert copy.pk != offer.pk
    assert (copy.validation, copy.duplicated_from, copy.target_school) == ("draft", offer, school)
    assert not hasattr(copy, "stock")
    assert entries_for(copy).get().data == {"from": offer.pk}


# --- Pre-booking ------------------------------------------------------------------------------


def test_teacher_prebooks_and_the_venue_gets_school_phone_and_teacher(
    offer, school, teacher, mailoutbox
):
    booking = flow.prebook(teacher=teacher, offer_id=offer.pk)

    assert booking.status == PENDING
    assert (booking.school, booking.teacher, booking.price) == (school, teacher, 30_000)
    assert (booking.confirmation_limit, booking.year.code, booking.created_at) == (LIMIT, YEAR, NOW)
    entry = entries_for(booking).get()
    assert (entry.action, entry.actor, entry.after) == (
        "collective_booking.prebooked", teacher, {"school": "0690103M", "price": 30_000},
    )  # fmt: skip
    run_pending_tasks()
    mail, to_teacher = mailoutbox  # the venue's address, then the teacher: one e-mail each
    assert (mail.to, to_teacher.to) == (["scolaires@celestins-lyon.fr"], [teacher.email])
    assert mail.subject == "Nouvelle préréservation : Atelier théâtre : Molière en classe"
    assert to_teacher.subject == mail.subject
    assert "/enseignants/reservations/" not in mail.body  # the venue has no school page
    assert "Retrouvez les réservations de votre établissement" in to_teacher.body
    assert "Agnès Lemaître (agnes.lemaitre@ac-lyon.fr) a préréservé" in mail.body
    assert "pour le 15/03/2027 à 10:00" in mail.body
    assert (
        "Établissement : Collège Jean Moulin (0690103M, Lyon) — téléphone : 04 78 42 37 52"
        in mail.body
    )
    assert f"Prix : {euros('300,00 €')}." in mail.body
    assert "doit confirmer avant le 01/03/2027 à 18:00" in mail.body


def test_booking_emails_of_the_offer_receive_the_notices(venue, teacher, mailoutbox):
    offer = make_offer(venue, booking_emails=["billetterie@celestins-lyon.fr", "rp@celestins.fr"])
    flow.prebook(teacher=teacher, offer_id=offer.pk)
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [
        ["billetterie@celestins-lyon.fr"], ["rp@celestins.fr"], ["agnes.lemaitre@ac-lyon.fr"],
    ]  # fmt: skip


def test_offer_targeted_at_another_school_names_it(offer, school, other_teacher, teacher):
    offer.target_school = school
    offer.save()

    error = refused(
        lambda: flow.prebook(teacher=other_teacher, offer_id=offer.pk),
        e.TargetedElsewhere,
        "Cette offre est réservée à un autre établissement : "
        "seul Collège Jean Moulin peut la préréserver.",
    )

    assert error.code == "offer_targeted_elsewhere"
    assert flow.prebook(teacher=teacher, offer_id=offer.pk).school == school


@pytest.mark.parametrize(
    "change",
    [
        {"is_template": True},
        {"validation": Validation.DRAFT},
        {"validation": Validation.PENDING},
        {"validation": Validation.REJECTED},
        {"is_active": False},
        {"archived_at": NOW},
    ],
)
def test_offers_that_cannot_be_prebooked(offer, teacher, change):
    CollectiveOffer.objects.filter(pk=offer.pk).update(**change)
    refused(
        lambda: flow.prebook(teacher=teacher, offer_id=offer.pk),
        e.NotBookable,
        "Cette offre n’est pas réservable en ce moment.",
    )


def test_showcase_offer_and_unknown_offer_and_pending_structure_are_not_bookable(teacher, pro):
    venue = make_venue(make_offerer(pro, validated=False))
    for offer_id in (make_template(venue).pk, make_offer(venue).pk, 999_999):
        refused(lambda i=offer_id: flow.prebook(teacher=teacher, offer_id=i), e.NotBookable)


def test_prebooking_allowed_until_the_limit_instant(offer, teacher):
    with clock.frozen_at(LIMIT + US):
        refused(
            lambda: flow.prebook(teacher=teacher, offer_id=offer.pk),
            e.LimitPassed,
            "La date limite de confirmation (01/03/2027 à 18:00) est dépassée.",
        )
    with clock.frozen_at(LIMIT):
        assert flow.prebook(teacher=teacher, offer_id=offer.pk).status == PENDING


def test_an_offer_is_booked_once_until_cancelled(offer, teacher, other_teacher, head):
    first = flow.prebook(teacher=teacher, offer_id=offer.pk)
    error = refused(
        lambda: flow.prebook(teacher=other_teacher, offer_id=offer.pk),
        e.AlreadyBooked,
        "Cette offre a déjà été préréservée par un établissement.",
    )
    assert error.code == "collective_already_booked"
    refused(lambda: flow.prebook(teacher=teacher, offer_id=offer.pk), e.AlreadyBooked)

    flow.refuse(head=head, booking_id=first.pk)

    again = flow.prebook(teacher=other_teacher, offer_id=offer.pk)
    assert again.status == PENDING and again.pk != first.pk


def test_only_school_staff_prebook(offer, pro):
    refused(
        lambda: flow.prebook(teacher=pro, offer_id=offer.pk),
        e.NotSchoolMember,
        "Vous n’êtes rattaché à aucun établissement scolaire.",
    )


# --- EAC project --------------------------------------------------------------------------------


def test_attach_project_creates_or_reuses_the_named_project(venue, teacher, other_teacher):
    first = make_booking(make_offer(venue), teacher, project=None)
    second = make_booking(make_offer(venue, name="Visite"), teacher, project=None)

    flow.attach_project(teacher=teacher, booking_id=first.pk, project_name=" Sortie théâtre 3e A ")
    flow.attach_project(teacher=teacher, booking_id=second.pk, project_name="Sortie théâtre 3e A")

    project = EacProject.objects.get()
    assert (project.name, project.school, project.created_by) == (
        "Sortie théâtre 3e A", first.school, teacher,
    )  # fmt: skip
    first.refresh_from_db()
    assert first.project == project
    entry = entries_for(first).get()
    assert (entry.action, entry.after) == (
        "collective_booking.project_attached", {"project": "Sortie théâtre 3e A"},
    )  # fmt: skip
    refused(
        lambda: flow.attach_project(
            teacher=other_teacher, booking_id=first.pk, project_name="Intrus"
        ),
        PermissionDenied,
    )
    error = refused(
        lambda: flow.attach_project(teacher=teacher, booking_id=first.pk, project_name="  "),
        e.CollectiveError,
        "Donnez un nom au projet (150 caractères au plus).",
    )
    assert error.field == "project_name"


def test_attach_project_only_while_pending(offer, teacher):
    booking = make_booking(offer, teacher, status=CONFIRMED)
    refused(
        lambda: flow.attach_project(teacher=teacher, booking_id=booking.pk, project_name="Autre"),
        e.CollectiveError,
        "Seule une préréservation peut changer de projet.",
    )


# --- Confirmation by the head ------------------------------------------------------------------


def test_head_confirms_within_the_budget_and_everyone_is_told(
    offer, teacher, head, budget, mailoutbox
):
    booking = make_booking(offer, teacher)

    confirmed = flow.confirm(head=head, booking_id=booking.pk)

    assert confirmed.status == CONFIRMED
    assert (confirmed.confirmed_at, confirmed.confirmed_by) == (NOW, head)
    entry = entries_for(booking).get()
    assert (entry.action, entry.actor, entry.before, entry.after, entry.data) == (
        "collective_booking.confirmed", head, {"status": "pending"}, {"status": "confirmed"},
        {"budget_left_after": 70_000},
    )  # fmt: skip
    assert flow.committed_on(budget) == 30_000
    run_pending_tasks()
    # The venue, the teacher and the head: one e-mail each.
    assert [m.to for m in mailoutbox] == [
        ["scolaires@celestins-lyon.fr"], ["agnes.lemaitre@ac-lyon.fr"], ["principale@ac-lyon.fr"],
    ]  # fmt: skip
    mail = mailoutbox[0]
    assert mail.subject == "Réservation confirmée : Atelier théâtre : Molière en classe"
    assert "Établissement : Collège Jean Moulin (0690103M, Lyon) — téléphone : 04 78 42 37 52" in (
        mail.body
    )
    assert "Enseignant : Agnès Lemaître (agnes.lemaitre@ac-lyon.fr) — projet « Parcours" in (
        mail.body
    )
    assert f"Prix : {euros('300,00 €')} (transport non compris)." in mail.body


def test_only_the_head_of_that_school_confirms(offer, teacher, budget, other_school):
    booking = make_booking(offer, teacher)
    other_head = make_member(other_school, role=SchoolRole.HEAD)
    for user in (teacher, other_head):
        refused(
            lambda u=user: flow.confirm(head=u, booking_id=booking.pk),
            e.NotHead,
            "Seul le chef d’établissement peut confirmer ou refuser une réservation.",
        )


def test_confirmation_needs_an_eac_project(offer, teacher, head, budget):
    booking = make_booking(offer, teacher, project=None)
    refused(
        lambda: flow.confirm(head=head, booking_id=booking.pk),
        e.ProjectRequired,
        "Rattachez d’abord la préréservation à un projet EAC de l’établissement.",
    )


def test_confirmation_until_the_limit_instant_inclusive(venue, teacher, head, budget):
    late = make_booking(make_offer(venue, name="Tard"), teacher)
    on_time = make_booking(make_offer(venue, name="À l’heure"), teacher)
    with clock.frozen_at(LIMIT + US):
        refused(
            lambda: flow.confirm(head=head, booking_id=late.pk),
            e.LimitPassed,
            "La date limite de confirmation (01/03/2027 à 18:00) est dépassée.",
        )
    with clock.frozen_at(LIMIT):
        assert flow.confirm(head=head, booking_id=on_time.pk).confirmed_at == LIMIT


def test_confirmation_without_a_budget_for_the_year(venue, teacher, head, budget):
    next_year = make_offer(venue, start=paris(2027, 9, 14, 10, 0))  # school year 2027-2028
    booking = make_booking(next_year, teacher)
    refused(
        lambda: flow.confirm(head=head, booking_id=booking.pk),
        e.NoBudget,
        "L’établissement n’a pas de budget pour l’année scolaire 2027-2028.",
    )


@pytest.mark.parametrize(
    ("provisional", "price", "left", "cost"),
    [
        (True, 80_000, None, None),  # 80 % of 1 000 € exactly
        (True, 80_001, "800,00 €", "800,01 €"),
        (False, 100_000, None, None),
        (False, 100_001, "1 000,00 €", "1 000,01 €"),
    ],
)
def test_provisional_budgets_spend_80_percent_final_100(
    venue, school, teacher, head, provisional, price, left, cost
):
    make_budget(school, amount=100_000, provisional=provisional)
    booking = make_booking(make_offer(venue, price=price), teacher)
    if left is None:
        assert flow.confirm(head=head, booking_id=booking.pk).status == CONFIRMED
    else:
        error = refused(
            lambda: flow.confirm(head=head, booking_id=booking.pk),
            e.InsufficientBudget,
            f"Budget insuffisant : il reste {euros(left)} sur le budget 2026-2027 de "
            f"l’établissement, la réservation coûte {euros(cost)}.",
        )
        assert error.code == "insufficient_budget"


def test_committed_counts_confirmed_used_and_reimbursed_bookings_only(venue, school, teacher, head):
    budget = make_budget(school, amount=100_000)
    for i, status in enumerate(["confirmed", "used", "reimbursed", "pending", "cancelled"]):
        make_booking(make_offer(venue, name=f"Séance {i}", price=20_000), teacher, status=status)
    other_year = make_offer(venue, name="Rentrée", start=paris(2027, 9, 14, 10, 0), price=50_000)
    make_booking(other_year, teacher, status=CONFIRMED)  # another school year: no carry-over
    assert flow.committed_on(budget) == 60_000

    fits = make_booking(make_offer(venue, name="Juste assez", price=40_000), teacher)
    too_much = make_booking(make_offer(venue, name="Un centime de trop", price=1), teacher)
    flow.confirm(head=head, booking_id=fits.pk)

    refused(
        lambda: flow.confirm(head=head, booking_id=too_much.pk),
        e.InsufficientBudget,
        f"Budget insuffisant : il reste {euros('0,00 €')} sur le budget 2026-2027 de "
        f"l’établissement, la réservation coûte {euros('0,01 €')}.",
    )


def test_a_booking_is_confirmed_once(offer, teacher, head, budget):
    booking = make_booking(offer, teacher, status=CONFIRMED)
    refused(
        lambda: flow.confirm(head=head, booking_id=booking.pk),
        e.CollectiveError,
        "Cette réservation n’est pas en attente de confirmation.",
    )


# --- Refusal by the head, cancellation by the venue ----------------------------------------------


def test_head_refuses_a_pending_booking(offer, teacher, head, mailoutbox):
    booking = make_booking(offer, teacher)

    refused_booking = flow.refuse(head=head, booking_id=booking.pk, comment=" Pas de car ")

    assert refused_booking.status == CollectiveBookingStatus.CANCELLED
    assert (refused_booking.cancelled_at, refused_booking.cancellation_reason) == (
        NOW, "refused_by_head",
    )  # fmt: skip
    assert refused_booking.cancellation_comment == "Pas de car"
    entry = entries_for(booking).get()
    assert (entry.action, entry.actor, entry.before, entry.data) == (
        "collective_booking.cancelled", head, {"status": "pending"},
        {"reason": "refused_by_head", "comment": "Pas de car"},
    )  # fmt: skip
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [
        ["scolaires@celestins-lyon.fr"], ["agnes.lemaitre@ac-lyon.fr"], ["principale@ac-lyon.fr"],
    ]  # fmt: skip
    mail = mailoutbox[0]
    assert mail.subject == "Réservation annulée : Atelier théâtre : Molière en classe"
    assert (
        "pour Collège Jean Moulin (téléphone : 04 78 42 37 52, enseignant : Agnès Lemaître)"
        " est refusée par le chef d’établissement." in mail.body
    )
    assert "Motif : Pas de car" in mail.body


def test_confirmed_booking_refused_until_15_days_before_the_start(venue, teacher, head, budget):
    boundary = START - dt.timedelta(days=15)
    assert boundary == paris(2027, 2, 28, 10, 0)
    late = make_booking(make_offer(venue, name="Tard"), teacher, status=CONFIRMED)
    on_time = make_booking(make_offer(venue, name="À temps"), teacher, status=CONFIRMED)
    assert flow.committed_on(budget) == 60_000

    with clock.frozen_at(boundary + US):
        refused(
            lambda: flow.refuse(head=head, booking_id=late.pk),
            e.TooLate,
            "Une réservation confirmée ne peut plus être refusée à moins de 15 jours du début.",
        )
    with clock.frozen_at(boundary):
        flow.refuse(head=head, booking_id=on_time.pk)

    assert flow.committed_on(budget) == 30_000  # the refused booking gives its budget back


def test_refusal_needs_the_head_and_a_live_booking(offer, teacher, head):
    booking = make_booking(offer, teacher, status=USED)
    refused(lambda: flow.refuse(head=teacher, booking_id=booking.pk), e.NotHead)
    refused(
        lambda: flow.refuse(head=head, booking_id=booking.pk),
        e.CollectiveError,
        "Cette réservation ne peut plus être refusée.",
    )


def test_venue_cancels_with_a_reason_until_48_hours_after_the_end(venue, teacher, pro, mailoutbox):
    boundary = END + dt.timedelta(hours=48)
    late = make_booking(make_offer(venue, name="Tard"), teacher, status=CONFIRMED)
    on_time = make_booking(make_offer(venue, name="À temps"), teacher, status=USED)
    cancel = flow.cancel_by_venue

    error = refused(
        lambda: cancel(actor=pro, booking_id=on_time.pk, comment="  "),
        e.CollectiveError,
        "Indiquez le motif de l’annulation : il est transmis à l’établissement.",
    )
    assert error.field == "comment"
    with clock.frozen_at(boundary + US):
        refused(
            lambda: cancel(actor=pro, booking_id=late.pk, comment="Comédien malade"),
            e.TooLate,
            "L’annulation n’est plus possible 48 h après la fin de l’offre.",
        )
    with clock.frozen_at(boundary):
        cancelled = cancel(actor=pro, booking_id=on_time.pk, comment="Séance non assurée")

    assert (cancelled.status, cancelled.cancellation_reason, cancelled.cancelled_at) == (
        "cancelled", "cancelled_by_venue", boundary,
    )  # fmt: skip
    assert entries_for(on_time).get().data == {
        "reason": "cancelled_by_venue", "comment": "Séance non assurée",
    }  # fmt: skip
    refused(
        lambda: cancel(actor=pro, booking_id=on_time.pk, comment="Encore"),
        e.CollectiveError,
        "Cette réservation ne peut plus être annulée.",
    )
    run_pending_tasks()
    assert "Motif : Séance non assurée" in mailoutbox[0].body


# --- Price changes -----------------------------------------------------------------------------


def test_price_may_rise_before_confirmation(offer, teacher, pro):
    booking = make_booking(offer, teacher)

    stock = offer_services.change_price(actor=pro, offer=offer, price=35_000)

    assert stock.price == 35_000
    booking.refresh_from_db()
    assert (booking.price, booking.updated_at) == (35_000, NOW)
    entry = entries_for(stock).get()
    assert (entry.action, entry.before, entry.after) == (
        "collective_stock.price_changed", {"price": 30_000}, {"price": 35_000},
    )  # fmt: skip


@pytest.mark.parametrize("status", [CONFIRMED, USED, CollectiveBookingStatus.REIMBURSED])
def test_after_confirmation_the_price_only_goes_down(venue, teacher, pro, budget, status):
    offer = make_offer(venue)
    booking = make_booking(offer, teacher, status=status)
    error = refused(
        lambda: offer_services.change_price(actor=pro, offer=offer, price=30_001),
        e.PriceIncrease,
        f"Après confirmation, le prix ne peut que baisser (actuellement {euros('300,00 €')}).",
    )
    assert error.field == "price"

    offer_services.change_price(actor=pro, offer=offer, price=25_000, price_detail="Remise")

    booking.refresh_from_db()
    assert booking.price == 25_000
    assert CollectiveStock.objects.get().price_detail == "Remise"
    assert flow.committed_on(budget) == 25_000


def test_a_cancelled_booking_keeps_its_price_and_negative_prices_are_refused(offer, teacher, pro):
    cancelled = make_booking(offer, teacher, status=CollectiveBookingStatus.CANCELLED)
    offer_services.change_price(actor=pro, offer=offer, price=45_000)
    cancelled.refresh_from_db()
    assert cancelled.price == 30_000
    refused(
        lambda: offer_services.change_price(actor=pro, offer=offer, price=-1),
        e.InvalidCollectiveOffer,
        "Prix invalide.",
    )


# --- Jobs ----------------------------------------------------------------------------------------


def test_bookings_become_used_48_hours_after_the_end_once(venue, teacher):
    boundary = END + dt.timedelta(hours=48)
    confirmed = make_booking(make_offer(venue, name="Confirmée"), teacher, status=CONFIRMED)
    pending = make_booking(make_offer(venue, name="En attente"), teacher)
    later = make_booking(
        make_offer(venue, name="Plus tard", start=START + US), teacher, status=CONFIRMED
    )

    assert flow.mark_used_after_end(now=boundary - US) == 0
    assert flow.mark_used_after_end(now=boundary) == 1
    assert flow.mark_used_after_end(now=boundary) == 0  # idempotent

    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.used_at, confirmed.updated_at) == (USED, boundary, boundary)
    entry = entries_for(confirmed).get()
    assert (entry.action, entry.actor_label) == ("collective_booking.used", "AUTO")
    pending.refresh_from_db()
    later.refresh_from_db()
    assert (pending.status, later.status) == (PENDING, CONFIRMED)
    assert flow.mark_used_after_end(now=boundary + US) == 1


def test_pending_bookings_expire_after_their_limit_once(venue, teacher, mailoutbox):
    booking = make_booking(make_offer(venue), teacher)
    confirmed = make_booking(make_offer(venue, name="Confirmée"), teacher, status=CONFIRMED)

    assert flow.expire_pending(now=LIMIT) == 0
    with clock.frozen_at(LIMIT + US):
        assert flow.expire_pending() == 1
        assert flow.expire_pending() == 0  # idempotent

    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason, booking.cancelled_at) == (
        "cancelled", "expired", LIMIT + US,
    )  # fmt: skip
    entry = entries_for(booking).get()
    assert (entry.action, entry.actor_label) == ("collective_booking.cancelled", "AUTO")
    confirmed.refresh_from_db()
    assert confirmed.status == CONFIRMED
    run_pending_tasks()
    subject = "Réservation annulée : Atelier théâtre : Molière en classe"
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["scolaires@celestins-lyon.fr"], subject), ([teacher.email], subject),
    ]  # fmt: skip
    assert "est annulée : elle n’a pas été confirmée avant la date limite." in mailoutbox[0].body


def test_scheduler_runs_the_collective_jobs(venue, teacher):
    names = {job.name for job in scheduler.registered_jobs()}
    assert {"collective.expire_pending", "collective.mark_used"} <= names
    expiring = make_booking(make_offer(venue, name="Oubliée"), teacher)
    ending = make_booking(make_offer(venue, name="Jouée"), teacher, status=CONFIRMED)
    jobs = [job for job in scheduler.registered_jobs() if job.name.startswith("collective.")]

    with clock.frozen_at(END + dt.timedelta(hours=49)):
        assert sorted(scheduler.tick(jobs=jobs, worker="test")) == [
            "collective.expire_pending", "collective.mark_used",
        ]  # fmt: skip
        run_pending_tasks()

    expiring.refresh_from_db()
    ending.refresh_from_db()
    assert (expiring.status, ending.status) == ("cancelled", USED)


# --- The whole journey, audited at every step --------------------------------------------------


def test_full_journey_is_audited_at_every_transition(pro, staff, venue, school, teacher, head):
    enrol(school, l4e=40)
    budget = school_services.compute_budget(school=school, year_code=YEAR)  # 1 000 €, 800 €
    offer = offer_services.create_collective_offer(
        actor=pro, venue=venue, data=offer_data(target_school=school), stock=stock_data()
    )
    offer_services.submit_collective_offer(actor=pro, offer=offer)
    booking = flow.prebook(teacher=teacher, offer_id=offer.pk)
    flow.attach_project(teacher=teacher, booking_id=booking.pk, project_name="Théâtre 4e")
    flow.confirm(head=head, booking_id=booking.pk)
    offer_services.change_price(actor=pro, offer=offer, price=28_000)
    flow.mark_used_after_end(now=END + dt.timedelta(hours=48))

    booking.refresh_from_db()
    assert (booking.status, booking.price) == (USED, 28_000)
    assert rules.remaining(amount=budget.amount, provisional=True, committed=28_000) == 52_000
    assert flow.committed_on(budget) == 28_000
    assert actions_for(offer) == ["collective_offer.created", "collective_offer.submitted"]
    assert actions_for(offer.stock) == ["collective_stock.price_changed"]
    assert actions_for(booking) == [
        "collective_booking.prebooked", "collective_booking.project_attached",
        "collective_booking.confirmed", "collective_booking.used",
    ]  # fmt: skip
    assert set(AuditEntry.objects.values_list("actor_label", flat=True)) == {
        "SYSTEM", pro.email, teacher.email, head.email, "AUTO",
    }  # fmt: skip


def test_every_offer_data_field_is_saved():
    """A field added to CollectiveOfferData but not to FIELDS would be silently dropped."""
    names = {f.name for f in dataclasses.fields(CollectiveOfferData)} - {"target_school"}
    assert names == set(offer_services.FIELDS)
