import pytest

from tests.api.clients import token_client
from tests.sales.factories import prospect


@pytest.fixture
def api():
    """`api(user)`: a client authenticated with the user's token."""
    return token_client


@pytest.fixture
def my_prospect(rep):
    return prospect(owner=rep)
