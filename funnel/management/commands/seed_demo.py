from django.core.management.base import BaseCommand

from funnel.demo import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo: role groups, users (password 'funnel-demo'), campaigns and ~500 "
        "leads with a year of stage history. Idempotent: a second run adds nothing."
    )

    def handle(self, *args, **options):
        for line in demo_seed():
            self.stdout.write(f"  {line}")
        usernames = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Logins: {usernames} (password {DEMO_PASSWORD}).")
        )
