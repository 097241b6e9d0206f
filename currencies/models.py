"""The rate table: what one unit of a currency is worth in the company currency on a day.

Entered and imported by managers (no outside fetch). A figure in another currency is
converted with the latest rate on or before its rate date (docs/architecture.md, "Money
in several currencies"; the rate date of each record is in `currencies.records`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from currencies.codes import CURRENCY_CODE_SHAPE

MAX_RATE = Decimal("1000000")
RATE_DIGITS = {"max_digits": 20, "decimal_places": 10}


class ExchangeRate(models.Model):
    """1 `currency` = `rate` company currency, from `day` until the next rate's day."""

    currency = models.CharField(max_length=3)
    day = models.DateField()
    rate = models.DecimalField(**RATE_DIGITS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-day"]
        constraints = [
            # Also the index of every conversion: `currency = X AND day <= D ORDER BY day
            # DESC LIMIT 1` reads it backwards, one entry per converted row.
            models.UniqueConstraint(fields=["currency", "day"], name="rate_one_per_currency_day"),
            models.CheckConstraint(
                condition=Q(rate__gt=0) & Q(rate__lte=MAX_RATE), name="rate_positive_in_range"
            ),
            models.CheckConstraint(condition=CURRENCY_CODE_SHAPE, name="rate_currency_is_a_code"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} on {self.day}"
