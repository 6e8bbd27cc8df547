import time

from django.conf import settings
from django.core.management.base import BaseCommand

from passculture.core import scheduler


class Command(BaseCommand):
    help = "Enqueue due periodic jobs (each slot once, whatever the number of schedulers)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=int, default=settings.SCHEDULER_TICK_SECONDS)

    def handle(self, *args, once: bool = False, interval: int = 20, **options):
        while True:
            for name in scheduler.tick():
                self.stdout.write(f"planifié : {name}")
            if once:
                return
            time.sleep(interval)
