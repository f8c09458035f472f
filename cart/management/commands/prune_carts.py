from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cart.services import cart_prune


class Command(BaseCommand):
    help = "Delete abandoned carts: guest carts untouched for --days days (and customers' with --include-customers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Age in days of the last change (default 30).")
        parser.add_argument("--include-customers", action="store_true", help="Also prune signed-in customers' carts.")

    def handle(self, *args: object, days: int, include_customers: bool, **options: object) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = cart_prune(older_than=timezone.now() - timedelta(days=days), include_customers=include_customers)
        self.stdout.write(f"Deleted {deleted} cart{'s' if deleted != 1 else ''} untouched for {days} days.")
