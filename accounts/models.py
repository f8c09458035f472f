from django.db import models
from django.utils import timezone


class RateLimitHit(models.Model):
    """One counted attempt (a sign-up, a password reset request) by one key (an address, an account),
    kept in the database so that every web process and host counts the same attempts, across restarts
    and whatever happens to the cache. Only a hash of the key is stored."""

    action = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table it was created under when accounts lived in orders (accounts/migrations/0001_initial.py).
        db_table = "orders_ratelimithit"
        indexes = [
            models.Index(fields=["action", "key", "at"], name="rate_limit_hit_key"),
            models.Index(fields=["action", "at"], name="rate_limit_hit_age"),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S}"
