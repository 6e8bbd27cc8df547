"""Start the whole platform: web server, task worker and scheduler, together.

`make run` calls this. Ctrl-C (SIGINT) or SIGTERM stops all three children.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from passculture.accounts.models import User


class Command(BaseCommand):
    help = (
        "Migre, initialise la démo au premier lancement, puis lance web + worker + planificateur."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument(
            "--no-seed", action="store_true", help="Ne pas créer les données de démo."
        )

    def handle(self, *args, host: str, port: int, workers: int, no_seed: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_seed and not User.objects.exists():
            self.stdout.write("Premier lancement : création des données de démonstration…")
        if not no_seed:
            call_command("seed", size="demo")  # idempotent; prints the demo logins
        python = sys.executable
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "passculture.settings"}
        commands = {
            "web": [
                python, "-m", "gunicorn", "passculture.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers),
                "--access-logfile", "-", "--graceful-timeout", "5",
            ],
            "worker": [python, "-m", "passculture", "db_worker", "--no-reload"],
            "scheduler": [python, "-m", "passculture", "run_scheduler"],
        }  # fmt: skip
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            self.style.SUCCESS(
                f"passculture tourne sur http://{host}:{port}/ (base : {engine}). "
                "Ctrl-C pour arrêter."
            )
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            f"Le processus « {name} » s’est arrêté (code {child.returncode})."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Arrêté.")
