"""Login throttling: failures counted per e-mail and per IP in the cache."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from passculture.accounts.errors import TooManyLoginAttempts


def _keys(email: str, ip: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:email:{digest}", f"login-fail:ip:{ip}"]


def check_login_allowed(*, email: str, ip: str) -> None:
    """Raise TooManyLoginAttempts when the e-mail or the IP is over the limit."""
    counts = cache.get_many(_keys(email, ip))
    if any(count >= settings.LOGIN_MAX_FAILURES for count in counts.values()):
        raise TooManyLoginAttempts(minutes=max(1, settings.LOGIN_FAILURE_WINDOW // 60))


def record_login_failure(*, email: str, ip: str) -> None:
    for key in _keys(email, ip):
        # add() only sets when absent, so the window starts at the first failure.
        if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def clear_login_failures(*, email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])
