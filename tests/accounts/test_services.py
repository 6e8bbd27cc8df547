import re

import pytest

from passculture.accounts import services
from passculture.accounts.errors import EmailAlreadyUsed, InvalidVerificationLink
from passculture.accounts.models import User
from passculture.core.audit import entries_for
from passculture.core.taskrunner import run_pending_tasks

pytestmark = pytest.mark.django_db


def register(**overrides):
    values = {
        "email": "Zoé.Dupré@Exemple.fr", "password": "un-mot-de-passe-long",
        "first_name": "Zoé", "last_name": "Dupré-Åberg", "phone": "06 12 34 56 78",
    }  # fmt: skip
    values.update(overrides)
    return services.register_user(**values)


def test_register_lowercases_email_keeps_accents_and_audits(mailoutbox):
    user = register()
    assert user.email == "zoé.dupré@exemple.fr" and user.last_name == "Dupré-Åberg"
    assert user.check_password("un-mot-de-passe-long") and user.email_verified_at is None
    assert entries_for(user).get().action == "user.registered"
    run_pending_tasks()
    assert len(mailoutbox) == 1 and "Confirmez" in mailoutbox[0].subject


def test_duplicate_email_is_refused_case_insensitively():
    register()
    with pytest.raises(EmailAlreadyUsed):
        register(email="ZOÉ.DUPRÉ@exemple.fr")
    assert User.objects.count() == 1


def test_verification_link_verifies_once_and_bad_links_fail(mailoutbox, client):
    user = register()
    run_pending_tasks()
    path = re.search(r"https?://[^/]+(/\S+)", mailoutbox[0].body).group(1)
    response = client.get(path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert entries_for(user).filter(action="user.email_verified").count() == 1
    client.get(path)  # idempotent
    assert entries_for(user).filter(action="user.email_verified").count() == 1
    with pytest.raises(InvalidVerificationLink):
        services.verify_email(token="nimporte-quoi")
    bad = client.get("/comptes/verifier/faux-jeton/")
    assert bad.status_code == 400 and "invalide" in bad.content.decode()


def test_update_profile_audits(pro):
    services.update_profile(
        actor=pro, user=pro, first_name="Camille", last_name="Lefèvre-Ørsted", phone=""
    )
    entry = entries_for(pro).get(action="user.profile_updated")
    assert entry.before["last_name"] == "Lefèvre" and entry.after["last_name"] == "Lefèvre-Ørsted"
