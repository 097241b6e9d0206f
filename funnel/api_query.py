"""The API's query strings: a parameter given a value it cannot read is a 400 naming the
parameter, like any other bad input.

django-filter reads an unreadable or empty value as "no filter" in several places: a
boolean widget turns `null` or `maybe` into None, and an empty `period=` or `owner=` is
skipped. A client that misspells a value would silently get the unfiltered list. Only the
API is strict: the HTML pages build their filters from their own forms.

DRF serializers have the same habit with a QueryDict (an empty optional field counts as
absent), so query serializers read `query_values(request)` instead.
"""

from django_filters import rest_framework as filters
from django_filters.utils import translate_validation

BOOLEAN_ERROR = "Must be `true` or `false`."
VALUE_ERROR = "Enter a valid value."


class StrictFilterBackend(filters.DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        filterset.is_valid()
        _reject_unread_values(filterset)
        if filterset.errors:
            raise translate_validation(filterset.errors)
        return filterset.qs


def _reject_unread_values(filterset) -> None:
    form = filterset.form
    for name, filter_ in filterset.filters.items():
        # Text filters take any text, an empty one included (`search=` searches nothing).
        if isinstance(filter_, filters.CharFilter) or name in form.errors:
            continue
        if name not in filterset.data or name not in form.fields:
            continue
        if form.cleaned_data.get(name) in (None, "", [], ()):
            message = BOOLEAN_ERROR if isinstance(filter_, filters.BooleanFilter) else VALUE_ERROR
            form.add_error(name, message)


def query_values(request) -> dict[str, str]:
    """The query string as a plain dict (the last value of a repeated parameter), for a
    query serializer: `campaign=` is then an invalid integer, not a missing one."""
    return request.query_params.dict()
