import pytest

from tests import factories


@pytest.fixture
def pro(db):
    return factories.make_user("camille@exemple.fr", first_name="Camille", last_name="Lefèvre")


@pytest.fixture
def other_pro(db):
    return factories.make_user("bruno@exemple.fr", first_name="Bruno", last_name="Nguyễn")


@pytest.fixture
def staff(db):
    return factories.make_user(
        "equipe@passculture.local", role="staff", is_staff=True, is_superuser=True
    )


@pytest.fixture
def offerer(pro):
    return factories.make_offerer(pro)


@pytest.fixture
def venue(offerer):
    return factories.make_venue(offerer)


@pytest.fixture
def pro_client(client, pro):
    client.force_login(pro)
    return client


@pytest.fixture(autouse=True)
def _clock_not_left_frozen():
    """The clock is process-global: a test must never hand a frozen clock to the next."""
    from passculture.core import clock

    yield
    assert clock._frozen is None, "a test left core.clock frozen"
