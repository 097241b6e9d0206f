from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: page 10,000 costs what page 1 costs, and there is no COUNT(*)
    over the whole table. `page_size` is capped so a client cannot hold a worker."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
