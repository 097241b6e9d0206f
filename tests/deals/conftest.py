from tests.sales.conftest import api, my_prospect, their_prospect  # noqa: F401
