"""Sign-up, login (with throttling), logout and password reset pages."""

import re

import pytest
from django.core.cache import cache

from passculture.accounts.models import User
from passculture.core.taskrunner import run_pending_tasks
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_signup_creates_account_logs_in_and_shows_notice(client):
    response = client.post(
        "/comptes/inscription/",
        {"first_name": "Anaïs", "last_name": "Gérard", "email": "anais@exemple.fr",
         "phone": "", "password1": "Culture-pour-tous-2026", "password2": "Culture-pour-tous-2026"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Votre compte est créé" in page and "Confirmez votre adresse e-mail" in page
    assert User.objects.get(email="anais@exemple.fr").first_name == "Anaïs"


def test_signup_errors_are_french_and_create_nothing(client, pro):
    response = client.post(
        "/comptes/inscription/",
        {
            "first_name": "",
            "last_name": "X",
            "email": pro.email,
            "password1": "court",
            "password2": "autre",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le champ « Prénom » est obligatoire." in page
    assert "Les deux mots de passe ne correspondent pas." in page
    response = client.post(
        "/comptes/inscription/",
        {"first_name": "A", "last_name": "B", "email": pro.email,
         "password1": "Culture-pour-tous-2026", "password2": "Culture-pour-tous-2026"},
    )  # fmt: skip
    assert "Un compte existe déjà avec cette adresse e-mail." in response.content.decode()
    assert User.objects.count() == 1


def test_login_and_logout(client, pro):
    response = client.post(
        "/comptes/connexion/", {"username": "CAMILLE@exemple.fr", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/pro/"
    assert client.get("/pro/").status_code == 200
    client.post("/comptes/deconnexion/")
    assert client.get("/pro/").status_code == 302


def test_login_is_throttled_after_five_failures(client, pro):
    for _ in range(5):
        page = client.post(
            "/comptes/connexion/", {"username": pro.email, "password": "faux"}
        ).content.decode()
        assert "Adresse e-mail ou mot de passe incorrect." in page
    page = client.post(
        "/comptes/connexion/", {"username": pro.email, "password": PASSWORD}
    ).content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "_auth_user_id" not in client.session


def test_password_reset_flow(client, pro, mailoutbox):
    client.post("/comptes/mot-de-passe/", {"email": pro.email})
    client.post("/comptes/mot-de-passe/", {"email": "inconnu@exemple.fr"})  # silently nothing
    run_pending_tasks()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [pro.email]
    path = re.search(r"https?://[^/]+(/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    new = "Nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Votre mot de passe est enregistré." in done.content.decode()
    pro.refresh_from_db()
    assert pro.check_password(new)


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("beneficiary", "/jeunes/"),
        ("teacher", "/enseignants/"),
        ("head", "/enseignants/"),
        ("pro", "/pro/"),
    ],
)
def test_login_lands_on_each_audience_portal(client, role, target):
    from tests.factories import make_user

    user = make_user(f"{role}@exemple.fr", role=role)
    response = client.post("/comptes/connexion/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == target
