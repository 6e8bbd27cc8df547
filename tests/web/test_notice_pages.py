"""Notice lists and preferences pages of the three spaces (youth, pro, teacher): each user
sees and marks only their own notices, the header shows their unread count, and the
preferences page saves the optional categories (bad input changes nothing)."""

import re

import pytest

from passculture.core.models import AuditEntry
from passculture.notifications import services
from passculture.notifications.models import Notice, Preference
from tests.bookings.factories import make_youth
from tests.collective.factories import make_member, make_school
from tests.factories import make_offerer, make_user, make_venue

pytestmark = pytest.mark.django_db

SPACES = {
    "youth": "/jeunes/notifications/",
    "pro": "/pro/notifications/",
    "teacher": "/enseignants/notifications/",
    "head": "/enseignants/notifications/",
}


def make_account(space: str):
    if space == "youth":
        return make_youth()
    if space == "pro":
        return make_user()
    return make_member(make_school(), role=space if space == "head" else "teacher")


def notices_for(user, *titles: str) -> list[Notice]:
    return [Notice.objects.create(user=user, category="booking", title=t) for t in titles]


def header_badge(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count" aria-label="[^"]*">(\d+)</span>', html)
    return found.group(1) if found else None


@pytest.fixture(params=list(SPACES))
def space(request):
    return request.param


def test_each_space_lists_only_my_notices_with_unread_badges(client, space):
    me, other = make_account(space), make_account(space)
    notices_for(me, "Offre validée : Été indien", "Export prêt : réservations")
    notices_for(other, "Réservation de quelqu’un d’autre")
    client.force_login(me)
    html = client.get(SPACES[space]).content.decode()
    assert '<h1 class="fr-mb-0">Mes notifications</h1>' in html
    assert html.index("Export prêt : réservations") < html.index("Offre validée : Été indien")
    assert "quelqu’un d’autre" not in html
    assert html.count(">Non lue</span>") == 2
    assert header_badge(html) == "2"
    assert 'aria-label="2 non lues"' in html
    assert f'href="{SPACES[space]}" data-testid="notices-link"' in html
    assert f'href="{SPACES[space]}preferences/"' in html


def test_mark_one_then_all_read_and_never_someone_elses(client, space):
    me, other = make_account(space), make_account(space)
    first, _second, _third = notices_for(me, "Un", "Deux", "Trois")
    (theirs,) = notices_for(other, "À quelqu’un d’autre")
    client.force_login(me)
    response = client.post(f"{SPACES[space]}{first.pk}/lire/")
    assert response.status_code == 302 and response["Location"] == SPACES[space]
    first.refresh_from_db()
    assert first.read_at is not None
    assert header_badge(client.get(SPACES[space]).content.decode()) == "2"

    response = client.post(f"{SPACES[space]}{theirs.pk}/lire/")
    assert response.status_code in (302, 404)
    theirs.refresh_from_db()
    assert theirs.read_at is None

    html = client.post(f"{SPACES[space]}tout-lire/", follow=True).content.decode()
    assert "2 notifications marquées comme lues." in html
    assert header_badge(html) is None and ">Non lue</span>" not in html
    assert not Notice.objects.filter(user=me, read_at__isnull=True).exists()
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_needs_a_post(client, space):
    me = make_account(space)
    (notice,) = notices_for(me, "Un")
    client.force_login(me)
    assert client.get(f"{SPACES[space]}{notice.pk}/lire/").status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_empty_state_and_pagination(client, space):
    me = make_account(space)
    client.force_login(me)
    html = client.get(SPACES[space]).content.decode()
    assert "Vous n’avez aucune notification pour le moment." in html
    assert "Tout marquer comme lu" not in html and header_badge(html) is None
    notices_for(me, *(f"Avis n°{i}" for i in range(21)))
    html = client.get(SPACES[space]).content.decode()
    assert "Page 1 sur 2" in html and "Avis n°20<" in html and "Avis n°0<" not in html
    assert "Avis n°0<" in client.get(f"{SPACES[space]}?page=2").content.decode()


@pytest.mark.parametrize("path", ["", "1/lire/", "tout-lire/", "preferences/"])
def test_anonymous_is_sent_to_login(client, space, path):
    url = f"{SPACES[space]}{path}"
    response = client.post(url) if "lire" in path else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/comptes/connexion/?next={url}")


def test_teacher_space_needs_a_school_membership(client):
    pro = make_user()
    notices_for(pro, "Réservation")
    client.force_login(pro)
    assert client.get("/enseignants/notifications/").status_code == 403
    assert client.get("/enseignants/notifications/preferences/").status_code == 403


def test_header_badge_on_other_pages_of_each_space(client):
    youth, pro = make_youth(), make_user()
    teacher = make_member(make_school())
    for user, url in ((youth, "/jeunes/"), (pro, "/pro/"), (teacher, "/enseignants/")):
        notices_for(user, *(["Avis"] * 3))
        client.force_login(user)
        html = client.get(url).content.decode()
        assert header_badge(html) == "3", url
        assert 'aria-label="3 non lues"' in html


# --- preferences ------------------------------------------------------------------------------

YOUTH_PREFS = "/jeunes/notifications/preferences/"


def checkbox(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_youth_preferences_page_shows_choices_in_french(client):
    lea = make_youth(marketing_opt_in=False)
    client.force_login(lea)
    html = client.get(YOUTH_PREFS).content.decode()
    assert "Mes préférences de notification" in html
    assert "Rappels" in html and "3 jours avant et la veille" in html
    assert "réservations de biens" in html and "crédit arrive bientôt à expiration" in html
    assert "Suggestions d’offres près de chez vous" in html
    assert "toujours envoyés" in html and "sécurité de votre compte" in html
    assert "checked" in checkbox(html, "reminder")
    assert "checked" not in checkbox(html, "campaign")  # no marketing consent yet
    assert "/jeunes/notifications/preferences/" in client.get("/jeunes/compte/").content.decode()


def test_youth_saves_preferences(client):
    lea = make_youth()
    client.force_login(lea)
    response = client.post(YOUTH_PREFS, {"campaign": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == YOUTH_PREFS
    html = response.content.decode()
    assert "Vos préférences sont enregistrées." in html
    assert "checked" not in checkbox(html, "reminder")
    assert "checked" in checkbox(html, "campaign")
    assert Preference.objects.get(user=lea, category="reminder").enabled is False
    assert AuditEntry.objects.filter(action="notifications.preferences", actor=lea).count() == 1

    client.post(YOUTH_PREFS, {"reminder": "on"})
    lea.refresh_from_db()
    assert Preference.objects.get(user=lea, category="reminder").enabled is True
    assert Preference.objects.get(user=lea, category="campaign").enabled is False
    assert lea.marketing_opt_in is False


def test_page_reflects_one_click_unsubscribe(client):
    lea = make_youth()
    token = services.unsubscribe_token(user_id=lea.pk, category="reminder")
    assert client.post(f"/notifications/desabonnement/{token}/").status_code == 200
    client.force_login(lea)
    html = client.get(YOUTH_PREFS).content.decode()
    assert "checked" not in checkbox(html, "reminder")
    assert "checked" in checkbox(html, "campaign")


@pytest.mark.parametrize(
    "data, error",
    [
        ({"reminder": "peut-être"}, "Choix invalide : cochez ou décochez la case."),
        ({"booking": "off"}, "Ce type de notification ne se règle pas sur cette page."),
        ({"digest": ""}, "Ce type de notification ne se règle pas sur cette page."),
    ],
)
def test_invalid_youth_post_changes_nothing(client, data, error):
    lea = make_youth()
    client.force_login(lea)
    response = client.post(YOUTH_PREFS, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.preferences").exists()
    lea.refresh_from_db()
    assert lea.marketing_opt_in is True


def test_pro_preferences_link_each_of_my_venues(client):
    pro, other = make_user(), make_user()
    mine = make_venue(make_offerer(pro), name="Salle Molière")
    theirs = make_venue(make_offerer(other, name="Opéra de Lyon"), name="Salle Rameau")
    client.force_login(pro)
    html = client.get("/pro/notifications/preferences/").content.decode()
    assert "Mes préférences de notification" in html
    assert "résultat de la validation" in html and "toujours envoyés" in html
    assert "Récapitulatif quotidien et e-mails à chaque réservation" in html
    assert f'href="/pro/lieux/{mine.pk}/notifications/"' in html and "Salle Molière" in html
    assert f"/pro/lieux/{theirs.pk}/" not in html and "Salle Rameau" not in html
    assert 'name="reminder"' not in html  # no optional category reaches a pro account


def test_pro_without_venue_is_told_so(client):
    client.force_login(make_user())
    html = client.get("/pro/notifications/preferences/").content.decode()
    assert "Vous n’avez pas encore de lieu" in html


@pytest.mark.parametrize("role", ["teacher", "head"])
def test_teacher_preferences_page(client, role):
    member = make_member(make_school(), role=role)
    client.force_login(member)
    html = client.get("/enseignants/notifications/preferences/").content.decode()
    assert "réservations de votre établissement" in html and "toujours envoyés" in html
    assert "Votre compte ne reçoit aucun message facultatif : il n’y a rien à désactiver." in html
    assert '<form method="post" novalidate' not in html


@pytest.mark.parametrize(
    "url", ["/pro/notifications/preferences/", "/enseignants/notifications/preferences/"]
)
def test_pro_and_teacher_post_changes_nothing(client, url):
    user = make_user() if url.startswith("/pro/") else make_member(make_school())
    client.force_login(user)
    response = client.post(url, {"reminder": ""})
    assert response.status_code == 405  # no optional category here: nothing to post
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.preferences").exists()
