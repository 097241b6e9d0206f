"""`Idempotency-Key` and its 409/422 are documented on exactly the POSTs that honour them:
every view that authenticates its caller (the middleware scopes keys to that caller), the
token login included, and not public lead capture, which authenticates nobody."""

import pytest

from tests.schema.conformance import served_schema

pytestmark = pytest.mark.django_db


def _post(path: str) -> dict:
    return served_schema()["paths"][path]["post"]


def _takes_the_key(operation: dict) -> bool:
    return any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))


@pytest.mark.parametrize(
    "path", ["/api/v1/leads/", "/api/v1/leads/{id}/transition/", "/api/v1/auth/token/"]
)
def test_authenticating_posts_document_the_key_and_its_answers(path):
    operation = _post(path)

    assert _takes_the_key(operation)
    assert {"409", "422"} <= set(operation["responses"])


def test_public_capture_documents_neither():
    operation = _post("/api/v1/capture/")

    assert not _takes_the_key(operation)
    assert not {"409", "422"} & set(operation["responses"])
