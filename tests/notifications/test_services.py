"""notify(): preferences, opt-out, in-app notices, the send log, one-click unsubscribe."""

import pytest
from django.core import signing
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from passculture.core import clock
from passculture.core.audit import AuditEntry
from passculture.core.mail import RETRY_DELAYS
from passculture.core.taskrunner import run_pending_tasks
from passculture.notifications import services
from passculture.notifications.models import Notice, NotificationLog, Preference
from tests.bookings.factories import make_youth

pytestmark = pytest.mark.django_db


def _notify(user, category="reminder", **extra):
    return services.notify(
        template="notice",
        context={"title": "Votre spectacle approche", "body": "C’est demain à 20 h."},
        category=category,
        user=user,
        title="Votre spectacle approche",
        **extra,
    )


def test_notify_writes_the_notice_and_sends_a_logged_mail_with_unsubscribe(mailoutbox, settings):
    youth = make_youth("lea@exemple.fr")
    assert _notify(youth, url="/jeunes/reservations/") is True
    notice = Notice.objects.get()
    assert (notice.user, notice.category, notice.title, notice.url, notice.read_at) == (
        youth, "reminder", "Votre spectacle approche", "/jeunes/reservations/", None,
    )  # fmt: skip
    assert run_pending_tasks() == 1
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (["lea@exemple.fr"], "Votre spectacle approche")
    assert "C’est demain à 20 h." in mail.body
    link = mail.extra_headers["List-Unsubscribe"][1:-1]
    prefix = f"{settings.SITE_URL}/notifications/desabonnement/"
    assert link.startswith(prefix) and link.endswith("/")
    assert services.read_unsubscribe_token(link[len(prefix) : -1]) == (youth.pk, "reminder")
    assert link in mail.body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    log = NotificationLog.objects.get()
    assert (log.recipient, log.template, log.category, log.status, log.error) == (
        "lea@exemple.fr", "notice", "reminder", "sent", "",
    )  # fmt: skip
    assert log.subject == "Votre spectacle approche" and log.sent_at is not None


def test_transactional_mail_has_no_unsubscribe_and_ignores_preferences(mailoutbox):
    youth = make_youth()
    Preference.objects.create(user=youth, category="booking", enabled=False)
    assert _notify(youth, category="booking") is True
    run_pending_tasks()
    (mail,) = mailoutbox
    assert "List-Unsubscribe" not in mail.extra_headers
    assert "désabonnement" not in mail.body


def test_optional_category_turned_off_sends_nothing(mailoutbox):
    youth = make_youth()
    Preference.objects.create(user=youth, category="reminder", enabled=False)
    assert _notify(youth) is False
    assert run_pending_tasks() == 0
    assert (Notice.objects.count(), len(mailoutbox)) == (0, 0)


def test_campaign_needs_marketing_opt_in(mailoutbox):
    refused = make_youth(marketing_opt_in=False)
    accepted = make_youth("ines@exemple.fr", marketing_opt_in=True)
    assert _notify(refused, category="campaign") is False
    assert _notify(accepted, category="campaign") is True
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [["ines@exemple.fr"]]


def test_email_only_notify_writes_no_notice_and_unknown_category_is_refused(mailoutbox):
    assert services.notify(
        template="notice", context={"title": "Bonjour", "body": "Été"}, category="booking",
        email="billetterie@exemple.fr", in_app=False,
    ) is True  # fmt: skip
    with pytest.raises(ValueError):
        services.notify(template="notice", context={}, category="spam", email="a@exemple.fr")
    run_pending_tasks()
    assert Notice.objects.count() == 0
    assert [m.to for m in mailoutbox] == [["billetterie@exemple.fr"]]


DOWN = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 9, "use_tls": False, "timeout": 2},
    }
}
UP = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _make_retries_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_failed_send_is_logged_failed_retried_later_then_sent(settings, mailoutbox):
    settings.MAILERS = DOWN
    youth = make_youth()
    start = timezone.now()
    with clock.frozen_at(start):
        _notify(youth, category="booking")
        run_pending_tasks()
        log = NotificationLog.objects.get()
        assert log.status == "failed" and "Connection" in log.error and log.sent_at is None
        first, retry = DBTaskResult.objects.order_by("enqueued_at")
        assert first.status == "FAILED" and retry.status == "READY"
        assert retry.run_after == start + RETRY_DELAYS[0]  # not before one minute
        assert retry.args_kwargs["args"][-1] == 2
    assert run_pending_tasks() == 0  # not due yet
    settings.MAILERS = UP
    _make_retries_due()
    assert run_pending_tasks() == 1
    assert [m.to for m in mailoutbox] == [[youth.email]]
    assert list(NotificationLog.objects.order_by("id").values_list("status", flat=True)) == [
        "failed", "sent",
    ]  # fmt: skip


def test_an_e_mail_is_tried_five_times_then_given_up(settings):
    settings.MAILERS = DOWN
    _notify(make_youth(), category="booking")
    for _ in range(8):
        _make_retries_due()
        run_pending_tasks()
    assert NotificationLog.objects.filter(status="failed").count() == 5
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_unsubscribe_get_confirms_post_applies(client):
    youth = make_youth(marketing_opt_in=True)
    token = services.unsubscribe_token(user_id=youth.pk, category="campaign")
    url = f"/notifications/desabonnement/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "Confirmer le désabonnement" in page.content.decode()
    assert Preference.objects.count() == 0  # a GET (link preview, antivirus) changes nothing
    done = client.post(url)
    assert "vous ne recevrez plus de suggestions par e-mail" in done.content.decode()
    youth.refresh_from_db()
    assert youth.marketing_opt_in is False
    assert list(Preference.objects.values_list("user", "category", "enabled")) == [
        (youth.pk, "campaign", False)
    ]
    assert AuditEntry.objects.filter(action="notifications.unsubscribe").count() == 1


def test_tampered_unsubscribe_token_is_a_400_and_changes_nothing(client):
    youth = make_youth(marketing_opt_in=True)
    token = services.unsubscribe_token(user_id=youth.pk, category="campaign")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "nimporte-quoi", signing.dumps({"u": youth.pk, "c": "campaign"})):
        assert client.post(f"/notifications/desabonnement/{bad}/").status_code == 400
        assert client.get(f"/notifications/desabonnement/{bad}/").status_code == 400
    # A transactional category can never be unsubscribed, even with a valid signature.
    forged = signing.dumps({"u": youth.pk, "c": "booking"}, salt=services.UNSUBSCRIBE_SALT)
    assert client.post(f"/notifications/desabonnement/{forged}/").status_code == 400
    youth.refresh_from_db()
    assert youth.marketing_opt_in is True and Preference.objects.count() == 0


def test_the_notice_carries_the_e_mail_text_without_greeting_signature_or_links():
    youth = make_youth("zoe@exemple.fr")
    services.notify(
        template="notice",
        context={
            "title": "Rappel",
            "first_name": "Zoé",
            "body": "Voir : https://x.fr/1/\nÀ demain",
        },
        category="booking",
        user=youth,
        title="Rappel",
    )
    assert Notice.objects.get().body == "Voir\nÀ demain"
    long = "mot " * 300
    services.notify(
        template="notice", context={"title": "Long", "body": long}, category="booking", user=youth
    )
    body = Notice.objects.filter(title="notice").get().body
    assert len(body) <= 502 and body.endswith(" …") and body.startswith("mot mot")
