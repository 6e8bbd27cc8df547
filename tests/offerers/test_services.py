"""Structure and venue services: validation in French, nothing changed on refusal, audit read back."""

from decimal import Decimal

import pytest

from passculture.core.audit import entries_for
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.offerers import services
from passculture.offerers.errors import (
    InvalidCoordinates,
    InvalidPostalCode,
    InvalidSiren,
    InvalidSiret,
    LastMember,
    MissingSiretReason,
    SiretAlreadyUsed,
    SiretNotInSiren,
    VirtualVenueExists,
)
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue
from tests.factories import make_offerer, make_siren, make_siret

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "12 rue de la Paix", "postal_code": "20000", "city": "Ajaccio"}


def venue_data(**overrides) -> services.VenueData:
    values = {
        "name": "Salle Molière", "venue_type": "theatre", "street": "3 quai Saint-Antoine",
        "postal_code": "69002", "city": "Lyon", "latitude": Decimal("45.7631"),
        "longitude": Decimal("4.8302"), "booking_email": "billetterie@exemple.fr",
    }  # fmt: skip
    values.update(overrides)
    return services.VenueData(**values)


def test_create_offerer_makes_creator_validated_member_and_audits(pro, staff, mailoutbox):
    siren = make_siren()
    membership = services.create_offerer(
        actor=pro, siren=siren, name="Compagnie Éphémère", **ADDRESS
    )
    offerer = membership.offerer
    assert (offerer.siren, offerer.department_code) == (siren, "2A")
    assert offerer.validation_status == ValidationStatus.PENDING
    assert membership.status == ValidationStatus.VALIDATED
    entry = entries_for(offerer).get()
    assert (entry.action, entry.actor, entry.after["name"]) == (
        "offerer.created",
        pro,
        "Compagnie Éphémère",
    )
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert "Compagnie Éphémère" in mailoutbox[0].subject


def test_invalid_siren_is_refused_and_changes_nothing(pro):
    with pytest.raises(InvalidSiren) as exc:
        services.create_offerer(actor=pro, siren="123456789", name="X", **ADDRESS)
    assert "SIREN" in exc.value.text and exc.value.code == "invalid_siren"
    assert Offerer.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_invalid_postal_code_is_refused(pro):
    with pytest.raises(InvalidPostalCode):
        services.create_offerer(
            actor=pro,
            siren=make_siren(),
            name="X",
            street="1 rue",
            postal_code="00000",
            city="Nulle part",
        )
    assert Offerer.objects.count() == 0


def test_existing_siren_becomes_a_join_request(pro, other_pro, offerer, mailoutbox):
    membership = services.create_offerer(
        actor=other_pro, siren=offerer.siren, name="Autre", **ADDRESS
    )
    assert membership.offerer == offerer and membership.status == ValidationStatus.PENDING
    assert Offerer.objects.count() == 1
    assert entries_for(membership).get().action == "membership.requested"
    run_pending_tasks()
    assert pro.email in mailoutbox[0].to


def test_member_accepts_join_request_and_it_is_audited(pro, other_pro, offerer):
    membership = services.request_membership(actor=other_pro, offerer=offerer)
    services.decide_membership(actor=pro, membership=membership, approve=True)
    membership.refresh_from_db()
    assert membership.status == ValidationStatus.VALIDATED
    assert entries_for(membership).filter(action="membership.validated", actor=pro).exists()
    with pytest.raises(InvalidState):
        services.decide_membership(actor=pro, membership=membership, approve=False)


def test_outsider_cannot_decide_a_join_request(pro, other_pro, offerer):
    stranger_request = services.request_membership(actor=other_pro, offerer=offerer)
    outsider = make_offerer(None).memberships  # noqa: F841 - unrelated structure
    with pytest.raises(PermissionDenied):
        services.decide_membership(actor=other_pro, membership=stranger_request, approve=True)
    stranger_request.refresh_from_db()
    assert stranger_request.status == ValidationStatus.PENDING


def test_last_member_cannot_be_removed_but_others_can(pro, other_pro, offerer):
    only = Membership.objects.get(user=pro, offerer=offerer)
    with pytest.raises(LastMember):
        services.remove_membership(actor=pro, membership=only)
    second = Membership.objects.create(
        user=other_pro, offerer=offerer, status=ValidationStatus.VALIDATED
    )
    services.remove_membership(actor=pro, membership=second)
    assert not Membership.objects.filter(pk=second.pk).exists()
    assert AuditEntry.objects.filter(action="membership.removed", object_id=str(second.pk)).exists()


def test_staff_validates_and_rejects_offerers_with_emails(pro, staff, mailoutbox):
    first = make_offerer(pro, validated=False)
    second = make_offerer(pro, name="Librairie Au Bonheur des Dames", validated=False)
    services.validate_offerer(actor=staff, offerer=first)
    services.reject_offerer(actor=staff, offerer=second, reason="SIREN radié au répertoire Sirene")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.validation_status == ValidationStatus.VALIDATED and first.validated_at
    assert second.validation_status == ValidationStatus.REJECTED
    assert entries_for(first).get().action == "offerer.validated"
    rejected = entries_for(second).get()
    assert (rejected.action, rejected.data) == (
        "offerer.rejected",
        {"reason": "SIREN radié au répertoire Sirene"},
    )
    run_pending_tasks()
    bodies = {m.subject: m.body for m in mailoutbox}
    assert any("est validée" in subject for subject in bodies)
    assert any("SIREN radié au répertoire Sirene" in body for body in bodies.values())


def test_only_staff_validates_offerers(pro):
    offerer = make_offerer(pro, validated=False)
    with pytest.raises(PermissionDenied):
        services.validate_offerer(actor=pro, offerer=offerer)
    offerer.refresh_from_db()
    assert offerer.validation_status == ValidationStatus.PENDING


def test_create_venue_with_siret_computes_department_and_audits(pro, offerer):
    siret = make_siret(offerer.siren, 42)
    venue = services.create_venue(actor=pro, offerer=offerer, data=venue_data(siret=siret))
    assert (venue.siret, venue.department_code, venue.latitude) == (
        siret,
        "69",
        Decimal("45.76310"),
    )
    entry = entries_for(venue).get()
    assert entry.action == "venue.created" and entry.after["siret"] == siret


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"siret": "12345678901234"}, InvalidSiret),
        ({"siret": ""}, MissingSiretReason),
        ({"siret": "", "no_siret_reason": "Compagnie", "postal_code": "99999"}, InvalidPostalCode),
        ({"siret": "", "no_siret_reason": "Compagnie", "latitude": None}, InvalidCoordinates),
        (
            {"siret": "", "no_siret_reason": "Compagnie", "latitude": Decimal("40.41")},
            InvalidCoordinates,
        ),
    ],
)
def test_create_venue_refusals_change_nothing(pro, offerer, overrides, error):
    with pytest.raises(error) as exc:
        services.create_venue(actor=pro, offerer=offerer, data=venue_data(**overrides))
    assert exc.value.text  # a French sentence for the form
    assert Venue.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_siret_of_another_siren_is_refused(pro, offerer):
    foreign = make_siret(make_siren())
    with pytest.raises(SiretNotInSiren) as exc:
        services.create_venue(actor=pro, offerer=offerer, data=venue_data(siret=foreign))
    assert offerer.siren in exc.value.text


def test_siret_used_twice_is_refused(pro, offerer):
    siret = make_siret(offerer.siren, 5)
    services.create_venue(actor=pro, offerer=offerer, data=venue_data(siret=siret))
    with pytest.raises(SiretAlreadyUsed):
        services.create_venue(
            actor=pro, offerer=offerer, data=venue_data(siret=siret, name="Autre")
        )
    assert Venue.objects.count() == 1


def test_nomadic_venue_without_siret_and_one_virtual_venue(pro, offerer):
    nomad = services.create_venue(
        actor=pro, offerer=offerer,
        data=venue_data(siret="", no_siret_reason="Compagnie itinérante sans lieu fixe", venue_type="nomadic"),
    )  # fmt: skip
    assert nomad.siret is None and nomad.no_siret_reason.startswith("Compagnie")
    virtual = services.create_venue(
        actor=pro,
        offerer=offerer,
        data=services.VenueData(name="En ligne", venue_type="digital", is_virtual=True),
    )
    assert virtual.is_virtual and virtual.postal_code == "" and virtual.latitude is None
    with pytest.raises(VirtualVenueExists):
        services.create_venue(
            actor=pro,
            offerer=offerer,
            data=services.VenueData(name="Bis", venue_type="digital", is_virtual=True),
        )


def test_update_venue_audits_before_and_after(pro, venue):
    data = venue_data(siret=venue.siret, name="Nouvelle salle", visual_accessible=True)
    services.update_venue(actor=pro, venue=venue, data=data)
    venue.refresh_from_db()
    assert venue.name == "Nouvelle salle" and venue.visual_accessible
    entry = entries_for(venue).get(action="venue.updated")
    assert (entry.before["name"], entry.after["name"]) == ("Grande salle", "Nouvelle salle")


def test_update_offerer_audits(pro, offerer):
    services.update_offerer(
        actor=pro, offerer=offerer, name="Célestins — Théâtre de Lyon", **ADDRESS
    )
    entry = entries_for(offerer).get(action="offerer.updated")
    assert (
        entry.after["name"] == "Célestins — Théâtre de Lyon"
        and entry.after["department_code"] == "2A"
    )
