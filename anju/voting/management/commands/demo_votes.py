from django.core.management.base import BaseCommand
from django.db import transaction

from anju.voting.demo import build_votes
from anju.voting.models import Meeting


class Command(BaseCommand):
    help = "Add demo owners' meetings (published, open, draft) in the owner persona's estate."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when meetings already exist"
        )

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and Meeting.objects.exists():
            self.stdout.write("Owners' meetings exist already: left as they are.")
            return
        with transaction.atomic():
            counts = build_votes(seed)
        if not counts:
            self.stdout.write("No demo personas yet: run `manage.py personas` first.")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo votes built: {counts['meetings']} meetings."))
