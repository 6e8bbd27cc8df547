"""Seed command: demo data through the services, bench data in bulk, valid identifiers."""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from passculture.accounts.models import Role, User
from passculture.core.audit import entries_for
from passculture.core.models import AuditEntry
from passculture.offerers import rules
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue, VenueType
from passculture.offerers.selectors import offerers_for_user
from passculture.ops import seeddata
from passculture.ops.management.commands.seed import DEMO_PASSWORD

DEMO_EMAILS = ["admin@passculture.local", "pro@passculture.local", "pro2@passculture.local"]


def run_seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def assert_venue_identifiers_ok(venue: Venue) -> None:
    assert venue.siret is not None
    assert rules.is_valid_siret(venue.siret)
    assert rules.siret_belongs_to_siren(venue.siret, venue.offerer.siren)
    assert venue.department_code
    assert venue.department_code == rules.department_from_postal_code(venue.postal_code)
    assert rules.is_in_france(float(venue.latitude), float(venue.longitude))


# --- demo ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_creates_three_verified_users_with_the_demo_password() -> None:
    run_seed()

    for email in DEMO_EMAILS:
        user = User.objects.get(email=email)
        assert user.has_usable_password()
        assert user.check_password(DEMO_PASSWORD)
        assert user.email_verified_at is not None
        assert user.is_active
    admin = User.objects.get(email="admin@passculture.local")
    assert admin.is_staff and admin.is_superuser and admin.role == Role.STAFF
    pro = User.objects.get(email="pro@passculture.local")
    assert (pro.first_name, pro.last_name, pro.is_staff) == ("Camille", "Lefèvre", False)
    pro2 = User.objects.get(email="pro2@passculture.local")
    assert (pro2.first_name, pro2.last_name) == ("Hélène", "Müller-Ñúñez")


@pytest.mark.django_db
def test_demo_pro_sees_two_validated_structures_with_their_venues() -> None:
    run_seed()
    pro = User.objects.get(email="pro@passculture.local")

    structures = list(offerers_for_user(pro))
    assert len(structures) == 2
    assert all(offerer.validation_status == ValidationStatus.VALIDATED for offerer in structures)
    assert all(offerer.validated_at is not None for offerer in structures)
    memberships = Membership.objects.filter(user=pro)
    assert {membership.status for membership in memberships} == {ValidationStatus.VALIDATED}
    for offerer in structures:
        assert 2 <= offerer.venues.count() <= 3

    venues = Venue.objects.filter(offerer__in=structures)
    nomadic = venues.get(venue_type=VenueType.NOMADIC)
    assert nomadic.siret is None
    assert "sans lieu fixe" in nomadic.no_siret_reason
    virtual = venues.get(is_virtual=True)
    assert virtual.siret is None and virtual.latitude is None
    for venue in venues.filter(is_virtual=False).exclude(venue_type=VenueType.NOMADIC):
        assert_venue_identifiers_ok(venue)


@pytest.mark.django_db
def test_demo_second_pro_has_one_structure_pending_validation() -> None:
    run_seed()
    pro2 = User.objects.get(email="pro2@passculture.local")

    offerer = Offerer.objects.get(memberships__user=pro2)
    assert offerer.validation_status == ValidationStatus.PENDING
    assert offerer.department_code == "2A"
    assert rules.is_valid_siren(offerer.siren)


@pytest.mark.django_db
def test_demo_writes_audit_entries_through_the_services() -> None:
    run_seed()
    pro = User.objects.get(email="pro@passculture.local")
    admin = User.objects.get(email="admin@passculture.local")

    assert Venue.objects.count() == 6
    for venue in Venue.objects.select_related("offerer"):
        created = entries_for(venue).get(action="venue.created")
        assert created.actor in (pro, User.objects.get(email="pro2@passculture.local"))
    for offerer in Offerer.objects.all():
        assert entries_for(offerer).filter(action="offerer.created").exists()
    validations = AuditEntry.objects.filter(action="offerer.validated")
    assert validations.count() == 2
    assert {entry.actor for entry in validations} == {admin}


@pytest.mark.django_db
def test_demo_prints_the_logins_in_french() -> None:
    output = run_seed("--size", "demo")

    assert "Connexions de démonstration :" in output
    for email in DEMO_EMAILS:
        assert email in output
    assert f"mot de passe : {DEMO_PASSWORD}" in output


@pytest.mark.django_db
def test_demo_twice_does_not_duplicate_anything() -> None:
    run_seed()
    counts = (
        User.objects.count(),
        Offerer.objects.count(),
        Venue.objects.count(),
        AuditEntry.objects.count(),
    )

    output = run_seed("--size", "demo")

    assert "déjà initialisé" in output
    assert "Connexions de démonstration :" in output
    assert counts == (
        User.objects.count(),
        Offerer.objects.count(),
        Venue.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.django_db
def test_demo_after_bench_creates_its_own_structures() -> None:
    # The demo SIRENs come from the same generator: they must skip bench SIRENs,
    # otherwise create_offerer would turn into a join request on a bench structure.
    run_seed("--size", "bench", "--structures", "30", "--venues-per-structure", "1")
    run_seed()

    pro = User.objects.get(email="pro@passculture.local")
    assert offerers_for_user(pro).count() == 2
    assert not Membership.objects.filter(user=pro, status=ValidationStatus.PENDING).exists()


def test_unknown_size_is_a_french_error() -> None:
    with pytest.raises(CommandError, match="Taille inconnue"):
        call_command("seed", "--size", "enorme", stdout=io.StringIO())


def test_bench_rejects_zero_structures() -> None:
    with pytest.raises(CommandError, match="au moins 1"):
        call_command("seed", "--size", "bench", "--structures", "0", stdout=io.StringIO())


# --- bench -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bench_creates_valid_structures_and_venues() -> None:
    output = run_seed("--size", "bench", "--structures", "50", "--venues-per-structure", "3")

    assert Offerer.objects.count() == 50
    assert Venue.objects.count() == 150
    for offerer in Offerer.objects.all():
        assert rules.is_valid_siren(offerer.siren)
        assert offerer.validation_status == ValidationStatus.VALIDATED
        assert offerer.department_code == rules.department_from_postal_code(offerer.postal_code)
    for venue in Venue.objects.select_related("offerer"):
        assert_venue_identifiers_ok(venue)
    assert all(offerer.venues.count() == 3 for offerer in Offerer.objects.all())
    assert "50 structures" in output and "150 lieux" in output
    assert " s " in output  # elapsed time


@pytest.mark.django_db
def test_bench_is_a_bulk_load_without_audit_and_with_one_member() -> None:
    run_seed("--size", "bench", "--structures", "120", "--venues-per-structure", "1")

    assert not AuditEntry.objects.exists()
    pro = User.objects.get(email=seeddata.BENCH_PRO_EMAIL)
    assert pro.check_password(DEMO_PASSWORD)
    assert offerers_for_user(pro).count() == 100


@pytest.mark.django_db
def test_bench_run_twice_skips_existing_sirens() -> None:
    run_seed("--size", "bench", "--structures", "20", "--venues-per-structure", "2")
    run_seed("--size", "bench", "--structures", "20", "--venues-per-structure", "2")

    assert Offerer.objects.count() == 40
    assert Venue.objects.count() == 80
    pro = User.objects.get(email=seeddata.BENCH_PRO_EMAIL)
    assert offerers_for_user(pro).count() == 40


# --- generators ------------------------------------------------------------------------------


@hypothesis_settings(max_examples=50, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64))
def test_generated_sirens_and_sirets_are_valid(seed: int) -> None:
    rng = random.Random(seed)
    sirens = seeddata.unique_sirens(rng, 20)

    assert len(set(sirens)) == 20
    for siren in sirens:
        assert rules.is_valid_siren(siren)
        sirets = seeddata.random_sirets(rng, siren, 4)
        assert len(set(sirets)) == 4
        for siret in sirets:
            assert rules.is_valid_siret(siret)
            assert rules.siret_belongs_to_siren(siret, siren)


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    nic=st.integers(min_value=0, max_value=9999),
)
def test_make_siret_is_valid_for_any_establishment_number(seed: int, nic: int) -> None:
    siren = seeddata.random_siren(random.Random(seed))

    assert rules.is_valid_siret(seeddata.make_siret(siren, nic))


def test_same_seed_gives_the_same_identifiers() -> None:
    assert seeddata.unique_sirens(random.Random(7), 5) == seeddata.unique_sirens(
        random.Random(7), 5
    )


def test_unique_sirens_skip_taken_ones() -> None:
    first = seeddata.unique_sirens(random.Random(7), 5)
    again = seeddata.unique_sirens(random.Random(7), 5, taken=first)

    assert not set(first) & set(again)


def test_cities_are_in_france_and_cover_corsica_and_overseas() -> None:
    departments = {seeddata.department_of(city) for city in seeddata.CITIES}

    assert len(seeddata.CITIES) >= 60
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= departments
    for city in seeddata.CITIES:
        assert rules.is_in_france(city.latitude, city.longitude)


@given(seed=st.integers(min_value=0, max_value=2**32), index=st.integers(0, 10_000))
def test_jittered_coordinates_stay_in_france(seed: int, index: int) -> None:
    city = seeddata.CITIES[index % len(seeddata.CITIES)]

    latitude, longitude = seeddata.jittered_coordinates(random.Random(seed), city)

    assert rules.is_in_france(float(latitude), float(longitude))
    assert abs(float(latitude) - city.latitude) < 0.05
