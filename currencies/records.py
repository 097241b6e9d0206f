"""Which records carry money in a currency, and the rate date of each: the one place the
rate-date rule lives (docs/architecture.md, "Money in several currencies").

- Spend: the ledger line's `day`.
- A closed deal (won or lost): its `closed_on`, the business date of the close.
- An open deal: the report's day (today for pages and the API): pipeline is what the open
  amounts are worth now.

A figure in another currency is `amount x rate`, with the latest rate of that currency on
or before the rate date; the company currency converts at exactly 1. Models are named by
label, so this module imports no feature app (they import it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class MoneyRecord:
    label: str  # app_label.Model
    amount: str
    currency: str
    # (today, F or OuterRef) -> the row's rate date as an expression.
    rate_day: Callable[[date, type], models.Expression]
    described: str  # For a person: "deals", "spend lines".

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


def _deal_rate_day(today: date, ref: type = F) -> models.Expression:
    return Coalesce(ref("closed_on"), Value(today), output_field=models.DateField())


def _spend_rate_day(today: date, ref: type = F) -> models.Expression:
    return ref("day")


DEAL = MoneyRecord("sales.Deal", "amount", "currency", _deal_rate_day, "deals")
SPEND = MoneyRecord("marketing.Spend", "amount", "currency", _spend_rate_day, "spend lines")
RECORDS = (DEAL, SPEND)
