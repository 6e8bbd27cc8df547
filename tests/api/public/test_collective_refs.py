"""Partner API — Collective Offer Attributes: domains, schools, national programs, student
levels; and the vocabulary tables behind them."""

import pytest
from django.core.cache import cache

from passculture.api.public import collective_vocab as vocab
from passculture.collective import labels
from tests.api.public.conftest import PartnerClient
from tests.api.public.reference import validate_response
from tests.collective.factories import make_school

pytestmark = pytest.mark.django_db
BASE = "/v2/collective"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def test_every_vocabulary_key_has_a_reference_id():
    assert set(vocab.DOMAIN_IDS) == set(labels.DOMAINS)
    assert len(set(vocab.DOMAIN_IDS.values())) == len(vocab.DOMAIN_IDS)
    assert set(vocab.LEVEL_CODES) == set(labels.LEVELS)
    assert set(vocab.FORMAT_OUT) == set(labels.FORMATS)
    assert set(vocab.EAC_FORMATS.values()) <= set(labels.FORMATS)
    assert vocab.domains_in([7, 1, 7]) == ["cinema", "theatre"]
    assert vocab.formats_out(["conference", "rencontre"]) == ["Conférence, rencontre"]
    assert vocab.format_id("Festival, salon, congrès") == "FESTIVAL_SALON_CONGRES"


def test_domains(partner):
    response = partner.get(f"{BASE}/educational-domains")
    assert response.status_code == 200
    validate_response(f"{BASE}/educational-domains", "GET", 200, response.json())
    assert response.json()[:2] == [
        {"id": 1, "name": "Théâtre, expression dramatique, marionnettes", "nationalPrograms": []},
        {"id": 2, "name": "Musique", "nationalPrograms": []},
    ]
    assert len(response.json()) == len(labels.DOMAINS)


def test_student_levels_and_national_programs(partner):
    levels = partner.get(f"{BASE}/student-levels")
    assert levels.status_code == 200
    validate_response(f"{BASE}/student-levels", "GET", 200, levels.json())
    assert levels.json()[0] == {"id": "COLLEGE6", "name": "Collège — 6e"}
    assert [level["id"] for level in levels.json()] == [
        "COLLEGE6", "COLLEGE5", "COLLEGE4", "COLLEGE3", "CAP1", "CAP2", "GENERAL2",
        "GENERAL1", "GENERAL0",
    ]  # fmt: skip
    programs = partner.get(f"{BASE}/national-programs/")
    assert programs.status_code == 200 and programs.json() == []
    validate_response(f"{BASE}/national-programs/", "GET", 200, programs.json())


def test_institutions_search(partner):
    url = f"{BASE}/educational-institutions/"
    moulin = make_school(uai="0690103M", name="Collège Jean Moulin", city="Lyon")
    parc = make_school(
        uai="0690026D", name="Lycée du Parc", school_type="lycee_gt", postal_code="69006"
    )
    pro = make_school(
        uai="9740921H", name="Lycée professionnel Julien de Rontaunay", school_type="lycee_pro",
        city="Saint-Denis", postal_code="97400", department_code="974", academy="La Réunion",
    )  # fmt: skip

    def ids(params):
        response = partner.get(url, params)
        assert response.status_code == 200, response.content
        validate_response(url, "GET", 200, response.json())
        return [school["id"] for school in response.json()]

    assert partner.get(url, {"uai": "0690103m"}).json() == [
        {
            "id": moulin.pk,
            "uai": "0690103M",
            "name": "Collège Jean Moulin",
            "institutionType": "COLLEGE",
            "city": "Lyon",
            "postalCode": "69005",
        }
    ]
    assert ids({}) == [moulin.pk, parc.pk, pro.pk]
    assert ids({"id": parc.pk}) == [parc.pk]
    assert ids({"name": "lycée"}) == [parc.pk, pro.pk]
    assert ids({"institutionType": "lycee"}) == [parc.pk, pro.pk]
    assert ids({"institutionType": "LYCEE PROFESSIONNEL"}) == [pro.pk]
    assert ids({"city": "saint"}) == [pro.pk]
    assert ids({"postalCode": "974"}) == [pro.pk]
    assert ids({"name": "Lycée", "city": "Lyon"}) == [parc.pk]
    assert ids({"limit": 2}) == [moulin.pk, parc.pk]
    assert partner.get(url, {"limit": "beaucoup"}).status_code == 422


def test_institutions_default_limit_is_20(partner):
    for n in range(23):
        make_school(name=f"École {n}")
    response = partner.get(f"{BASE}/educational-institutions/")
    assert len(response.json()) == 20


def test_lists_need_a_key(db):
    anonymous = PartnerClient("")
    for path in ("educational-domains", "student-levels", "national-programs/"):
        assert anonymous.client.get(f"{BASE}/{path}").status_code == 401
