import pytest
from hypothesis import given
from hypothesis import strategies as st

from passculture.offerers import rules
from tests.factories import make_siren, make_siret


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("75011", "75"), ("01000", "01"), ("69002", "69"), ("20000", "2A"), ("20167", "2A"),
        ("20200", "2B"), ("20600", "2B"), ("97110", "971"), ("97200", "972"), ("97300", "973"),
        ("97400", "974"), ("97500", "975"), ("97600", "976"), ("98800", "988"),
    ],
)  # fmt: skip
def test_department_from_postal_code(postal_code, department):
    assert rules.department_from_postal_code(postal_code) == department


@pytest.mark.parametrize("postal_code", ["", "7501", "750111", "ABCDE", "00100", "96000", "97900"])
def test_unknown_postal_codes_have_no_department(postal_code):
    assert rules.department_from_postal_code(postal_code) is None
    assert not rules.is_valid_postal_code(postal_code)


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_any_known_department_is_in_the_list(code):
    department = rules.department_from_postal_code(code)
    assert department is None or department in rules.DEPARTMENTS


@given(st.integers(min_value=0, max_value=99_999_999))
def test_luhn_check_digit_builds_valid_sirens(n):
    base = f"{n:08d}"
    siren = base + rules.luhn_check_digit(base)
    assert rules.is_valid_siren(siren)
    bad = base + str((int(siren[-1]) + 1) % 10)
    assert not rules.is_valid_siren(bad)


def test_siren_and_siret_validation():
    siren = make_siren(7)
    siret = make_siret(siren, 12)
    assert rules.is_valid_siren(siren) and rules.is_valid_siret(siret)
    assert rules.siret_belongs_to_siren(siret, siren)
    assert not rules.siret_belongs_to_siren(make_siret(make_siren(8)), siren)
    assert not rules.is_valid_siren("123456789")  # wrong Luhn key
    assert not rules.is_valid_siren("12345678")
    assert not rules.is_valid_siret(siret[:-1] + str((int(siret[-1]) + 1) % 10))
    assert rules.is_valid_siren("732 829 320")  # spaces allowed


def test_is_in_france():
    assert rules.is_in_france(48.8566, 2.3522)  # Paris
    assert rules.is_in_france(41.9192, 8.7386)  # Ajaccio
    assert rules.is_in_france(-20.8823, 55.4504)  # Saint-Denis de La Réunion
    assert not rules.is_in_france(51.5072, -0.1276 - 5)  # Atlantic, west of Cornwall
    assert not rules.is_in_france(40.4168, -3.7038)  # Madrid
