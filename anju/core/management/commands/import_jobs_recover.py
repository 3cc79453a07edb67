from django.core.management.base import BaseCommand

from anju.core.import_jobs import import_jobs_recover


class Command(BaseCommand):
    help = "Mark Excel imports interrupted by a server restart as failed (run before serving)."

    def handle(self, *args, **options):
        count = import_jobs_recover()
        if count:
            self.stdout.write(f"{count} interrupted import(s) marked as failed.")
