import time

from django.core.management.base import BaseCommand
from django.db import transaction

from anju.workorders.demo import build_orders


class Command(BaseCommand):
    help = "Add demo work orders (with clocks, visits and timelines) over the existing registry."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=600)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-timeline", action="store_true", help="only register/dispatch/close events"
        )

    def handle(self, *args, count, seed, no_timeline, verbosity, **options):
        started = time.monotonic()
        with transaction.atomic():
            counts = build_orders(
                count,
                seed,
                timeline=not no_timeline,
                progress=self.stdout.write if verbosity >= 2 or count >= 50_000 else None,
            )
        summary = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        self.stdout.write(f"Demo orders in {time.monotonic() - started:.1f} s: {summary}.")
