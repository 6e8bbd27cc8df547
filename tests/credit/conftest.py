import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared fixtures hash real passwords (~1 s each on a busy CI box); nothing here logs in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
