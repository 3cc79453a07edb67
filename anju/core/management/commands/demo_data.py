from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anju.core.demo import DEFAULT_SEED, SCALES, build_demo_data, demo_data_exists, flush_demo_data

DEMO_ORDERS = 800


class Command(BaseCommand):
    help = (
        "Build a deterministic demo district (regions, estates, units, owners, companies, "
        "contracts) and one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="default",
            help="tiny (tests), default (60 estates), district (600), city (6,000)",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when estates already exist"
        )
        parser.add_argument("--flush", action="store_true", help="empty the registry tables first")

    def handle(self, *args, scale, seed, if_empty, flush, verbosity, **options):
        if demo_data_exists():
            if if_empty:
                self.stdout.write("Estates exist already: demo data left as it is.")
                return
            if not flush:
                raise CommandError(
                    "The database holds estates already: add --flush to replace them "
                    "or --if-empty to keep them."
                )
        chatty = verbosity >= 2 or scale in ("district", "city")
        with transaction.atomic():
            if flush:
                flush_demo_data()
            summary = build_demo_data(scale, seed, progress=self.stdout.write if chatty else None)
            if scale == "default":
                # A year of complaints to click through (bench datasets add their own).
                from anju.workorders.demo import build_orders

                summary.counts.update(build_orders(DEMO_ORDERS, seed))
        counts = ", ".join(f"{name} {count:,}" for name, count in summary.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ({summary.scale}, seed {summary.seed}) built in "
                f"{summary.seconds:.1f} s: {counts}."
            )
        )
