"""Saved views: a named filter + sort (+ columns) of a list, a user's own or shared with a
group, and the last one a user opened on each list. A view is only a query string: the
leads behind it are always re-read under the viewer's own scope (`selection_visible`), so
sharing a view never shares access. Later email sends and exports target
`saved_view_leads`."""

from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from leads.models import Lead
from lists.models import ListPreference, SavedView
from lists.selection import LIST_STAGES, filter_query, selection_visible

# Columns a view may hide or show (leads/_list_results.html); the name always shows.
COLUMNS = ["company", "stage", "owner", "source", "score", "created"]


def saved_views_for(*, user: AbstractBaseUser, list_kind: str) -> QuerySet[SavedView]:
    """The views of a list `user` may open: their own and those shared with a group of
    theirs (one query)."""
    return SavedView.objects.filter(
        Q(user=user) | Q(shared_with__in=user.groups.all()), list_kind=list_kind
    ).select_related("user")


def list_columns(*, user: AbstractBaseUser, list_kind: str, view_param: str | None) -> set[str]:
    """The optional columns a list shows: the opened view's choice (`?view=<id>`, one
    query), else all of them. A view saved with none chosen shows all."""
    if view_param and view_param.isdigit() and user.is_authenticated:
        view = saved_views_for(user=user, list_kind=list_kind).filter(pk=view_param).first()
        if view is not None and view.columns:
            return set(view.columns)
    return set(COLUMNS)


def saved_view_leads(*, user: AbstractBaseUser, view: SavedView) -> QuerySet[Lead]:
    """The leads a view shows `user` now: its filter, under `user`'s scope."""
    return selection_visible(user=user, list_kind=view.list_kind, query=view.query, lead_ids=None)


def saved_view_create(
    *,
    user: AbstractBaseUser,
    list_kind: str,
    name: str,
    query: str,
    columns: list[str],
    shared_with: Group | None,
) -> SavedView:
    name = name.strip()
    if list_kind not in LIST_STAGES:
        raise ValidationError({"list_kind": "No such list."})
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if shared_with is not None and not user.groups.filter(pk=shared_with.pk).exists():
        raise ValidationError({"shared_with": "You can share only with a group you are in."})
    unknown = sorted(set(columns) - set(COLUMNS))
    if unknown:
        raise ValidationError({"columns": f"Unknown columns: {', '.join(unknown)}."})
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                user=user,
                list_kind=list_kind,
                name=name[:80],
                query=filter_query(QueryDict(query.lstrip("?"))),
                columns=[c for c in COLUMNS if c in columns],
                shared_with=shared_with,
            )
    except IntegrityError:
        raise ValidationError({"name": "You have a view of this list by that name."}) from None
    list_view_remember(user=user, list_kind=list_kind, view=view)
    return view


def saved_view_delete(*, user: AbstractBaseUser, view_id: int) -> None:
    """Only its owner deletes a view; anyone else's answers as missing."""
    deleted, _ = SavedView.objects.filter(pk=view_id, user=user).delete()
    if not deleted:
        raise SavedView.DoesNotExist


def list_view_remember(*, user: AbstractBaseUser, list_kind: str, view: SavedView | None) -> None:
    ListPreference.objects.update_or_create(
        user=user, list_kind=list_kind, defaults={"last_view": view}
    )


def list_last_view(*, user: AbstractBaseUser, list_kind: str) -> SavedView | None:
    """The view `user` last opened on the list, if they may still open it (one query)."""
    pref = (
        ListPreference.objects.filter(user=user, list_kind=list_kind)
        .select_related("last_view")
        .first()
    )
    view = pref.last_view if pref else None
    if view is None:
        return None
    if view.user_id == user.pk or user.groups.filter(pk=view.shared_with_id).exists():
        return view
    return None
