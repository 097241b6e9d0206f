"""Saved views on the lead lists: the menu's save and delete, and remembering the last
view opened on each list (a wrapper around the list page, see leads/urls.py)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from lists.models import SavedView
from lists.saved_views import (
    COLUMNS,
    list_last_view,
    list_view_remember,
    saved_view_create,
    saved_view_delete,
    saved_views_for,
)
from lists.selection import LIST_STAGES

LIST_URLS = {"list": "leads:list", "prospects": "leads:prospects", "customers": "leads:customers"}
NO_VIEW = "none"


def saved_view_url(view: SavedView) -> str:
    query = f"{view.query}&" if view.query else ""
    return f"{reverse(LIST_URLS[view.list_kind])}?{query}view={view.pk}"


def remember_last_view(list_page):
    """Opening a list bare (from the navigation) shows the view last opened on it;
    `?view=<id>` records that view, `?view=none` forgets it."""

    @wraps(list_page)
    def page(request: HttpRequest, kind: str, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.htmx:
            chosen = request.GET.get("view")
            if chosen == NO_VIEW:
                list_view_remember(user=user, list_kind=kind, view=None)
            elif chosen and chosen.isdigit():
                view = saved_views_for(user=user, list_kind=kind).filter(pk=chosen).first()
                if view is not None:
                    list_view_remember(user=user, list_kind=kind, view=view)
            elif not request.GET:
                last = list_last_view(user=user, list_kind=kind)
                if last is not None:
                    return redirect(saved_view_url(last))
        return list_page(request, kind=kind, **kwargs)

    return page


class SavedViewForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    shared_with = forms.ModelChoiceField(
        label="Share with", required=False, queryset=Group.objects.none(), empty_label="Nobody"
    )
    columns = forms.MultipleChoiceField(
        label="Columns",
        required=False,
        choices=[(c, c.title()) for c in COLUMNS],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        kwargs.setdefault("auto_id", "view_%s")
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = user.groups.order_by("name")
        self.initial.setdefault("columns", COLUMNS)


@login_required
@require_POST
def saved_view_create_view(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LIST_STAGES:
        raise Http404
    form = SavedViewForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            view = saved_view_create(
                user=request.user,
                list_kind=kind,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                columns=form.cleaned_data["columns"],
                shared_with=form.cleaned_data["shared_with"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect(saved_view_url(view))
    errors = "; ".join(e for errs in form.errors.values() for e in errs)
    messages.error(request, f"The view was not saved: {errors}")
    response = redirect(reverse(LIST_URLS[kind]) + f"?view={NO_VIEW}")
    response.status_code = 303
    return response


@login_required
@require_POST
def saved_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = SavedView.objects.filter(pk=pk, user=request.user).first()
    if view is None:
        raise Http404
    saved_view_delete(user=request.user, view_id=view.pk)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(reverse(LIST_URLS[view.list_kind]) + f"?view={NO_VIEW}")
