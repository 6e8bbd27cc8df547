"""The one way to tell someone something: `notify(...)`.

Contract (callers rely on it): call inside the transaction of the change; the e-mail is
queued as a task (sent only if the change commits) and the in-app notice row is written
in the same transaction. `category` decides whether the user's preferences may silence
it: TRANSACTIONAL categories always go; OPTIONAL ones respect opt-outs and carry a
one-click unsubscribe link. Returns True when something was queued.
"""

import re
from typing import Any

from django.core import signing
from django.db import transaction

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.core.mail import render_text
from passculture.notifications.models import Notice, Preference

TRANSACTIONAL = ("booking", "collective", "account", "offer", "export")
OPTIONAL = ("reminder", "digest", "campaign")
CATEGORIES = TRANSACTIONAL + OPTIONAL
URL = re.compile(r"https?://\S+")
UNSUBSCRIBE_SALT = "passculture.notifications.unsubscribe"


def is_enabled(*, user: User, category: str) -> bool:
    """May `user` receive `category`? Transactional ones always; campaigns need opt-in."""
    if category in TRANSACTIONAL:
        return True
    if category == "campaign" and not user.marketing_opt_in:
        return False
    return not Preference.objects.filter(user=user, category=category, enabled=False).exists()


def unsubscribe_token(*, user_id: int, category: str) -> str:
    return signing.dumps({"u": user_id, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, category) of a token; raises signing.BadSignature when tampered."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("c") not in OPTIONAL:
        raise signing.BadSignature("bad unsubscribe payload")
    return int(data["u"]), str(data["c"])


@transaction.atomic
def unsubscribe(*, token: str) -> Preference:
    """Turn an optional category off for the token's user; BadSignature changes nothing."""
    user_id, category = read_unsubscribe_token(token)
    user = User.objects.get(pk=user_id)
    pref, _ = Preference.objects.update_or_create(
        user=user, category=category, defaults={"enabled": False}
    )
    if category == "campaign" and user.marketing_opt_in:
        user.marketing_opt_in = False
        user.save(update_fields=["marketing_opt_in"])
    record_audit(
        actor=user, action="notifications.unsubscribe", obj=user, data={"category": category}
    )
    return pref


def notice_body(template: str, context: dict[str, Any], limit: int = 500) -> str:
    """The e-mail's text as a notice: without greeting, signature and bare links (the
    notice links to its page itself), cut at `limit` characters on a word."""
    _, body = render_text(template, context)
    kept = []
    for line in body.splitlines():
        line = URL.sub("", line).strip().removesuffix(":").strip()
        if line and not line.startswith(("Bonjour", "L’équipe passculture")):
            kept.append(line)
    text = "\n".join(kept)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def notify(
    *,
    template: str,
    context: dict[str, Any],
    category: str,
    user: User | None = None,
    email: str = "",
    in_app: bool = True,
    title: str = "",
    url: str = "",
    email_user: bool = True,
) -> bool:
    """Queue an e-mail (template `mail/<template>.txt`, optional .html twin) to `user`'s
    address or `email`, and an in-app notice (`title`, `url`) when `user` is given.

    `email_user=False` keeps the notice in-app only for `user` (the e-mail, if any, goes
    to `email` alone: e.g. a venue's booking address)."""
    from passculture.notifications.tasks import send_notification

    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category}")
    if user is not None and not is_enabled(user=user, category=category):
        return False
    queued = False
    if user is not None and in_app:
        Notice.objects.create(
            user=user,
            category=category,
            title=title or template,
            body=notice_body(template, context),
            url=url,
            created_at=clock.now(),
        )
        queued = True
    address = email or (user.email if user is not None and email_user else "")
    if address:
        unsubscribe = ""
        if user is not None and category in OPTIONAL:
            unsubscribe = unsubscribe_token(user_id=user.pk, category=category)
        send_notification.enqueue(address, template, category, context, unsubscribe)
        queued = True
    return queued
