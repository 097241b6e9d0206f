import pytest

from funnel.stages import Stage
from leads.models import Lead
from tests.sales.factories import lead_in, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(rep):
    loyal = lead_in(Stage.PROSPECT, owner=rep)
    won_deal(loyal)
    won_deal(Lead.objects.get(pk=loyal.pk))
    once = lead_in(Stage.PROSPECT, owner=rep)
    won_deal(once)
    return loyal, once


@pytest.mark.parametrize(("value", "expected"), [("true", "loyal"), ("false", "once")])
def test_customer_lists_filter_on_repeat_business(api, manager, customers, value, expected):
    loyal, once = customers
    response = api(manager).get(f"/api/v1/customers/?repeat={value}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {{"loyal": loyal, "once": once}[expected].pk}
