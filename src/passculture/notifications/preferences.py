"""A user's choices for the optional notification categories (the preferences page).

Only OPTIONAL categories can be chosen; transactional ones always go. Which optional
categories a user may choose depends on their role: only categories that can actually
reach their account are offered (a choice that changes nothing would mislead).
"""

from django.db import transaction

from passculture.accounts.models import Role, User
from passculture.core.audit import record_audit
from passculture.notifications import services
from passculture.notifications.models import Preference

# Digests and collective reminders go to a venue's address, not to a user account: they
# are set per venue (VenueNotificationSettings), so pros and school staff choose nothing.
CHOOSABLE_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.BENEFICIARY: ("reminder", "campaign"),
}


def choosable_categories(user: User) -> tuple[str, ...]:
    return CHOOSABLE_BY_ROLE.get(user.role, ())


def preferences_of(user: User) -> dict[str, bool]:
    """{category: will `notify` deliver it to the user} for the categories the user may
    choose; asks `is_enabled` itself so the page shows exactly what sending will do."""
    return {
        category: services.is_enabled(user=user, category=category)
        for category in choosable_categories(user)
    }


@transaction.atomic
def save_preferences(*, user: User, choices: dict[str, bool]) -> dict[str, bool]:
    """Store `choices` (a subset of the user's choosable categories is fine) and return the
    resulting preferences. A category the user cannot choose raises ValueError, and then
    nothing is stored. Turning "campaign" on or off also sets the marketing consent."""
    allowed = choosable_categories(user)
    unknown = sorted(set(choices) - set(allowed))
    if unknown:
        raise ValueError(f"catégorie non réglable pour ce compte : {', '.join(unknown)}")
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = preferences_of(locked)
    for category, enabled in choices.items():
        Preference.objects.update_or_create(
            user=locked, category=category, defaults={"enabled": bool(enabled)}
        )
    if "campaign" in choices and locked.marketing_opt_in != bool(choices["campaign"]):
        locked.marketing_opt_in = bool(choices["campaign"])
        locked.save(update_fields=["marketing_opt_in"])
        user.marketing_opt_in = locked.marketing_opt_in
    after = preferences_of(locked)
    if after != before:
        record_audit(
            actor=user, action="notifications.preferences", obj=locked, before=before, after=after
        )
    return after
