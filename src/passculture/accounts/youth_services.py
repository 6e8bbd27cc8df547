"""A young person's own account: residence, marketing consent, and the state of their identity."""

from django.db import transaction

from passculture.accounts.errors import InvalidResidence
from passculture.accounts.models import IdentityCheck, User
from passculture.core.audit import record_audit


@transaction.atomic
def update_residence(*, user: User, postal_code: str, city: str) -> User:
    """Move a young person's residence (postal code → département); caller holds no lock."""
    from passculture.offerers.rules import department_from_postal_code

    postal_code, city = postal_code.strip(), " ".join(city.split())
    department = department_from_postal_code(postal_code)
    if department is None:
        raise InvalidResidence()
    if not city:
        raise InvalidResidence("Indiquez votre commune.", field="city")
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = {
        "postal_code": locked.postal_code,
        "city": locked.city,
        "department_code": locked.department_code,
    }
    locked.postal_code, locked.city, locked.department_code = postal_code, city[:100], department
    locked.save(update_fields=["postal_code", "city", "department_code"])
    after = {"postal_code": postal_code, "city": locked.city, "department_code": department}
    if after != before:
        record_audit(
            actor=user, action="user.residence_updated", obj=locked, before=before, after=after
        )
    user.postal_code, user.city, user.department_code = postal_code, locked.city, department
    return user


@transaction.atomic
def set_marketing_opt_in(*, user: User, opt_in: bool) -> User:
    """Accept or refuse offer suggestions (campaigns); identity and booking e-mails still go."""
    from passculture.notifications.models import Preference

    locked = User.objects.select_for_update().get(pk=user.pk)
    # The preferences page and the unsubscribe link read this row too: keep them in step.
    Preference.objects.update_or_create(
        user=locked, category="campaign", defaults={"enabled": opt_in}
    )
    if locked.marketing_opt_in != opt_in:
        locked.marketing_opt_in = opt_in
        locked.save(update_fields=["marketing_opt_in"])
        record_audit(
            actor=user,
            action="user.marketing_opt_in",
            obj=locked,
            before={"marketing_opt_in": not opt_in},
            after={"marketing_opt_in": opt_in},
        )
    user.marketing_opt_in = opt_in
    return user


def latest_identity_check(user: User) -> IdentityCheck | None:
    """The young person's most recent identity check (a read, kept beside the youth writes)."""
    return user.identity_checks.order_by("-created_at", "-pk").first()
