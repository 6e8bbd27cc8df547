"""Every e-mail is text + HTML (shared layout or its own twin); the confirmation carries a QR."""

import io
from pathlib import Path

import pytest
import segno
from django.core import mail

from passculture.bookings import services
from passculture.core import clock
from passculture.core.mail import build_message, render_mail
from passculture.core.taskrunner import run_pending_tasks
from tests.bookings.factories import NOW, make_beneficiary, make_bookable_offer

SRC = Path(__file__).resolve().parents[2] / "src" / "passculture"
TEMPLATES = sorted(p.stem for p in SRC.glob("*/templates/mail/*.txt"))


def test_there_are_mail_templates_to_check():
    assert {"booking_confirmed", "venue_digest", "campaign", "password_reset"} <= set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_mail_has_an_html_twin_in_the_dsfr_look(template):
    subject, body, html = render_mail(template, {"first_name": "Zoé", "offer_name": "Cyrano"})
    assert subject and body.strip()
    assert html.startswith("<!doctype html>") and 'lang="fr"' in html
    assert "République<br>française" in html and "border-top:4px solid #000091" in html
    assert f">{subject}</h1>".replace("'", "&#x27;") in html


def test_text_is_not_html_escaped_but_html_is():
    context = {"first_name": "Zoé", "offer_name": "L'Échangeur & <Cie>", "token": "ABC234"}
    subject, body, html = render_mail("booking_confirmed", context)
    assert subject == "Réservation confirmée : L'Échangeur & <Cie>"
    assert "L'Échangeur & <Cie>" in body
    assert "L&#x27;Échangeur &amp; &lt;Cie&gt;" in html and "<Cie>" not in html


def test_links_in_the_text_become_links_in_the_layout():
    link = "http://127.0.0.1:8000/jeunes/reservations/42/"
    _, body, html = render_mail("notice", {"title": "Rappel", "body": f"Voir : {link}"})
    assert link in body
    assert f'<a href="{link}"' in html


def test_unsubscribe_link_shows_in_the_footer_only_when_given():
    _, _, html = render_mail("notice", {"title": "t"})
    assert "Se désabonner" not in html
    _, _, html = render_mail("notice", {"title": "t", "unsubscribe_url": "https://x.fr/d/1/"})
    assert '<a href="https://x.fr/d/1/" style="color:#000091">Se désabonner</a>' in html


def _qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, micro=False).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def test_qr_code_is_an_inline_related_image_of_the_html_part():
    message, _, _ = build_message(
        to=["a@b.fr"],
        template="booking_confirmed",
        context={"token": "XK7P2Q", "qr_code": "XK7P2Q"},
    )
    mime = message.message()
    related = next(p for p in mime.walk() if p.get_content_type() == "multipart/related")
    html_part, image = list(related.iter_parts())
    assert 'src="cid:qr"' in html_part.get_content()
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<qr>"
    assert image.get_content() == _qr_png("XK7P2Q")
    assert mime.get_body(("plain",)).get_content().startswith("Bonjour")


def test_no_qr_no_image():
    message, _, _ = build_message(to=["a@b.fr"], template="booking_confirmed", context={})
    types = {p.get_content_type() for p in message.message().walk()}
    assert types == {"multipart/alternative", "text/plain", "text/html"}


@pytest.mark.django_db
def test_booking_confirmation_carries_the_token_qr_the_venue_mail_does_not(venue):
    stock = make_bookable_offer(venue, name="Théâtre de l'Échangeur")
    youth = make_beneficiary(15_000)
    with clock.frozen_at(NOW):
        booking = services.book_offer(user=youth, stock_id=stock.pk)
    run_pending_tasks()
    by_address = {m.to[0]: m for m in mail.outbox}
    young = by_address[youth.email].message()
    images = [p for p in young.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content() == _qr_png(booking.token)
    assert booking.token in young.get_body(("plain",)).get_content()
    assert "Théâtre de l'Échangeur" in young["Subject"]
    venue_mail = by_address["billetterie@celestins.fr"].message()
    assert not [p for p in venue_mail.walk() if p.get_content_type() == "image/png"]
    assert venue_mail.get_body(("html",)) is not None


@pytest.mark.django_db
def test_secret_link_mails_are_retried_too_and_never_logged(settings):
    """Password reset / verification e-mails: five attempts, nothing kept in the send log."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from passculture.core.mail import queue_mail
    from passculture.notifications.models import NotificationLog

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "use_tls": False, "timeout": 2},
        }
    }
    queue_mail(to=["lea@exemple.fr"], template="password_reset", context={"path": "/secret/"})
    run_pending_tasks()
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()  # a minute later, not at once
    for _ in range(6):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_pending_tasks()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 5
    assert not DBTaskResult.objects.filter(status="READY").exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    queue_mail(to=["lea@exemple.fr"], template="password_reset", context={"path": "/secret/"})
    run_pending_tasks()
    assert "/secret/" in mail.outbox[-1].body
    assert not NotificationLog.objects.exists()
