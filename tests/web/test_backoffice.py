"""Back office: staff validates structures and join requests, and reads the audit log."""

import pytest

from passculture.core.models import AuditEntry
from passculture.offerers.models import Membership, ValidationStatus
from tests.factories import make_offerer, make_user

pytestmark = pytest.mark.django_db


def test_staff_validates_structure_with_admin_action(client, staff, pro):
    offerer = make_offerer(pro, validated=False)
    client.force_login(staff)
    response = client.post(
        "/backoffice/offerers/offerer/",
        {"action": "validate_selected", "_selected_action": [offerer.pk]},
        follow=True,
    )
    assert "1 structure(s) validée(s)." in response.content.decode()
    offerer.refresh_from_db()
    assert offerer.validation_status == ValidationStatus.VALIDATED
    entry = AuditEntry.objects.get(action="offerer.validated")
    assert entry.actor == staff
    log = client.get("/backoffice/core/auditentry/").content.decode()
    assert "offerer.validated" in log


def test_staff_rejects_with_reason_and_membership_validation(client, staff, pro):
    offerer = make_offerer(pro, validated=False)
    client.force_login(staff)
    url = "/backoffice/offerers/offerer/"
    form = client.post(url, {"action": "reject_selected", "_selected_action": [offerer.pk]})
    assert "Motif du refus" in form.content.decode()
    client.post(
        url,
        {
            "action": "reject_selected",
            "_selected_action": [offerer.pk],
            "apply": "1",
            "reason": "Activité non culturelle",
        },
    )
    offerer.refresh_from_db()
    assert offerer.validation_status == ValidationStatus.REJECTED
    assert offerer.rejection_reason == "Activité non culturelle"
    membership = Membership.objects.create(user=make_user(), offerer=offerer)
    client.post(
        "/backoffice/offerers/membership/",
        {"action": "validate_selected", "_selected_action": [membership.pk]},
    )
    membership.refresh_from_db()
    assert membership.status == ValidationStatus.VALIDATED


def test_audit_log_is_read_only_and_pros_are_kept_out(client, staff, pro):
    client.force_login(staff)
    assert client.get("/backoffice/core/auditentry/add/").status_code == 403
    client.force_login(pro)
    assert client.get("/backoffice/").status_code == 302
