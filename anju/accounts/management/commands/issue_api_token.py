from django.core.management.base import BaseCommand, CommandError

from anju.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a bearer token for the JSON API; the token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _token, raw = ApiToken.issue(user=user, name=name)
        self.stdout.write(raw)
