"""Server errors the schema fuzzing found, pinned as plain tests (on PostgreSQL in CI)."""

import pytest
from rest_framework.test import APIClient

from leads.models import Lead
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["\x00", "abc\x00def", "k" * 65])
def test_a_capture_key_postgresql_cannot_compare_is_a_404(key):
    CampaignFactory()

    response = APIClient().post(
        "/api/v1/capture/", {"key": key, "email": "a@example.com"}, format="json"
    )

    assert response.status_code == 404
    assert not Lead.objects.exists()
