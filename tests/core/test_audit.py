import pytest

from passculture.core.audit import AUTO, entries_for, record_audit


@pytest.mark.django_db
def test_record_audit_keeps_actor_label_and_values(pro, offerer):
    record_audit(actor=pro, action="test.changed", obj=offerer, before={"a": 1}, after={"a": 2})
    record_audit(actor=AUTO, action="test.auto", obj=offerer)
    first, second = entries_for(offerer).order_by("id")
    assert (first.actor, first.actor_label, first.before, first.after) == (
        pro,
        pro.email,
        {"a": 1},
        {"a": 2},
    )
    assert (second.actor, second.actor_label) == (None, "AUTO")
    assert first.object_type == "offerers.offerer" and first.object_id == str(offerer.pk)
