"""Who is who: roles are Django groups, so admins manage them in the admin."""

from django.contrib.auth.models import AbstractBaseUser

MANAGERS = "managers"
MARKETING = "marketing"
SALES = "sales"
ROLES = (MANAGERS, MARKETING, SALES)


def _group_names(user: AbstractBaseUser) -> set[str]:
    # Cached on the user object: templates and permission checks ask many times.
    cached = getattr(user, "_funnel_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._funnel_groups = cached
    return cached


def is_manager(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and (user.is_superuser or MANAGERS in _group_names(user))


def is_marketer(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and MARKETING in _group_names(user)


def is_sales_rep(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and SALES in _group_names(user)
