"""ISO 4217 currency codes, from pycountry's copy of the standard (Debian's iso-codes), and
the company currency every report is written in (the FUNNEL_CURRENCY setting)."""

from functools import cache

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact

# Codes in the standard that name no money: "no currency" and the testing code.
NOT_MONEY = frozenset({"XXX", "XTS"})


def company_currency() -> str:
    """The currency of every report figure, budget and quota target."""
    return settings.FUNNEL_CURRENCY


@cache
def currency_names() -> dict[str, str]:
    """{code: name} of every ISO 4217 currency, sorted by code."""
    found = {c.alpha_3: c.name for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY}
    return dict(sorted(found.items()))


def currency_choices() -> list[tuple[str, str]]:
    """For a select: the company currency first, then every code with its name."""
    names = currency_names()
    first = company_currency()
    rest = [(code, f"{code} · {name}") for code, name in names.items() if code != first]
    return [(first, f"{first} · {names.get(first, first)}"), *rest]


def currency_code_clean(value: object, *, field: str = "currency") -> str:
    """An ISO 4217 code in any letter case, upper-cased; ValidationError naming `field`."""
    code = str(value if value is not None else "").strip().upper()
    if not code:
        raise ValidationError({field: "Enter an ISO 4217 currency code such as EUR."})
    if code not in currency_names():
        shown = code[:10]
        raise ValidationError({field: f"{shown!r} is not an ISO 4217 currency code."})
    return code


# The shape of a stored code, for the tables' check constraints (three capital letters;
# which codes exist is the services' check): a lower-case or wrong-length code written
# past the services is refused by the database.
CURRENCY_CODE_SHAPE = Q(Exact(Length("currency"), 3)) & Q(Exact(Upper("currency"), F("currency")))
