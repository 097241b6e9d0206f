"""The one email normaliser: every write path (API, forms, capture, import) uses it."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def normalize_email(value: str) -> str:
    """Lower-case the address and IDNA-encode its domain, so it is ASCII and unique
    case-insensitively under a plain unique index. Raises ValidationError if invalid."""
    email = (value or "").strip()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or not domain:
        raise ValidationError("Enter a valid email address.", code="invalid")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError("Enter a valid email address.", code="invalid") from None
    email = f"{local}@{domain}".lower()
    if len(email) > 254:
        raise ValidationError("Email addresses are at most 254 characters.", code="max_length")
    validate_email(email)
    return email
