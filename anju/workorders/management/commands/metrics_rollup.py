import time

from django.core.management.base import BaseCommand

from anju.workorders import rollups


class Command(BaseCommand):
    help = (
        "Compute the daily metric rollups of every day since the first order (those missing, "
        "stale or unsettled; with --all every day again). The sweep keeps them up to date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every day")

    def handle(self, *args, **options):
        started = time.monotonic()
        days = rollups.backfill(every=options["all"])
        self.stdout.write(
            f"Metric rollups: {days} days computed in {time.monotonic() - started:.1f} s."
        )
