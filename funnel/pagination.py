from rest_framework import pagination
from rest_framework.exceptions import ValidationError

PAGE_SIZE_PARAM = "page_size"


def page_size_from(query_params, *, default: int, maximum: int) -> int:
    """`page_size` from the query string: absent means `default`, above `maximum` is
    capped; anything but a positive integer (`0`, `abc`, `null`, empty) is a 400 naming
    the parameter, not silently the default."""
    if PAGE_SIZE_PARAM not in query_params:
        return default
    value = query_params[PAGE_SIZE_PARAM]
    # Digits only: int() would also take " 5", "+5" and "5_0".
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ValidationError({PAGE_SIZE_PARAM: ["A positive integer is required."]})
    return min(int(value), maximum)


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: page 10,000 costs what page 1 costs, and there is no COUNT(*)
    over the whole table. `page_size` is capped so a client cannot hold a worker."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return page_size_from(
            request.query_params, default=self.page_size, maximum=self.max_page_size
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == PAGE_SIZE_PARAM:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Results per page, default {self.page_size}; more than "
                    f"{self.max_page_size} gives {self.max_page_size}."
                )
        return parameters
