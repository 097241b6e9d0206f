import pytest

from tests.api.clients import token_client
from tests.sales.factories import prospect


@pytest.fixture
def api():
    """`api(user)`: a client authenticated with the user's token (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None):
        return token_client(user) if user is not None else APIClient()

    return make


@pytest.fixture
def my_prospect(rep):
    return prospect(owner=rep)


@pytest.fixture
def their_prospect(other_rep):
    return prospect(owner=other_rep)


@pytest.fixture
def pool_prospect(db):
    """An unassigned prospect: visible to every rep, editable by none."""
    return prospect(owner=None)
