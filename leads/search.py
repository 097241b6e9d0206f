"""What a search finds among leads: one rule for the lead lists, the API's `?search=` and
the header's "find anything" (search.selectors).

A lead matches when every word of the text is found in its first or last name, company,
email (domain included) or phone, in any letter case: `wonka.example` finds everyone at
Wonka, `grace hop` finds Grace Hopper, `555-0142` finds "+1 (555) 014-2". A word of three
characters or more is a substring; a shorter one is a prefix (`jo smi` finds John Smith),
because on PostgreSQL a substring needs three characters to use the trigram indexes of
leads migration 0007 and a one-letter substring would match nearly every row; prefixes
use the b-tree indexes of migration 0002. A word with three or more digits that looks like
(part of) a phone number also matches the phone's digits whatever its separators.
"""

import re

from django.db.models import CharField, F, Func, Q, Value
from django.db.models.lookups import Contains

# Words of a search that are matched; more add cost and rarely narrow further.
MAX_SEARCH_WORDS = 5
# Shorter words match as prefixes (see the module docstring).
MIN_SUBSTRING = 3
MIN_PHONE_DIGITS = 3
# Characters people type in phone numbers besides digits.
_PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")
_SEPARATORS = " ()+-./"


class PhoneDigits(Func):
    """The digits of a phone number. PostgreSQL strips every non-digit, with the exact
    expression leads migration 0007 indexes (change both together); SQLite has no
    regexp_replace, so it drops the separators people type, which is the same for phones
    entered as digits and separators."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Literals, not parameters: the planner matches the index expression text.
        return self.as_sql(
            compiler,
            connection,
            template="regexp_replace(%(expressions)s, '[^0-9]', '', 'g')",
            **extra_context,
        )

    def as_sql(self, compiler, connection, **extra_context):
        if "template" not in extra_context:
            template = "%(expressions)s"
            for char in _SEPARATORS:
                template = f"REPLACE({template}, '{char}', '')"
            extra_context["template"] = template
        return super().as_sql(compiler, connection, **extra_context)


def search_words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


def phone_digits(text: str) -> str:
    """The digits of `text` when it reads like (part of) a phone number, else ''."""
    if not _PHONE_LIKE.match(text):
        return ""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def word_match(word: str) -> Q:
    """One word found in a name, the company, the email or the phone."""
    if len(word) < MIN_SUBSTRING:
        # Emails are stored lower-cased: a plain prefix uses the unique email's index.
        return (
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(company__istartswith=word)
            | Q(email__startswith=word.lower())
        )
    match = (
        Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(company__icontains=word)
        | Q(email__contains=word.lower())
    )
    if digits := phone_digits(word):
        match |= phone_match(digits)
    return match


def phone_match(digits: str) -> Q:
    return Q(Contains(PhoneDigits(F("phone")), Value(digits)))


def lead_search_condition(text: str) -> Q | None:
    """The condition a lead meets to be found by `text`; None for a blank text (no filter)."""
    words = search_words(text)
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= word_match(word)
    if len(words) > 1 and (digits := phone_digits(" ".join(words))):
        # "(555) 014-2" is one phone number typed with spaces.
        condition |= phone_match(digits)
    return condition
