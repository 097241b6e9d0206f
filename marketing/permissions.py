"""Who may use marketing: managers and marketing staff. Sales reps see campaign names on
their leads but none of the ledger, touches, imports or results (a 403)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from funnel.roles import is_manager, is_marketer


def may_use_marketing(user: AbstractBaseUser) -> bool:
    return is_manager(user) or is_marketer(user)


class MarketingPermission(permissions.BasePermission):
    message = "Only marketing staff and managers may use this."

    def has_permission(self, request, view) -> bool:
        return may_use_marketing(request.user)


def marketing_required(view):
    """Pages for marketing staff and managers: log in first, anyone else gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_use_marketing(request.user):
            raise PermissionDenied("Only marketing staff and managers may use this page.")
        return view(request, *args, **kwargs)

    return wrapped
