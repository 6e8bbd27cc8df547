"""Production e-mail through a transactional provider's HTTP API (django-anymail).

A local HTTP server on 127.0.0.1 plays the provider (Mailjet's v3.1 send API): the
notification task's e-mail must arrive there with subject, text, HTML and the QR code
as an inline image, and a refusal by the provider must leave a failed send log.
"""

import base64
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from passculture.notifications.models import NotificationLog
from passculture.notifications.tasks import send_notification

pytestmark = pytest.mark.django_db


class Provider:
    """A fake provider API that records each request and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                outer.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization", ""),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                to = outer.requests[-1]["json"]["Messages"][0]["To"]
                body = {"Messages": [{"Status": "success", "To": [{**to[0], "MessageID": 1}]}]}
                if outer.status != 200:
                    body = {"ErrorCode": "mj-0003", "ErrorMessage": "Compte suspendu"}
                data = json.dumps(body).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/v3.1/"


@pytest.fixture
def provider(settings):
    fake = Provider()
    settings.MAILERS = {
        "default": {
            "BACKEND": "anymail.backends.mailjet.EmailBackend",
            "OPTIONS": {"api_key": "cle", "secret_key": "secret", "api_url": fake.url},
        }
    }
    yield fake
    fake.server.shutdown()


def test_confirmation_reaches_the_provider_with_html_and_the_inline_qr(provider):
    context = {"first_name": "Zoé", "offer_name": "Théâtre de l'Échangeur", "token": "XK7P2Q"}
    send_notification.call(
        "zoe@exemple.fr", "booking_confirmed", "booking", context | {"qr_code": "XK7P2Q"}
    )
    (request,) = provider.requests
    assert request["path"] == "/v3.1/send"
    assert request["auth"] == "Basic " + base64.b64encode(b"cle:secret").decode()
    sent = request["json"]["Globals"]
    assert sent["Subject"] == "Réservation confirmée : Théâtre de l'Échangeur"
    assert "Votre contremarque : XK7P2Q" in sent["TextPart"]
    assert 'src="cid:qr"' in sent["HTMLPart"]
    (image,) = sent["InlinedAttachments"]
    assert (image["ContentType"], image["ContentID"]) == ("image/png", "qr")
    assert base64.b64decode(image["Base64Content"]).startswith(b"\x89PNG")
    assert request["json"]["Messages"][0]["To"] == [{"Email": "zoe@exemple.fr"}]
    assert NotificationLog.objects.get().status == "sent"


def test_a_refusal_by_the_provider_is_logged_failed(provider):
    provider.status = 401
    with pytest.raises(Exception, match="Compte suspendu"):
        send_notification.call("zoe@exemple.fr", "notice", "account", {"title": "Bonjour"})
    log = NotificationLog.objects.get()
    assert log.status == "failed" and "Compte suspendu" in log.error


def _settings_of(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "src", "PASSCULTURE_ENV": "embedded",
             "DJANGO_SETTINGS_MODULE": "passculture.settings", **env},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_settings_pick_the_provider_and_refuse_unknown_ones():
    chosen = _settings_of({"EMAIL_PROVIDER": "postmark", "EMAIL_PROVIDER_API_KEY": "k"})
    assert chosen.stdout.strip() == "anymail.backends.postmark.EmailBackend", chosen.stderr
    refused = _settings_of({"EMAIL_PROVIDER": "brevo"})
    assert refused.returncode != 0
    assert "EMAIL_PROVIDER='brevo' : choisissez parmi mailersend, mailjet" in refused.stderr
