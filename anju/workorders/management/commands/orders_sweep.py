import json
import time

from django.core.management.base import BaseCommand

from anju.workorders.sweep import sweep


class Command(BaseCommand):
    help = "Issue deadline warnings, overdue flags, 催办 and 通报 for open work orders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, help="repeat every N seconds (0: run once)"
        )

    def handle(self, *args, loop: int = 0, **options):
        while True:
            result = sweep()
            if result.warned or result.overdue or result.reported or not loop:
                self.stdout.write(json.dumps(result.as_dict()))
            if not loop:
                return
            time.sleep(loop)
