"""Preferences service: defaults per role, saving, audit, marketing consent, refusals, and
`notify` obeying what was saved (the page's checkboxes are the real switches)."""

import pytest

from passculture.accounts.models import User
from passculture.core.models import AuditEntry
from passculture.notifications import services
from passculture.notifications.models import Notice, Preference
from passculture.notifications.preferences import preferences_of, save_preferences
from tests.bookings.factories import make_youth
from tests.collective.factories import make_member, make_school
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _reminder(user: User) -> bool:
    return services.notify(
        template="notice", context={}, category="reminder", user=user, title="Rappel", email=""
    )


def test_defaults_per_role():
    assert preferences_of(make_youth()) == {"reminder": True, "campaign": True}
    assert preferences_of(make_youth(marketing_opt_in=False)) == {
        "reminder": True,
        "campaign": False,  # campaigns need the marketing consent
    }
    # Digests and collective reminders go to venue addresses: nothing to choose per account.
    assert preferences_of(make_user()) == {}
    assert preferences_of(make_member(make_school())) == {}


def test_save_writes_rows_and_notify_obeys_them():
    lea = make_youth()
    result = save_preferences(user=lea, choices={"reminder": False, "campaign": True})
    assert result == {"reminder": False, "campaign": True}
    assert dict(Preference.objects.filter(user=lea).values_list("category", "enabled")) == {
        "reminder": False,
        "campaign": True,
    }
    assert preferences_of(lea) == {"reminder": False, "campaign": True}
    assert services.is_enabled(user=lea, category="reminder") is False
    assert _reminder(lea) is False
    assert not Notice.objects.filter(user=lea).exists()

    save_preferences(user=lea, choices={"reminder": True})  # a subset: campaign untouched
    assert preferences_of(lea) == {"reminder": True, "campaign": True}
    assert Preference.objects.get(user=lea, category="reminder").enabled is True
    assert _reminder(lea) is True
    assert Notice.objects.filter(user=lea, category="reminder").count() == 1


def test_a_change_is_audited_and_a_non_change_is_not():
    lea = make_youth()
    save_preferences(user=lea, choices={"reminder": False, "campaign": True})
    entry = AuditEntry.objects.get(action="notifications.preferences")
    assert entry.actor == lea
    assert entry.object_id == str(lea.pk)
    assert entry.before == {"reminder": True, "campaign": True}
    assert entry.after == {"reminder": False, "campaign": True}
    save_preferences(user=lea, choices={"reminder": False, "campaign": True})
    assert AuditEntry.objects.filter(action="notifications.preferences").count() == 1


def test_campaign_choice_sets_the_marketing_consent():
    lea = make_youth()
    save_preferences(user=lea, choices={"campaign": False})
    lea.refresh_from_db()
    assert lea.marketing_opt_in is False
    assert services.is_enabled(user=lea, category="campaign") is False
    save_preferences(user=lea, choices={"campaign": True})
    lea.refresh_from_db()
    assert lea.marketing_opt_in is True
    assert Preference.objects.get(user=lea, category="campaign").enabled is True
    assert services.is_enabled(user=lea, category="campaign") is True


def test_turning_campaigns_back_on_after_a_one_click_unsubscribe():
    lea = make_youth()
    services.unsubscribe(token=services.unsubscribe_token(user_id=lea.pk, category="campaign"))
    lea.refresh_from_db()
    assert preferences_of(lea)["campaign"] is False
    save_preferences(user=lea, choices={"campaign": True})
    lea.refresh_from_db()
    assert preferences_of(lea)["campaign"] is True and lea.marketing_opt_in is True


def test_one_click_unsubscribe_shows_as_off():
    lea = make_youth()
    services.unsubscribe(token=services.unsubscribe_token(user_id=lea.pk, category="reminder"))
    assert preferences_of(lea) == {"reminder": False, "campaign": True}


@pytest.mark.parametrize(
    "choices",
    [
        {"reminder": False, "booking": False},  # transactional: never optional
        {"reminder": False, "digest": False},  # optional but set per venue
        {"newsletter": False},
    ],
)
def test_unknown_or_unchoosable_category_is_refused_and_changes_nothing(choices):
    lea = make_youth()
    with pytest.raises(ValueError):
        save_preferences(user=lea, choices=choices)
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.preferences").exists()
    assert preferences_of(lea) == {"reminder": True, "campaign": True}


def test_pro_cannot_save_a_youth_category():
    pro = make_user()
    with pytest.raises(ValueError):
        save_preferences(user=pro, choices={"reminder": False})
    assert not Preference.objects.exists()


def test_account_toggle_back_on_after_unsubscribe_restores_campaigns_everywhere():
    """The account page's switch and the preferences page never disagree about campaigns."""
    from passculture.accounts import youth_services
    from passculture.notifications import preferences, services

    youth = make_youth(marketing_opt_in=True)
    token = services.unsubscribe_token(user_id=youth.pk, category="campaign")
    services.unsubscribe(token=token)
    youth.refresh_from_db()
    assert preferences.preferences_of(youth)["campaign"] is False
    youth_services.set_marketing_opt_in(user=youth, opt_in=True)
    youth.refresh_from_db()
    assert services.is_enabled(user=youth, category="campaign") is True
    assert preferences.preferences_of(youth)["campaign"] is True
