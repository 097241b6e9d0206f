"""Capture bodies over Django's limits (DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS) are
refused in JSON, like every other bad capture, and write nothing."""

import pytest
from django.test import Client

from leads.models import Lead
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/capture/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def key(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    return CampaignFactory().capture_key


def _post(body: str, content_type: str):
    return Client().post(URL, body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("key={key}&email=a@example.com&company=" + "x" * 20_000, FORM),
        (
            '{{"key": "{key}", "email": "a@example.com", "company": "' + "x" * 20_000 + '"}}',
            "application/json",
        ),
    ],
    ids=["form", "json"],
)
def test_an_oversized_body_is_a_json_413(key, body, content_type):
    response = _post(body.format(key=key), content_type)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Request body too large: at most 10000 bytes.",
        "code": "too_large",
    }
    assert not Lead.objects.exists()


def test_too_many_fields_is_a_json_400(key):
    extra = "&".join(f"f{n}=1" for n in range(60))
    response = _post(f"key={key}&email=a@example.com&{extra}", FORM)

    assert response.status_code == 400
    assert response.json() == {"detail": "Too many fields: at most 50.", "code": "too_many_fields"}
    assert not Lead.objects.exists()


def test_a_body_within_the_limits_is_still_captured(key):
    response = _post(f"key={key}&email=a@example.com&company=Acme", FORM)

    assert response.status_code == 303
    assert Lead.objects.filter(email="a@example.com", company="Acme").exists()
