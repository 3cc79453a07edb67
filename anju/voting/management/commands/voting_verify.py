"""manage.py voting_verify export.json — check one motion's export without the database."""

import json

from django.core.management.base import BaseCommand, CommandError

from anju.voting.verify import verify_file


class Command(BaseCommand):
    help = (
        "Verify a motion's export (the JSON offered on the public board): roll hash, hash "
        "chain, board against roll, tally and decision. Exits non-zero on any problem."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("export", help="path of the export JSON file")
        parser.add_argument(
            "--json", action="store_true", help="print the report as JSON instead of text"
        )

    def handle(self, *args, **options):
        report = verify_file(options["export"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(report.text())
        if not report.ok:
            raise CommandError(
                f"验证未通过：{len(report.problems)} 个问题 / "
                f"verification failed: {len(report.problems)} problem(s)"
            )
